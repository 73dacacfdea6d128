/**
 * Part (c) of the stream benchmark: the runtime's restore path (restoreStore: read_committed
 * fetches written in batches to a fresh RocksDB, as a task does after losing its disk) against a
 * bare KafkaJS consumer reading the same changelog topics to their end and discarding the records.
 *
 * Each side runs in a fresh Node process (`inFreshProcess`), as a freshly started instance
 * restores: in one process the side measured second ran on code the first had made hot. KafkaJS's
 * fetch decoding alone took 1.8–2.2 s cold against 0.4–0.5 s warm for the same 300k records, and
 * the restore always ran first, so the ratio measured mostly that order.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { rootLogger } from '../../src/common/log.ts';
import { RocksBytesStore } from '../../src/stores/rocksBytesStore.ts';
import { createKafka } from '../../src/runtime/kafka/client.ts';
import { PartitionReader } from '../../src/runtime/kafka/partitionReader.ts';
import { restoreStore } from '../../src/runtime/internals/restore.ts';

export interface RateResult {
  records: number;
  seconds: number;
  perSecond: number;
  /** CPU seconds (user + system, all threads) of the measuring process for the whole call, connecting included. */
  cpuSeconds?: number;
}

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

/**
 * Runs `restoreAll` (mode `restore`) or `bareConsume` (mode `bare`) in a fresh Node process and
 * returns its result; progress comes back through `onProgress`.
 */
export function inFreshProcess(mode: 'restore' | 'bare', brokers: string[], topics: string[], n: number, onProgress: (records: number) => void): Promise<RateResult> {
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, mode, brokers.join(','), topics.join(','), String(n)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    const lines = out.split('\n');
    out = lines.pop()!;
    for (const line of lines) {
      const m = /^progress (\d+)$/.exec(line);
      if (m) onProgress(Number(m[1]));
      else if (line.startsWith('result ')) result = JSON.parse(line.slice(7)) as RateResult;
    }
  });
  child.stderr.on('data', (c: Buffer) => { err = (err + c.toString()).slice(-4000); });
  let result: RateResult | undefined;
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`${mode} process exited with ${code}:\n${err}`))));
  });
}

// Child side of inFreshProcess: `node restoreRate.ts <restore|bare> <brokers> <topics> <concurrency|expected>`.
if (process.argv[1] === new URL(import.meta.url).pathname) {
  const [mode, brokers, topics, n] = process.argv.slice(2) as [string, string, string, string];
  let last = 0;
  const progress = (records: number) => {
    if (performance.now() - last < 250) return;
    last = performance.now();
    process.stdout.write(`progress ${records}\n`);
  };
  const cpu = process.cpuUsage();
  const r = mode === 'restore'
    ? await restoreAll(brokers.split(','), topics.split(','), progress, Number(n))
    : await bareConsume(brokers.split(','), topics.split(','), Number(n), progress);
  const used = process.cpuUsage(cpu);
  process.stdout.write(`result ${JSON.stringify({ ...r, cpuSeconds: (used.user + used.system) / 1e6 })}\n`);
  process.exit(0);
}
