/**
 * A task's store: a write buffer (Kafka Streams' record cache) over a BytesStore.
 *
 * Puts and deletes stay in the buffer until the task commits. `takePending()` hands the runtime
 * the changelog records for the transaction; `applyCommitted()` writes them to the BytesStore only
 * after the transaction committed, and `discardPending()` drops them when it aborted. So the local
 * store only ever holds committed state and cannot diverge from its changelog.
 *
 * A put that would not change anything is no changelog record: processors read before they write,
 * so the bytes read from the BytesStore since the last commit are kept, and a put (or delete) of a
 * key with nothing pending whose encoded value equals them is dropped. What the store holds and
 * what its changelog says stay the same; the changelog only loses records that repeated its last
 * value for the key. A read that started before the last commit applied or was discarded is not
 * kept (its bytes may be older than the store's). This relies on the BytesStore being written only
 * through this class while the task runs (restore writes it before).
 */
import type { BytesStore } from './bytesStore.ts';
import type { KeyRange, KeyValueStore } from './keyValueStore.ts';
import { inRange, } from './bytesStore.ts';
import { compareUtf8 } from './memoryBytesStore.ts';

/** Most committed reads kept at once per store (a punctuation that reads much and writes nothing commits nothing). */
export const MAX_KEPT_READS = 4096;

export type PendingWrite = readonly [key: string, value: Buffer | null];

export interface BufferedStoreOptions {
  /** Called for each put or delete dropped because it equals what the store holds (for a metric). */
  onUnchangedWrite?: () => void;
}

export class BufferedStore<V> implements KeyValueStore<V> {
  readonly name: string;
  readonly bytes: BytesStore;
  private buffer = new Map<string, Buffer | null>();
  /** Writes taken for the running commit; still visible to reads until applied or discarded. */
  private inCommit = new Map<string, Buffer | null>();
  /** Committed bytes read since the last commit applied (null: absent), to drop writes that change nothing. */
  private read = new Map<string, Buffer | null>();
  /** Bumped whenever the committed state may change: a read begun before is not kept. */
  private generation = 0;
  private readonly onUnchangedWrite: (() => void) | undefined;
  /** Puts and deletes dropped as unchanged since this store was opened. */
  unchangedWrites = 0;

  constructor(bytes: BytesStore, opts: BufferedStoreOptions = {}) {
    this.name = bytes.name;
    this.bytes = bytes;
    this.onUnchangedWrite = opts.onUnchangedWrite;
  }

  async get(key: string): Promise<V | undefined> {
    const v = await this.current(key);
    return v == null ? undefined : (JSON.parse(v.toString('utf8')) as V);
  }

  async has(key: string): Promise<boolean> {
    return (await this.current(key)) != null;
  }

  put(key: string, value: V): void {
    this.write(key, Buffer.from(JSON.stringify(value), 'utf8'));
  }

  delete(key: string): void {
    this.write(key, null);
  }

  /** The key's bytes as the task sees them: its pending writes, else the committed bytes (kept in `read`). */
  private async current(key: string): Promise<Buffer | null | undefined> {
    if (this.buffer.has(key)) return this.buffer.get(key);
    if (this.inCommit.has(key)) return this.inCommit.get(key);
    if (this.read.has(key)) return this.read.get(key);
    const generation = this.generation;
    const v = await this.bytes.get(key);
    if (generation === this.generation) {
      if (this.read.size >= MAX_KEPT_READS) this.read.clear();
      this.read.set(key, v ?? null);
    }
    return v;
  }

  private write(key: string, value: Buffer | null): void {
    if (!this.buffer.has(key) && !this.inCommit.has(key) && this.read.has(key) && sameBytes(this.read.get(key)!, value)) {
      this.unchangedWrites++;
      this.onUnchangedWrite?.();
      return;
    }
    this.buffer.set(key, value);
  }

  async *range(range: KeyRange = {}): AsyncIterable<[string, V]> {
    const overlay = new Map([...this.inCommit, ...this.buffer]);
    const pendingKeys = [...overlay.keys()].filter((k) => inRange(k, range)).sort(compareUtf8);
    const { limit, ...bounds } = range;
    let n = 0;
    let i = 0;
    const emit = (k: string, v: Buffer | null): [string, V] | undefined =>
      v === null ? undefined : [k, JSON.parse(v.toString('utf8')) as V];
    for await (const [k, v] of this.bytes.iterate(bounds)) {
      while (i < pendingKeys.length && compareUtf8(pendingKeys[i]!, k) < 0) {
        const e = emit(pendingKeys[i]!, overlay.get(pendingKeys[i]!)!);
        i++;
        if (e) { if (limit !== undefined && n >= limit) return; n++; yield e; }
      }
      const e = overlay.has(k) ? emit(k, overlay.get(k)!) : emit(k, v);
      if (overlay.has(k) && pendingKeys[i] === k) i++;
      if (e) { if (limit !== undefined && n >= limit) return; n++; yield e; }
    }
    for (; i < pendingKeys.length; i++) {
      const e = emit(pendingKeys[i]!, overlay.get(pendingKeys[i]!)!);
      if (e) { if (limit !== undefined && n >= limit) return; n++; yield e; }
    }
  }

  get hasPending(): boolean {
    return this.buffer.size > 0;
  }

  /** Moves the buffered writes into the commit being prepared and returns them (changelog records). */
  takePending(): PendingWrite[] {
    for (const [k, v] of this.buffer) this.inCommit.set(k, v);
    this.buffer = new Map();
    return [...this.inCommit];
  }

  /** The transaction committed: persist the writes it carried. */
  async applyCommitted(): Promise<void> {
    this.forgetReads();
    await this.bytes.write([...this.inCommit]);
    this.inCommit = new Map();
  }

  /** The transaction aborted: forget every uncommitted write. */
  discardPending(): void {
    this.forgetReads();
    this.inCommit = new Map();
    this.buffer = new Map();
  }

  /** Keeps the read bytes to one commit's worth (memory), and none across a change of the committed state. */
  private forgetReads(): void {
    this.generation++;
    this.read = new Map();
  }
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  return a === null || b === null ? a === b : a.equals(b);
}
