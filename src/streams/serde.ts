/** Serialisation of record values to and from Kafka bytes. */
export interface Serde<T> {
  serialize(value: T): Buffer | null;
  deserialize(bytes: Buffer | null): T;
}

/** JSON values; a null (tombstone) stays null. */
export function jsonSerde<T>(): Serde<T> {
  return {
    serialize: (v) => (v === null || v === undefined ? null : Buffer.from(JSON.stringify(v), 'utf8')),
    deserialize: (b) => (b === null ? (null as T) : (JSON.parse(b.toString('utf8')) as T)),
  };
}
