/**
 * The persistent layer under every state store: string keys, byte values, ordered iteration,
 * atomic batches. RocksDB in production; in memory for the test driver. Only committed state is
 * ever written here (see bufferedStore.ts), so it never runs ahead of its changelog.
 */
export interface KeyRange {
  gte?: string;
  gt?: string;
  lte?: string;
  lt?: string;
  limit?: number;
}

export interface BytesStore {
  readonly name: string;
  /** undefined when the key is absent. */
  get(key: string): Promise<Buffer | undefined>;
  /** Entries in key order (UTF-8 byte order). */
  iterate(range?: KeyRange): AsyncIterable<[string, Buffer]>;
  /** Applies puts (Buffer) and deletes (null) atomically. */
  write(entries: ReadonlyArray<readonly [string, Buffer | null]>): Promise<void>;
  /**
   * Applies changelog records in order, atomically: the key's UTF-8 bytes as written (a null key
   * is the empty key), a null value deletes. What restore writes; equal to `write` with the keys
   * decoded, without decoding and re-encoding every key.
   */
  applyRecords(records: ReadonlyArray<{ key: Buffer | null; value: Buffer | null }>): Promise<void>;
  /** Deletes every entry. */
  clear(): Promise<void>;
  close(): Promise<void>;
}

export function inRange(key: string, r: KeyRange): boolean {
  if (r.gte !== undefined && key < r.gte) return false;
  if (r.gt !== undefined && key <= r.gt) return false;
  if (r.lte !== undefined && key > r.lte) return false;
  if (r.lt !== undefined && key >= r.lt) return false;
  return true;
}
