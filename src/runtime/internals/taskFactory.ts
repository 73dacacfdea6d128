/**
 * Brings a task up in the order that keeps exactly-once intact after a crash or a rebalance:
 * 1. create the task's transactional producer (fences any zombie owner, aborting its open txn);
 * 2. restore each store from its changelog (from the local checkpoint when the local RocksDB is
 *    intact, from scratch when not) up to the end of committed data;
 * 3. read the group's committed offsets for the task's inputs (stable now that zombies are fenced).
 * Under exactly-once v2 (one producer per instance, instanceCommitter.ts) nothing is fenced per
 * task; instead the task first waits for stable offsets (an open transaction of the previous owner
 * commits or aborts), then restores once no transaction is open on its changelog partitions.
 */
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import type { Logger } from '../../common/log.ts';
import { BufferedStore } from '../../stores/bufferedStore.ts';
import type { BytesStore } from '../../stores/bytesStore.ts';
import { MemoryBytesStore } from '../../stores/memoryBytesStore.ts';
import { RocksBytesStore } from '../../stores/rocksBytesStore.ts';
import { changelogTopic, type SubTopology } from '../api/topologyBuilder.ts';
import type { Serde } from '../api/serde.ts';
import { readCheckpoint, writeCheckpoint } from './checkpoint.ts';
import type { Kafka } from '../kafka/client.ts';
import { KafkaTaskCommitter, type ClosableCommitter } from './kafkaCommitter.ts';
import { AtLeastOnceCommitter, type CommitOffsets } from './atLeastOnceCommitter.ts';
import { streamsMetrics } from './metrics.ts';
import type { PartitionReader } from '../kafka/partitionReader.ts';
import { restoreStore } from './restore.ts';
import { InstanceCommitter, V2_TRANSACTION_TIMEOUT_MS } from './instanceCommitter.ts';
import { fetchStableOffsets, type FetchedOffsets } from '../kafka/stableOffsets.ts';
import { StreamTask } from './task.ts';

export interface TaskEnv {
  appId: string;
  kafka: Kafka;
  admin: Admin;
  reader: PartitionReader;
  stateDir: string;
  inMemoryStores: boolean;
  deadLetterTopic: string;
  /** The application's value serdes by topic (StreamsOptions.valueSerdes). */
  valueSerdes?: ReadonlyMap<string, Serde<unknown>>;
  clock: () => number;
  log: Logger;
  /** Default exactly_once. */
  guarantee?: ProcessingGuarantee;
  /** Commits input offsets through the group consumer (at_least_once only). */
  commitOffsets?: CommitOffsets;
  /** The instance's transactions (exactly_once_v2 only). */
  instanceCommitter?: InstanceCommitter;
}

/**
 * exactly_once: a transactional producer per task; exactly_once_v2: one per instance, zombies
 * fenced by the group generation (KIP-447); at_least_once: for comparison only.
 */
export type ProcessingGuarantee = 'exactly_once' | 'exactly_once_v2' | 'at_least_once';

/** How long a moved task waits for the previous owner's open transaction (several transaction timeouts). */
const SETTLE_MS = 6 * V2_TRANSACTION_TIMEOUT_MS;

export interface RunningTask {
  task: StreamTask;
  committer: ClosableCommitter;
  stores: Map<string, BufferedStore<unknown>>;
  /** Per source topic: the next offset after what is committed (the group's offsets, then ours). */
  committed: Map<string, bigint>;
  /** Per source topic: the next offset to process (the task's own position; reset to `committed` on rollback). */
  next: Map<string, bigint>;
  checkpointFile: string;
  /** Latest changelog offsets known to be in the local stores. */
  checkpoint: Record<string, string>;
}

export function taskDir(env: Pick<TaskEnv, 'stateDir' | 'appId'>, taskId: string): string {
  return join(env.stateDir, env.appId, taskId);
}

