import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { boundedText, checkJsonLimits, type JsonLimits } from '../../src/common/jsonLimits.ts';

const limits: JsonLimits = { maxBytes: 10_000, maxDepth: 4, maxStringBytes: 20, maxArrayItems: 5, maxObjectKeys: 3 };
const check = (text: string, l: JsonLimits = limits) => checkJsonLimits(Buffer.from(text), l);
const refused = (text: string, pattern: RegExp, l: JsonLimits = limits) => {
  const r = check(text, l);
  assert.equal(r.ok, false, `expected ${text.slice(0, 60)} to be refused`);
  assert.match((r as { reason: string }).reason, pattern);
};

/** Depth, longest string, largest array and largest object of a parsed JSON value (test oracle, recursive on purpose). */
function shape(v: unknown, depth = 0): { depth: number; str: number; arr: number; keys: number } {
  if (typeof v === 'string') return { depth, str: Buffer.byteLength(JSON.stringify(v)) - 2, arr: 0, keys: 0 };
  if (v === null || typeof v !== 'object') return { depth, str: 0, arr: 0, keys: 0 };
  const entries = Array.isArray(v) ? v.map((x) => ['', x] as const) : Object.entries(v);
  const parts = entries.map(([k, x]) => {
    const s = shape(x, depth + 1);
    return { ...s, str: Math.max(s.str, Array.isArray(v) ? 0 : Buffer.byteLength(JSON.stringify(k)) - 2) };
  });
  return {
    depth: Math.max(depth + 1, ...parts.map((p) => p.depth)),
    str: Math.max(0, ...parts.map((p) => p.str)),
    arr: Math.max(Array.isArray(v) ? v.length : 0, ...parts.map((p) => p.arr)),
    keys: Math.max(Array.isArray(v) ? 0 : entries.length, ...parts.map((p) => p.keys)),
  };
}

describe('checkJsonLimits', () => {
  test('a DFØ notification passes', () => {
    assert.deepEqual(check('{"id":"00101926","uri":"dfo:ansatte","gyldigEtter":"20240101"}', { ...limits, maxObjectKeys: 4 }), { ok: true });
  });
  test('size is checked first', () => refused('{"id":1}'.padEnd(10_001, ' '), /10001 bytes, more than the limit of 10000/));
  test('depth: four levels pass, five do not; 10,000 levels are refused without a stack overflow', () => {
    assert.deepEqual(check('[[[[1]]]]'), { ok: true });
    refused('[[[[[1]]]]]', /nested deeper than 4 levels \(at byte 4\)/);
    refused(`{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`, /nested deeper than 4/, { ...limits, maxBytes: 100_000 });
  });
  test('brackets, braces and commas inside strings do not count, escaped quotes do not end a string', () => {
    assert.deepEqual(check('{"a":"[[[[[,,,,,,{{{{"}'), { ok: true });
    assert.deepEqual(check('{"a":"x\\"[[[[[[\\"y"}'), { ok: true });
    refused('{"a":"\\\\","b":[[[[[1]]]]]}', /nested deeper/); // an escaped backslash does end the escape
  });
  test('string length counts keys and values, in bytes', () => {
    assert.deepEqual(check(`{"a":"${'x'.repeat(20)}"}`), { ok: true });
    refused(`{"a":"${'x'.repeat(21)}"}`, /a string of 21 bytes at byte 5/);
    refused(`{"${'k'.repeat(21)}":1}`, /a string of 21 bytes/);
    refused(`{"a":"${'ø'.repeat(11)}"}`, /a string of 22 bytes/);
    refused(`{"a":"${'x'.repeat(30)}`, /more than 20 bytes/); // unterminated
  });
  test('array items and object keys', () => {
    assert.deepEqual(check('[1,2,3,4,5]'), { ok: true });
    refused('[1,2,3,4,5,6]', /more than 5 elements/);
    assert.deepEqual(check('{"a":1,"b":2,"c":[1,2,3,4,5]}'), { ok: true });
    refused('{"a":1,"b":2,"c":3,"d":4}', /more than 3 keys/);
    refused('[[1,2],[1,2,3,4,5,6]]', /more than 5 elements/);
  });
  test('property: the verdict agrees with the parsed shape of any JSON value', () => {
    fc.assert(fc.property(fc.json({ maxDepth: 6 }), (text) => {
      const s = shape(JSON.parse(text));
      const within = s.depth <= limits.maxDepth && s.str <= limits.maxStringBytes && s.arr <= limits.maxArrayItems && s.keys <= limits.maxObjectKeys;
      assert.equal(check(text).ok, within, text);
    }), { numRuns: 2000 });
  });
  test('property: never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => void checkJsonLimits(bytes, limits)));
  });
});

describe('boundedText', () => {
  test('short text is kept, long text is cut with a count', () => {
    assert.equal(boundedText('abc', 3), 'abc');
    assert.equal(boundedText('abcdef', 3), 'abc… (3 more characters)');
  });
});
