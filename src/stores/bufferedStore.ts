/**
 * A task's store: a write buffer (Kafka Streams' record cache) over a BytesStore.
 *
 * Puts and deletes stay in the buffer until the task commits. `takePending()` hands the runtime
 * the changelog records for the transaction; `applyCommitted()` writes them to the BytesStore only
 * after the transaction committed, and `discardPending()` drops them when it aborted. So the local
 * store only ever holds committed state and cannot diverge from its changelog.
 */
import type { BytesStore } from './bytesStore.ts';
import type { KeyRange, KeyValueStore } from './keyValueStore.ts';
import { inRange, } from './bytesStore.ts';
import { compareUtf8 } from './memoryBytesStore.ts';

export type PendingWrite = readonly [key: string, value: Buffer | null];

export class BufferedStore<V> implements KeyValueStore<V> {
  readonly name: string;
  readonly bytes: BytesStore;
  private buffer = new Map<string, Buffer | null>();
  /** Writes taken for the running commit; still visible to reads until applied or discarded. */
  private inCommit = new Map<string, Buffer | null>();

  constructor(bytes: BytesStore) {
    this.name = bytes.name;
    this.bytes = bytes;
  }

  async get(key: string): Promise<V | undefined> {
    const v = this.buffer.has(key) ? this.buffer.get(key) : this.inCommit.has(key) ? this.inCommit.get(key) : await this.bytes.get(key);
    return v == null ? undefined : (JSON.parse(v.toString('utf8')) as V);
  }

  async has(key: string): Promise<boolean> {
    const v = this.buffer.has(key) ? this.buffer.get(key) : this.inCommit.has(key) ? this.inCommit.get(key) : await this.bytes.get(key);
    return v != null;
  }

  put(key: string, value: V): void {
    this.buffer.set(key, Buffer.from(JSON.stringify(value), 'utf8'));
  }

  delete(key: string): void {
    this.buffer.set(key, null);
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
    await this.bytes.write([...this.inCommit]);
    this.inCommit = new Map();
  }

  /** The transaction aborted: forget every uncommitted write. */
  discardPending(): void {
    this.inCommit = new Map();
    this.buffer = new Map();
  }
}
