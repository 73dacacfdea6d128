/** Record values as plain JSON or in a schema registry's wire format (src/common/wireFormat.ts). */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { frameValue, jsonPayloadOf, parseJsonValue, schemaIdOf } from '../../src/common/wireFormat.ts';

test('a framed value is the magic byte 0, the schema id big-endian, then the JSON', () => {
  const framed = frameValue(0x01020304, Buffer.from('{"a":1}'));
  assert.deepEqual([...framed.subarray(0, 5)], [0, 1, 2, 3, 4]);
  assert.equal(framed.subarray(5).toString(), '{"a":1}');
  assert.equal(schemaIdOf(framed), 0x01020304);
  assert.deepEqual(parseJsonValue(framed), { a: 1 });
});

test('plain JSON is read as it is, and has no schema id', () => {
  const plain = Buffer.from('{"a":[1,2]}');
  assert.equal(schemaIdOf(plain), null);
  assert.equal(jsonPayloadOf(plain), plain);
  assert.deepEqual(parseJsonValue(plain), { a: [1, 2] });
  assert.deepEqual(parseJsonValue(Buffer.from(' "x"')), 'x');
});

test('a schema id that does not fit in the header is refused; broken JSON still throws', () => {
  assert.throws(() => frameValue(-1, Buffer.from('{}')), RangeError);
  assert.throws(() => frameValue(2 ** 31, Buffer.from('{}')), RangeError);
  assert.throws(() => parseJsonValue(frameValue(1, Buffer.from('{nope'))), SyntaxError);
  assert.throws(() => parseJsonValue(Buffer.from([0, 0, 0])), SyntaxError, 'too short for a header: not a framed value, and no JSON');
});
