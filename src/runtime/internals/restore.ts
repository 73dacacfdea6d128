/**
 * Restores one store from its changelog partition: reads committed records from `from` up to the
 * end of committed data, writing them in batches to the local store. Logs progress every few
 * seconds and reports it through `onProgress` (exported as metrics by the caller).
 *
 * With `settleMs` (exactly-once v2) it first waits until no transaction is open on the partition:
 * nothing fences the previous owner's producer there, and a transaction of it whose offsets just
 * became stable may not have its commit marker on this partition yet.
 */
import type { Logger } from '../../common/log.ts';
import type { BytesStore } from '../../stores/bytesStore.ts';
import type { PartitionReader } from '../kafka/partitionReader.ts';

export interface RestoreProgress { store: string; taskId: string; restored: number; remaining: number; done: boolean }

export async function restoreStore(args: {
  reader: PartitionReader;
  topic: string;
  partition: number;
  from: bigint;
  store: BytesStore;
  taskId: string;
  log: Logger;
  onProgress?: (p: RestoreProgress) => void;
  settleMs?: number;
}): Promise<bigint> {
  const { reader, topic, partition, store, taskId, log } = args;
  let offset = args.from;
  let first = await reader.fetch(topic, partition, offset);
  if (args.settleMs !== undefined) {
    const until = Date.now() + args.settleMs;
    while (first.lastStableOffset < first.highWatermark) {
      if (Date.now() > until) throw new Error(`a transaction is still open on ${topic}[${partition}] after ${args.settleMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
      first = await reader.fetch(topic, partition, offset);
    }
  }
  const end = first.lastStableOffset;
  if (offset >= end) return offset;
  let restored = 0;
  let lastLog = Date.now();
  const started = Date.now();
  log.info({ store: store.name, topic, partition, from: offset.toString(), end: end.toString() }, 'restoring store from changelog');
  let res: typeof first | null = first;
  let emptyFetches = 0;
  // The next fetch is in flight while a batch is written: the broker and the network work while
  // RocksDB does (a restore is otherwise a strict fetch → decode → write → fetch sequence).
  let ahead: Promise<typeof first> | null = null;
  while (offset < end) {
    const r = res ?? (await (ahead ?? reader.fetch(topic, partition, offset, { maxWaitMs: 100 })));
    res = null;
    ahead = null;
    if (r.nextOffset === offset) {
      if (++emptyFetches > 50) throw new Error(`restore of ${topic}[${partition}] stalled at ${offset} (end ${end})`);
      continue;
    }
    emptyFetches = 0;
    if (r.nextOffset < end) {
      ahead = reader.fetch(topic, partition, r.nextOffset, { maxWaitMs: 100 });
      ahead.catch(() => undefined); // awaited on the next turn; a failure surfaces there
    }
    await store.applyRecords(r.records);
    restored += r.records.length;
    offset = r.nextOffset;
    const remaining = Number(end > offset ? end - offset : 0n);
    args.onProgress?.({ store: store.name, taskId, restored, remaining, done: false });
    if (Date.now() - lastLog > 2000) {
      lastLog = Date.now();
      log.info({ store: store.name, taskId, restored, remaining }, 'restore progress');
    }
  }
  args.onProgress?.({ store: store.name, taskId, restored, remaining: 0, done: true });
  log.info({ store: store.name, taskId, restored, ms: Date.now() - started }, 'store restored');
  return offset;
}
