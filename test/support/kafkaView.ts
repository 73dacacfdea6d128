/**
 * Kafka-side views for the end-to-end tests: read a whole topic (committed records only), decide
 * when every consumer group has processed everything (quiescence), and delete a test's topics.
 */
import type { Admin } from 'kafkajs';
import { createKafka } from '../../src/runtime/kafka/client.ts';
import { PartitionReader } from '../../src/runtime/kafka/partitionReader.ts';
import { rootLogger } from '../../src/common/log.ts';
import { parseJsonValue } from '../../src/common/wireFormat.ts';
import { eventually, kafkaBrokers, testKafka } from './brokers.ts';
import { groupCaughtUp } from './groups.ts';

/** `value` parsed from plain JSON or a schema registry's wire format; `bytes` as stored. */
export interface TopicRecord { key: string; value: any; bytes: Buffer | null; headers: Record<string, string>; partition: number; offset: string }

export interface KafkaView {
  /** Every committed record of the topic (value parsed as JSON), partition by partition, in offset order. */
  readTopic(topic: string): Promise<TopicRecord[]>;
  /** True when `groupId` has committed offsets at the end of every partition of `topics`. */
  caughtUp(groupId: string, topics: string[]): Promise<boolean>;
  /** Waits until every group is caught up on three polls in a row, polling every `everyMs`. */
  quiesce(groups: Array<{ groupId: string; topics: string[] }>, timeoutMs: number, everyMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** A view on the shared test broker, or on `brokers` (a broker a test started itself). */
export async function kafkaView(clientId: string, brokers: string[] = kafkaBrokers): Promise<KafkaView> {
  const kafka = createKafka({ brokers, clientId, log: rootLogger });
  const reader = new PartitionReader(kafka);
  const admin: Admin = kafka.admin();
  await admin.connect();
  const view: KafkaView = {
    async readTopic(topic) {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const out: TopicRecord[] = [];
      for (const p of meta.topics[0]!.partitions) {
        let offset = 0n;
        for (;;) {
          const r = await reader.fetch(topic, p.partitionId, offset);
          for (const m of r.records) {
            const headers = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, v?.toString() ?? '']));
            out.push({ key: m.key?.toString() ?? '', value: m.value ? parseJsonValue(m.value) : null, bytes: m.value, headers, partition: p.partitionId, offset: String(m.offset) });
          }
          if (r.nextOffset >= r.lastStableOffset || r.nextOffset === offset) break;
          offset = r.nextOffset;
        }
      }
      return out;
    },
    caughtUp: (groupId, topics) => groupCaughtUp(admin, reader, groupId, topics),
    async quiesce(groups, timeoutMs, everyMs = 500) {
      let streak = 0;
      await eventually('every consumer group to process everything', async () => {
        let done = true;
        for (const g of groups) if (!(await view.caughtUp(g.groupId, g.topics))) { done = false; break; }
        streak = done ? streak + 1 : 0;
        return streak >= 3;
      }, timeoutMs, everyMs);
    },
    async close() {
      await reader.close();
      await admin.disconnect();
    },
  };
  return view;
}

/** Deletes every topic whose name starts with `prefix` (a test's app id); missing ones are fine. */
export async function deleteTopicsWithPrefix(prefix: string): Promise<void> {
  const a = testKafka().admin();
  await a.connect();
  try {
    const mine = (await a.listTopics()).filter((t) => t.startsWith(prefix));
    await a.deleteTopics({ topics: mine }).catch(() => undefined);
  } finally {
    await a.disconnect();
  }
}
