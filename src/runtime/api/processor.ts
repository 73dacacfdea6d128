/**
 * The processor API (Kafka Streams' Processor / ProcessorContext, made async for Node).
 * A processor sees records, its context and its stores; never a Kafka client.
 */
import type { Logger } from '../../common/log.ts';
import type { KeyValueStore } from '../../stores/keyValueStore.ts';

/** An immutable record. Use withValue/withKey to derive a new one. */
export interface StreamRecord<V = unknown> {
  readonly key: string;
  readonly value: V;
  /** Milliseconds since the epoch: the input record's timestamp, or wall-clock time for punctuations. */
  readonly timestamp: number;
  readonly headers: Readonly<Record<string, string>>;
}

export function record<V>(key: string, value: V, timestamp: number, headers: Record<string, string> = {}): StreamRecord<V> {
  return Object.freeze({ key, value, timestamp, headers: Object.freeze({ ...headers }) });
}

export function withValue<V, W>(r: StreamRecord<V>, value: W): StreamRecord<W> {
  return record(r.key, value, r.timestamp, r.headers);
}

export function withKey<V>(r: StreamRecord<V>, key: string): StreamRecord<V> {
  return record(key, r.value, r.timestamp, r.headers);
}

/** Where a record came from; for audit links. */
export interface RecordOrigin {
  topic: string;
  partition: number;
  offset: string;
}

export interface ProcessorContext {
  readonly taskId: string;
  readonly partition: number;
  readonly log: Logger;
  /** Sends a record to every child (or only to the named child). */
  forward<V>(record: StreamRecord<V>, childName?: string): void;
  getStateStore<V>(name: string): KeyValueStore<V>;
  /** Calls `fn` every intervalMs of wall-clock time, inside the task's transaction. */
  schedule(intervalMs: number, fn: (nowMs: number) => Promise<void>): void;
  /** Wall-clock time from the runtime's injectable clock. */
  currentWallClockTime(): number;
  /** Origin of the input record being processed, when processing one. */
  recordOrigin(): RecordOrigin | null;
  /**
   * Puts a value this processor cannot handle on the dead-letter topic with the reason, inside the
   * task's transaction. For work outside process() (a punctuation's retry of a parked event), where
   * throwing would roll back the whole punctuation; process() throws instead. `origin`: the input
   * record it came from, when known (default: the record being processed).
   */
  deadLetter(reason: string, key: string, value: unknown, origin?: RecordOrigin | null): void;
}

export interface Processor<In = unknown> {
  init?(ctx: ProcessorContext): void | Promise<void>;
  process(record: StreamRecord<In>): Promise<void>;
  /**
   * A hint, for processors attached to a source: records with these keys (in this order) are
   * processed next. The processor may start async work for them (e.g. fetches) ahead of time;
   * processing must give the same result with or without the hint, and a failure of that work must
   * surface only as process() would have surfaced it anyway.
   */
  prefetch?(keys: readonly string[]): void;
  close?(): void | Promise<void>;
}

export type ProcessorSupplier<In = unknown> = () => Processor<In>;
