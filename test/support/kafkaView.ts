/**
 * Kafka-side views for the chaos test: read a whole topic (committed records only), and decide
 * when every consumer group has processed everything (quiescence).
 */
import type { Admin } from 'kafkajs';
import { createKafka } from '../../../src/streams/internals/kafkaClient.ts';
import { PartitionReader } from '../../../src/streams/internals/partitionReader.ts';
import { rootLogger } from '../../../src/log.ts';
import { eventually, kafkaBrokers } from '../../support/brokers.ts';
import { groupCaughtUp } from '../../support/groups.ts';

export interface KafkaView {
  /** Every committed record of the topic, partition by partition, in offset order. */
  readTopic(topic: string): Promise<Array<{ key: string; value: any; partition: number; offset: string }>>;
  /** True when `groupId` has committed offsets at the end of every partition of `topics`. */
  caughtUp(groupId: string, topics: string[]): Promise<boolean>;
  /** Waits until every group is caught up on three polls in a row. */
  quiesce(groups: Array<{ groupId: string; topics: string[] }>, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function kafkaView(clientId: string): Promise<KafkaView> {
  const kafka = createKafka({ brokers: kafkaBrokers, clientId, log: rootLogger });
  const reader = new PartitionReader(kafka);
  const admin: Admin = kafka.admin();
  await admin.connect();
  const view: KafkaView = {
    async readTopic(topic) {
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      const out: Array<{ key: string; value: any; partition: number; offset: string }> = [];
      for (const p of meta.topics[0]!.partitions) {
        let offset = 0n;
        for (;;) {
          const r = await reader.fetch(topic, p.partitionId, offset);
          for (const m of r.records) out.push({ key: m.key?.toString() ?? '', value: m.value ? JSON.parse(m.value.toString()) : null, partition: p.partitionId, offset: String(m.offset) });
          if (r.nextOffset >= r.lastStableOffset || r.nextOffset === offset) break;
          offset = r.nextOffset;
        }
      }
      return out;
    },
    caughtUp: (groupId, topics) => groupCaughtUp(admin, reader, groupId, topics),
    async quiesce(groups, timeoutMs) {
      let streak = 0;
      await eventually('every consumer group to process everything', async () => {
        let done = true;
        for (const g of groups) if (!(await view.caughtUp(g.groupId, g.topics))) { done = false; break; }
        streak = done ? streak + 1 : 0;
        return streak >= 3;
      }, timeoutMs, 500);
    },
    async close() {
      await reader.close();
      await admin.disconnect();
    },
  };
  return view;
}
