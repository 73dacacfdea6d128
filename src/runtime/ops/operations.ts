/**
 * Operator operations on the local state of a running StreamsApp (no IGA knowledge here):
 * - `storeDigests`: per local task and store, the record count and a SHA-256 over the store's
 *   key/value bytes, so two states can be compared byte for byte (e.g. before and after a rebuild);
 * - `rebuildLocalStores`: closes each local task, wipes its RocksDB folders and checkpoint and
 *   opens it again, so every store is restored from its changelog from scratch, with progress.
 * Both go through StreamsApp.visitTasks, the runtime's one hook for this.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Admin } from 'kafkajs';
import type { Logger } from '../../common/log.ts';
import { createKafka } from '../kafka/client.ts';
import { retryKafka } from '../kafka/retry.ts';
import type { BytesStore } from '../../stores/bytesStore.ts';
import { streamsMetrics } from '../internals/metrics.ts';
import type { RunningTask } from '../internals/taskFactory.ts';
import type { StreamsApp } from '../streamsApp.ts';
import { changelogTopic } from '../api/topologyBuilder.ts';

export interface StoreDigest {
  task: string;
  store: string;
  records: number;
  /** SHA-256 (hex) over every entry in key order: u32 key length, key bytes, u32 value length, value bytes. */
  sha256: string;
  /** The changelog offset the local store is known to hold (the task's checkpoint). */
  changelogOffset: string | null;
}

/** Digest of one store's bytes. Relies on the BytesStore contract: iteration in UTF-8 key order. */
export async function digestBytes(store: Pick<BytesStore, 'iterate'>): Promise<{ records: number; sha256: string }> {
  const hash = createHash('sha256');
  let records = 0;
  let previous: Buffer | null = null;
  const len = Buffer.alloc(4);
  for await (const [key, value] of store.iterate()) {
    const k = Buffer.from(key, 'utf8');
    if (previous && Buffer.compare(previous, k) >= 0) throw new Error(`store iterated out of key order at '${key}'`);
    previous = k;
    len.writeUInt32BE(k.length);
    hash.update(len).update(k);
    len.writeUInt32BE(value.length);
    hash.update(len).update(value);
    records++;
  }
  return { records, sha256: hash.digest('hex') };
}

async function digestsOf(id: string, rt: RunningTask): Promise<StoreDigest[]> {
  const out: StoreDigest[] = [];
  for (const [name, s] of [...rt.stores].sort(([a], [b]) => a.localeCompare(b))) {
    out.push({ task: id, store: name, ...(await digestBytes(s.bytes)), changelogOffset: rt.checkpoint[name] ?? null });
  }
  return out;
}

/** Digests of every store of every task this instance owns, in task and store order. */
export async function storeDigests(app: StreamsApp): Promise<StoreDigest[]> {
  const out: StoreDigest[] = [];
  await app.visitTasks(async (t) => { out.push(...(await digestsOf(t.id, t.running))); });
  return out;
}

export type RebuildEvent =
  | { type: 'task'; task: string; stores: string[]; total: number }
  | { type: 'progress'; task: string; store: string; restored: number; total: number }
  | { type: 'restored'; task: string; ms: number; digests: StoreDigest[] };

export interface RebuildSummary { tasks: number; stores: number; records: number; ms: number; digests: StoreDigest[] }

/**
 * Rebuilds every local task's stores from their changelogs, one task after the other: commit and
 * close the task, delete its state folder (RocksDB stores and checkpoint), open it again; while it
 * restores, reports per store the changelog offsets restored of the total. Records that arrive
 * meanwhile wait for the task. Ends with the digests of the restored stores.
 */
export async function rebuildLocalStores(app: StreamsApp, opts: { appId: string; brokers: string[]; log: Logger; onEvent?: (e: RebuildEvent) => void; pollMs?: number }): Promise<RebuildSummary> {
  const admin = createKafka({ brokers: opts.brokers, clientId: `${opts.appId}-rebuild`, log: opts.log }).admin();
  await admin.connect();
  try {
    return await rebuildTasks(app, admin, opts);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function rebuildTasks(app: StreamsApp, admin: Admin, opts: { appId: string; onEvent?: (e: RebuildEvent) => void; pollMs?: number }): Promise<RebuildSummary> {
  const started = Date.now();
  const digests: StoreDigest[] = [];
  const emit = opts.onEvent ?? (() => undefined);
  await app.visitTasks(async (t) => {
    const stores = [...t.running.stores.keys()].sort();
    const partition = t.running.task.partition;
    const totals = new Map<string, number>();
    for (const store of stores) totals.set(store, await changelogSize(admin, changelogTopic(opts.appId, store), partition));
    emit({ type: 'task', task: t.id, stores, total: [...totals.values()].reduce((a, b) => a + b, 0) });
    const taskStarted = Date.now();
    const fresh = t.reopen(async () => {
      await rm(t.dir, { recursive: true, force: true });
      // The restore lowers this gauge as it goes; start it at the full size so progress starts at 0.
      for (const [store, total] of totals) streamsMetrics.restoreRemaining.set({ app: opts.appId, task: t.id, store }, total);
    });
    let finished = false;
    const poller = (async () => {
      while (!finished) {
        await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
        if (finished) return;
        for (const store of stores) {
          const remaining = await remainingOf(opts.appId, t.id, store);
          const total = totals.get(store)!;
          emit({ type: 'progress', task: t.id, store, restored: Math.max(0, total - (remaining ?? total)), total });
        }
      }
    })();
    try {
      const rt = await fresh;
      finished = true;
      await poller;
      for (const store of stores) emit({ type: 'progress', task: t.id, store, restored: totals.get(store)!, total: totals.get(store)! });
      // A consistent snapshot of what was restored (exclusive with the task's first records).
      const d = await rt.task.exclusive(() => digestsOf(t.id, rt));
      digests.push(...d);
      emit({ type: 'restored', task: t.id, ms: Date.now() - taskStarted, digests: d });
    } finally {
      finished = true;
    }
  });
  return { tasks: new Set(digests.map((d) => d.task)).size, stores: digests.length, records: digests.reduce((a, d) => a + d.records, 0), ms: Date.now() - started, digests };
}

/** Offsets in one changelog partition (records plus transaction markers): the restore's total. */
async function changelogSize(admin: Admin, topic: string, partition: number): Promise<number> {
  const offsets = await retryKafka(() => admin.fetchTopicOffsets(topic));
  const p = offsets.find((o) => o.partition === partition);
  return p ? Math.max(0, Number(p.high) - Number(p.low)) : 0;
}

async function remainingOf(app: string, task: string, store: string): Promise<number | undefined> {
  const m = await streamsMetrics.restoreRemaining.get();
  return m.values.find((v) => v.labels.app === app && v.labels.task === task && v.labels.store === store)?.value;
}
