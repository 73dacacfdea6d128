/**
 * Kafka record values as JSON, plain or in the Confluent wire format that a schema registry's
 * serializers write: a magic byte 0, the schema id (4 bytes, big-endian), then the JSON itself.
 * Plain JSON never starts with byte 0 (a JSON text starts with `{`, `[`, a quote, a digit, a letter
 * or whitespace), so one reader takes both — a topic keeps its plain history after the registry is
 * switched on. See README "Schema registry".
 */

/** The first byte of a wire-format value. */
export const WIRE_MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

/** Puts the wire-format header (magic byte, schema id) in front of `payload`. */
export function frameValue(schemaId: number, payload: Buffer): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) throw new RangeError(`not a schema id: ${schemaId}`);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(WIRE_MAGIC_BYTE, 0);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, payload]);
}

/** The schema id of a wire-format value, or null for a plain one. */
export function schemaIdOf(value: Buffer): number | null {
  return value.length >= HEADER_BYTES && value[0] === WIRE_MAGIC_BYTE ? value.readInt32BE(1) : null;
}

/** The JSON bytes of a value, its wire-format header (if any) taken off. */
export function jsonPayloadOf(value: Buffer): Buffer {
  return schemaIdOf(value) === null ? value : value.subarray(HEADER_BYTES);
}

/**
 * Parses a record value written as plain JSON or in the wire format; the schema id is not looked up
 * (our readers check values against their contracts themselves).
 * @throws SyntaxError when the JSON is not JSON.
 */
export function parseJsonValue(value: Buffer): unknown {
  return JSON.parse(jsonPayloadOf(value).toString('utf8'));
}
