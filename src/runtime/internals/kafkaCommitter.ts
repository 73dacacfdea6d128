/**
 * TaskCommitter over one KafkaJS transactional producer per task (transactional.id
 * `<appId>-<taskId>`): outputs, changelog records and input offsets commit in one transaction.
 * Creating it (initProducerId) fences any zombie owner of the same task.
 */
import { Partitioners, type Producer, type ProducerBatch, type RecordMetadata } from 'kafkajs';
import type { Kafka } from '../kafka/client.ts';
import { chunkOutputs } from './sendChunks.ts';
import type { CommitBatch, TaskCommitter } from './task.ts';
import { TaskMigratedError } from '../api/errors.ts';
import { isProducerFenced } from './errorKinds.ts';
import { countProduced, streamsMetrics } from './metrics.ts';

/** A task's committer as the runtime holds it. */
export interface ClosableCommitter extends TaskCommitter { close(): Promise<void> }

/**
 * Sends a commit's outputs in produce requests the broker accepts (see sendChunks.ts); returns,
 * per topic and partition written with an explicit partition (changelog records), the next offset
 * after the last record written there.
 */
export async function sendOutputsByPartition(send: (req: ProducerBatch) => Promise<RecordMetadata[]>, outputs: CommitBatch['outputs']): Promise<Map<string, Map<number, bigint>>> {
  const written = new Map<string, Map<number, bigint>>();
  for (const chunk of chunkOutputs(outputs)) {
    const byTopic = new Map<string, CommitBatch['outputs']>();
    for (const o of chunk) {
      const list = byTopic.get(o.topic);
      if (list) list.push(o);
      else byTopic.set(o.topic, [o]);
    }
    const meta = await send({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, msgs]) => ({
        topic,
        messages: msgs.map((m) => ({ key: m.key, value: m.value, headers: m.headers, timestamp: String(m.timestamp), ...(m.partition !== undefined ? { partition: m.partition } : {}) })),
      })),
    });
    // Changelog records carry an explicit partition: the next offset after this chunk's last one.
    for (const m of meta) {
      let count = 0;
      for (const o of byTopic.get(m.topicName) ?? []) if (o.partition === m.partition) count++;
      if (count === 0) continue;
      let partitions = written.get(m.topicName);
      if (!partitions) written.set(m.topicName, (partitions = new Map()));
      partitions.set(m.partition, BigInt(m.baseOffset ?? '0') + BigInt(count));
    }
  }
  return written;
}

/** sendOutputsByPartition for one task's commit: its changelog records all go to its own partition. */
export async function sendOutputs(send: (req: ProducerBatch) => Promise<RecordMetadata[]>, outputs: CommitBatch['outputs']): Promise<Map<string, bigint>> {
  const written = new Map<string, bigint>();
  for (const [topic, partitions] of await sendOutputsByPartition(send, outputs)) for (const next of partitions.values()) written.set(topic, next);
  return written;
}

export class KafkaTaskCommitter implements ClosableCommitter {
  private readonly producer: Producer;
  private readonly groupId: string;
  private readonly taskId: string;
  private txn: Awaited<ReturnType<Producer['transaction']>> | null = null;

  private constructor(producer: Producer, groupId: string, taskId: string) {
    this.producer = producer;
    this.groupId = groupId;
    this.taskId = taskId;
  }

  /** Connects and fences: any earlier producer with this transactional id can no longer commit. */
  static async create(kafka: Kafka, appId: string, taskId: string): Promise<KafkaTaskCommitter> {
    // KafkaJS's default partitioner, named so KafkaJS does not warn about it at every start.
    const producer = kafka.producer({ transactionalId: `${appId}-${taskId}`, idempotent: true, maxInFlightRequests: 1, transactionTimeout: 60_000, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const c = new KafkaTaskCommitter(producer, appId, taskId);
    // An empty transaction runs InitProducerId now (fencing) rather than at the first commit.
    const t = await producer.transaction();
    await t.abort();
    return c;
  }

  async commit(batch: CommitBatch): Promise<Map<string, bigint>> {
    try {
      const txn = (this.txn = await this.producer.transaction());
      const written = await sendOutputs((req) => txn.sendBatch(req), batch.outputs);
      if (batch.offsets.length > 0) {
        const topics = new Map<string, Array<{ partition: number; offset: string }>>();
        for (const o of batch.offsets) topics.set(o.topic, [...(topics.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
        await txn.sendOffsets({ consumerGroupId: this.groupId, topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })) });
      }
      await txn.commit();
      this.txn = null;
      streamsMetrics.transactions.inc({ app: this.groupId });
      countProduced(this.groupId, batch.outputs);
      return written;
    } catch (err) {
      if (isProducerFenced(err)) throw new TaskMigratedError(this.taskId, err);
      throw err;
    }
  }

  async abort(): Promise<void> {
    const t = this.txn;
    this.txn = null;
    if (t && t.isActive()) await t.abort();
  }

  async close(): Promise<void> {
    await this.abort().catch(() => undefined);
    await this.producer.disconnect();
  }
}
