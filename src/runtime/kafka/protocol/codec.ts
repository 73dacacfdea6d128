/**
 * KafkaJS 2.2.4's own byte codec (its Encoder and Decoder) and error table, typed for the request
 * versions this folder adds, plus what "flexible" versions (KIP-482) need on top: the tag buffer
 * after each structure, and skipping tagged fields a broker may add. KafkaJS's connection writes
 * the request header v1 and reads the response's correlation id only; a flexible request starts
 * its body with the header's empty tag buffer and its response decoder skips the response header's
 * tag buffer first, which is how KafkaJS's own flexible requests (AlterPartitionReassignments) do it.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The part of KafkaJS's Encoder these requests use. */
export interface Encoder {
  buffer: Buffer;
  writeInt8(v: number): Encoder;
  writeInt16(v: number): Encoder;
  writeInt32(v: number): Encoder;
  writeInt64(v: bigint | number | string): Encoder;
  writeBoolean(v: boolean): Encoder;
  writeUVarInt(v: number): Encoder;
  /** COMPACT_NULLABLE_STRING (null → length 0). */
  writeUVarIntString(v: string | null): Encoder;
  writeEncoder(e: Encoder): Encoder;
}

/** The part of KafkaJS's Decoder these responses use. */
export interface Decoder {
  readInt8(): number;
  readInt16(): number;
  readInt32(): number;
  readInt64(): { toString(): string };
  readUVarInt(): number;
  /** COMPACT_NULLABLE_STRING (length 0 → null). */
  readUVarIntString(): string | null;
  canReadBytes(n: number): boolean;
  offset: number;
}

const EncoderClass = require('kafkajs/src/protocol/encoder.js') as new () => Encoder;
const DecoderClass = require('kafkajs/src/protocol/decoder.js') as new (b: Buffer) => Decoder;
const errors = require('kafkajs/src/protocol/error.js') as { failure(code: number): boolean; createErrorFromCode(code: number): Error };

export const newEncoder = (): Encoder => new EncoderClass();
export const newDecoder = (b: Buffer): Decoder => new DecoderClass(b);
export const { failure, createErrorFromCode } = errors;

/** An empty tag buffer (no tagged fields). */
export function writeTags(e: Encoder): Encoder {
  return e.writeUVarInt(0);
}

/** COMPACT_ARRAY of already encoded elements; null → length 0. */
export function writeCompactArray<T>(e: Encoder, items: readonly T[] | null, encode: (item: T) => Encoder): Encoder {
  if (items === null) return e.writeUVarInt(0);
  e.writeUVarInt(items.length + 1);
  for (const item of items) e.writeEncoder(encode(item));
  return e;
}

/** Skips a tag buffer: a count, then per field its tag, its size and that many bytes. */
export function skipTags(d: Decoder): void {
  const count = d.readUVarInt();
  for (let i = 0; i < count; i++) {
    d.readUVarInt(); // tag
    const size = d.readUVarInt();
    if (!d.canReadBytes(size)) throw new Error('truncated tagged field in a Kafka response');
    d.offset += size;
  }
}

/** COMPACT_ARRAY; a null array (length 0) reads as empty. */
export function readCompactArray<T>(d: Decoder, read: (d: Decoder) => T): T[] {
  const n = d.readUVarInt();
  const out: T[] = [];
  for (let i = 0; i < n - 1; i++) out.push(read(d));
  return out;
}
