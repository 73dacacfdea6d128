import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chunkOutputs, recordBytes } from '../../src/runtime/internals/sendChunks.ts';
import type { OutputRecord } from '../../src/runtime/internals/task.ts';

const rec = (topic: string, key: string, bytes: number): OutputRecord => ({ topic, key, value: Buffer.alloc(bytes), headers: {}, timestamp: 0 });

test('a commit larger than one request is split into requests the broker accepts, in order', () => {
  const outputs = Array.from({ length: 3000 }, (_, i) => rec(i % 2 ? 'audit' : 'accounts', `k${i}`, 900));
  const chunks = chunkOutputs(outputs, 512 * 1024);
  assert.ok(chunks.length >= 5, `3000 × ~1 KB needs several requests, got ${chunks.length}`);
  for (const c of chunks) assert.ok(c.reduce((n, o) => n + recordBytes(o), 0) <= 512 * 1024);
  assert.deepEqual(chunks.flat(), outputs, 'every record once, in the original order');
});

test('a single record over the limit travels alone; an empty commit has no request', () => {
  const big = rec('audit', 'big', 2_000_000);
  const chunks = chunkOutputs([rec('a', '1', 10), big, rec('a', '2', 10)], 1024);
  assert.deepEqual(chunks.map((c) => c.map((o) => o.key)), [['1'], ['big'], ['2']]);
  assert.deepEqual(chunkOutputs([]), []);
});

test('property: chunks keep order, lose nothing and stay within the limit unless one record alone exceeds it', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 200 }), fc.integer({ min: 100, max: 20_000 }), (sizes, limit) => {
    const outputs = sizes.map((s, i) => rec('t', String(i), s));
    const chunks = chunkOutputs(outputs, limit);
    assert.deepEqual(chunks.flat(), outputs);
    for (const c of chunks) {
      assert.ok(c.length > 0);
      if (c.length > 1) assert.ok(c.reduce((n, o) => n + recordBytes(o), 0) <= limit);
    }
  }));
});
