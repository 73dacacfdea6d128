/**
 * Part (c) of the stream benchmark: the runtime's restore path (restoreStore: read_committed
 * fetches written in batches to a fresh RocksDB, as a task does after losing its disk) against a
 * bare KafkaJS consumer reading the same changelog topics to their end and discarding the records.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { rootLogger } from '../../src/log.ts';
import { RocksBytesStore } from '../../src/stores/rocksBytesStore.ts';
import { createKafka } from '../../src/streams/internals/kafkaClient.ts';
import { PartitionReader } from '../../src/streams/internals/partitionReader.ts';
import { restoreStore } from '../../src/streams/internals/restore.ts';

export interface RateResult { records: number; seconds: number; perSecond: number }

/**
 * Restores every partition of every topic into fresh RocksDB stores, `concurrency` partitions at a
 * time, as an instance restores the stores of its tasks side by side after losing its disk.
 */
export async function restoreAll(brokers: string[], topics: string[], onProgress: (records: number) => void, concurrency = 1): Promise<RateResult> {
  const log = rootLogger.child({ component: 'bench-restore' });
  const kafka = createKafka({ brokers, clientId: 'bench-restore', log });
  const reader = new PartitionReader(kafka);
  const admin = kafka.admin();
  await admin.connect();
  const dir = await mkdtemp(join(tmpdir(), 'iga-bench-restore-'));
  const restoredBy = new Map<string, number>();
  let records = 0;
  const started = performance.now();
  try {
    const meta = await admin.fetchTopicMetadata({ topics });
    const queue = meta.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId })));
    const worker = async (): Promise<void> => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const name = `${job.topic}-${job.partition}`;
        const store = await RocksBytesStore.open(name, join(dir, name));
        try {
          await restoreStore({
            reader, topic: job.topic, partition: job.partition, from: 0n, store, taskId: `bench_${job.partition}`, log,
            onProgress: (r) => {
              records += r.restored - (restoredBy.get(name) ?? 0);
              restoredBy.set(name, r.restored);
              onProgress(records);
            },
          });
        } finally {
          await store.close();
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    return { records, seconds, perSecond: records / seconds };
  } finally {
    await reader.close();
    await admin.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Reads the same topics with a plain KafkaJS consumer (read_committed) until it has seen
 * `expected` records (what the restore read: the same committed data).
 */
export async function bareConsume(brokers: string[], topics: string[], expected: number, onProgress: (records: number) => void): Promise<RateResult> {
  const kafka = new kafkajs.Kafka({ brokers, clientId: 'bench-bare-consume', logLevel: kafkajs.logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-bare-${Date.now().toString(36)}`, readUncommitted: false, maxBytesPerPartition: 4 * 1024 * 1024 });
  let records = 0;
  let started = 0;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  started = performance.now();
  await consumer.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 1,
    eachBatch: async ({ batch }) => {
      records += batch.messages.length;
      onProgress(records);
      if (records >= expected) finish();
    },
  });
  await done;
  const seconds = (performance.now() - started) / 1000;
  await consumer.disconnect();
  return { records, seconds, perSecond: records / seconds };
}
