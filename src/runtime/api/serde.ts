/** Serialisation of record values to and from Kafka bytes. */
import { parseJsonValue } from '../../common/wireFormat.ts';

export interface Serde<T> {
  serialize(value: T): Buffer | null;
  deserialize(bytes: Buffer | null): T;
}

/**
 * JSON values; a null (tombstone) stays null. Reads a value in a schema registry's wire format too
 * (src/common/wireFormat.ts), so a topic can switch to registered schemas without losing its history.
 */
export function jsonSerde<T>(): Serde<T> {
  return {
    serialize: (v) => (v === null || v === undefined ? null : Buffer.from(JSON.stringify(v), 'utf8')),
    deserialize: (b) => (b === null ? (null as T) : (parseJsonValue(b) as T)),
  };
}
