/**
 * The instance's RocksDB memory budget (IGA_STORE_MEMORY_MB), split evenly across the stores it
 * may open. Kafka Streams users share one block cache and one WriteBufferManager between all
 * stores of an instance; @nxtedition/rocksdb builds a cache per database and exposes no
 * WriteBufferManager, so the nearest honest equivalent is a fixed share per store, sized as if
 * every store were busy at once. A store that holds little uses less than its share (its
 * memtables fill only as it is written), so the budget is an upper bound, not a reservation.
 */

/** The binding's per-database sizes (option names of binding.cc). */
export interface RocksStoreSizes {
  /** Write buffers are a quarter of this; up to three are in memory in normal running (one active, two waiting for their flush). */
  memtableMemoryBudget: number;
  /** This store's own block cache. */
  cacheSize: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
/** Below 256 KiB write buffers a store flushes and compacts too often (CPU on the main thread's two cores). */
const MIN_MEMTABLE_BUDGET = 1 * MiB;
/** Above 64 MiB (16 MiB write buffers) a small store never flushes: all its data stays in memtables. */
const MAX_MEMTABLE_BUDGET = 64 * MiB;
const MIN_CACHE = 256 * KiB;
const MAX_CACHE = 8 * MiB;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Math.floor(v)));

/**
 * One store's sizes for `totalBytes` over `stores` stores: an eighth of the share for the block
 * cache (reads mostly hit the memtables or the OS page cache), the rest for three write buffers.
 * Clamped to sizes RocksDB works well with: a budget too small for its stores is exceeded.
 */
export function storeSizes(totalBytes: number, stores: number): RocksStoreSizes {
  const share = totalBytes / Math.max(1, stores);
  const cacheSize = clamp(share / 8, MIN_CACHE, MAX_CACHE);
  const memtableMemoryBudget = clamp(((share - cacheSize) * 4) / 3, MIN_MEMTABLE_BUDGET, MAX_MEMTABLE_BUDGET);
  return { memtableMemoryBudget, cacheSize };
}

/** Until the instance configures its budget (tests, tools): the sizes tuned before the budget existed. */
const UNCONFIGURED: RocksStoreSizes = { memtableMemoryBudget: 16 * MiB, cacheSize: 1 * MiB };
let current: RocksStoreSizes = UNCONFIGURED;

/** Sets the sizes of every store opened from now on (stores already open keep theirs). */
export function configureRocksMemory(totalBytes: number, stores: number): RocksStoreSizes {
  current = storeSizes(totalBytes, stores);
  return current;
}

export function currentStoreSizes(): RocksStoreSizes {
  return current;
}
