/** An in-memory BytesStore for the topology test driver and for unit tests. */
import { inRange, type BytesStore, type KeyRange } from './bytesStore.ts';

export class MemoryBytesStore implements BytesStore {
  readonly name: string;
  private readonly data = new Map<string, Buffer>();

  constructor(name: string) {
    this.name = name;
  }

  async get(key: string): Promise<Buffer | undefined> {
    return this.data.get(key);
  }

  async *iterate(range: KeyRange = {}): AsyncIterable<[string, Buffer]> {
    const keys = [...this.data.keys()].filter((k) => inRange(k, range)).sort(compareUtf8);
    let n = 0;
    for (const k of keys) {
      if (range.limit !== undefined && n++ >= range.limit) return;
      yield [k, this.data.get(k)!];
    }
  }

  async write(entries: ReadonlyArray<readonly [string, Buffer | null]>): Promise<void> {
    for (const [k, v] of entries) {
      if (v === null) this.data.delete(k);
      else this.data.set(k, v);
    }
  }

  async applyRecords(records: ReadonlyArray<{ key: Buffer | null; value: Buffer | null }>): Promise<void> {
    await this.write(records.map((r) => [r.key?.toString('utf8') ?? '', r.value] as const));
  }

  async clear(): Promise<void> {
    this.data.clear();
  }

  async close(): Promise<void> {}
}

/** RocksDB orders keys by bytes; JS string comparison orders by UTF-16 units. They agree for BMP text except surrogates; compare bytes to be exact. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