export async function startTask(env: TaskEnv, sub: SubTopology, partition: number): Promise<RunningTask> {
  const taskId = `${sub.id}_${partition}`;
  const log = env.log.child({ task: taskId });
  const v2 = env.guarantee === 'exactly_once_v2';
  // v2: the offsets first, once stable (the previous owner's last transaction is in them or aborted).
  const asked = Date.now();
  const stable: FetchedOffsets | null = v2 ? await fetchStableOffsets(env.admin, env.appId, sub.sourceTopics, SETTLE_MS) : null;
  if (v2 && Date.now() - asked > 1000) log.info({ waitedMs: Date.now() - asked }, "waited for the task's offsets to be stable (the previous owner's last transaction)");
  const committer: ClosableCommitter = v2
    ? (env.instanceCommitter ?? fail('exactly_once_v2 needs the instance committer')).forTask(taskId)
    : env.guarantee === 'at_least_once'
      ? await AtLeastOnceCommitter.create(env.kafka, env.appId, env.commitOffsets ?? (() => Promise.reject(new Error('at_least_once needs commitOffsets'))))
      : await KafkaTaskCommitter.create(env.kafka, env.appId, taskId);
  const dir = taskDir(env, taskId);
  const checkpointFile = join(dir, '.checkpoint');
  const saved = env.inMemoryStores ? null : await readCheckpoint(checkpointFile);
  // Under EOS the checkpoint is only trusted for one start: it is rewritten as we commit.
  const checkpoint: Record<string, string> = {};
  const stores = new Map<string, BufferedStore<unknown>>();
  // The task's stores restore in parallel (each from its own changelog partition).
  const opened: BytesStore[] = [];
  const settled = await Promise.allSettled(sub.stores.map(async (spec) => {
    const bytes: BytesStore = env.inMemoryStores ? new MemoryBytesStore(spec.name) : await RocksBytesStore.open(spec.name, join(dir, spec.name));
    opened.push(bytes);
    let from = 0n;
    const mark = saved?.[spec.name];
    if (mark !== undefined) from = BigInt(mark);
    else await bytes.clear();
    const topic = changelogTopic(env.appId, spec.name);
    const end = await restoreStore({
      reader: env.reader, topic, partition, from, store: bytes, taskId, log, ...(v2 ? { settleMs: SETTLE_MS } : {}),
      onProgress: (p) => {
        streamsMetrics.restoreRemaining.set({ app: env.appId, task: taskId, store: spec.name }, p.remaining);
        if (p.done) streamsMetrics.restored.inc({ app: env.appId, store: spec.name }, p.restored);
      },
    });
    return { name: spec.name, bytes, end };
  }));
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) {
    // Release what was opened (RocksDB locks its folder) so a retry can open it again.
    for (const b of opened) await b.close().catch(() => undefined);
    await committer.close().catch(() => undefined);
    throw failed.reason;
  }
  const restored = settled.map((r) => (r as PromiseFulfilledResult<{ name: string; bytes: BytesStore; end: bigint }>).value);
  for (const r of restored) {
    checkpoint[r.name] = r.end.toString();
    const unchanged = streamsMetrics.unchangedWrites.labels({ app: env.appId, store: r.name });
    stores.set(r.name, new BufferedStore(r.bytes, { onUnchangedWrite: () => unchanged.inc() }));
  }
  try {
    if (!env.inMemoryStores) await writeCheckpoint(checkpointFile, checkpoint);
    const committed = new Map<string, bigint>();
    const fetched = stable ?? await env.admin.fetchOffsets({ groupId: env.appId, topics: sub.sourceTopics });
    for (const t of fetched) {
      const p = t.partitions.find((x) => x.partition === partition);
      committed.set(t.topic, p && Number(p.offset) >= 0 ? BigInt(p.offset) : 0n);
    }
    const task = new StreamTask({
      taskId, partition, sub, stores, committer, clock: env.clock, timer: () => performance.now(), deadLetterTopic: env.deadLetterTopic, log,
      ...(env.valueSerdes ? { valueSerdes: env.valueSerdes } : {}), changelogTopicOf: (s) => changelogTopic(env.appId, s),
    });
    await task.init();
    return { task, committer, stores, committed, next: new Map(committed), checkpointFile, checkpoint };
  } catch (err) {
    for (const b of opened) await b.close().catch(() => undefined);
    await committer.close().catch(() => undefined);
    throw err;
  }
}

export async function stopTask(env: Pick<TaskEnv, 'inMemoryStores'>, rt: RunningTask): Promise<void> {
  await rt.task.close();
  await rt.committer.close().catch(() => undefined);
  if (!env.inMemoryStores) await writeCheckpoint(rt.checkpointFile, rt.checkpoint).catch(() => undefined);
  for (const s of rt.stores.values()) await s.bytes.close();
}

function fail(message: string): never {
  throw new Error(message);
}
