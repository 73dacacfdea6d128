/**
 * The store interface processors see (Kafka Streams' KeyValueStore): string keys, JSON values.
 * Writes are buffered until the task commits; reads see the task's own uncommitted writes.
 */
import type { KeyRange } from './bytesStore.ts';

export type { KeyRange };

export interface ReadOnlyKeyValueStore<V> {
  readonly name: string;
  /** undefined when absent. */
  get(key: string): Promise<V | undefined>;
  /** Entries in key order, the task's pending writes merged in. */
  range(range?: KeyRange): AsyncIterable<[string, V]>;
}

export interface KeyValueStore<V> extends ReadOnlyKeyValueStore<V> {
  /** Whether `key` has a value: a get without decoding it. */
  has(key: string): Promise<boolean>;
  put(key: string, value: V): void;
  delete(key: string): void;
}

/** Every key that starts with `prefix`. */
export function prefixRange(prefix: string): KeyRange {
  return { gte: prefix, lt: prefix + '\uffff' };
}
