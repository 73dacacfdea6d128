/**
 * bench/heap.ts reads a real V8 heap snapshot: a child process keeps 10,000 objects of one class
 * and a large string, writes a snapshot, and the summary finds them with their sizes.
 */
import { expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kindOf, summariseHeapSnapshot, formatHeapSummary } from '../../bench/lib/heapSnapshot.ts';

test('a heap snapshot is summarised by constructor, with counts and self sizes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'heap-test-'));
  try {
    const file = join(dir, 'child.heapsnapshot');
    const program = `
      class HeapMarker { constructor(i) { this.i = i; this.j = i + 1; } }
      globalThis.kept = Array.from({ length: 10000 }, (_, i) => new HeapMarker(i));
      globalThis.big = Buffer.alloc(3 * 1024 * 1024, 'x').toString('latin1');
      require('node:v8').writeHeapSnapshot(${JSON.stringify(file)});`;
    execFileSync(process.execPath, ['-e', program]);
    const summary = summariseHeapSnapshot(readFileSync(file), 200);
    const marker = summary.byKind.find((k) => k.kind === 'HeapMarker');
    expect(marker?.count).toBe(10000);
    expect(marker!.bytes).toBeGreaterThanOrEqual(10000 * 16);
    const strings = summary.byKind.find((k) => k.kind === '(string)');
    expect(strings!.bytes).toBeGreaterThan(3 * 1024 * 1024);
    expect(summary.totalBytes).toBe(summary.byType.reduce((s, t) => s + t.bytes, 0));
    expect(formatHeapSummary(summary)).toMatch(/\| HeapMarker \| 10,000 \|/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kinds: constructors by name, strings together, closures and arrays by their name', () => {
  expect(kindOf('object', 'Map')).toBe('Map');
  expect(kindOf('sliced string', 'abc')).toBe('(string)');
  expect(kindOf('closure', 'handle')).toBe('(closure) handle');
  expect(kindOf('array', '(object elements)')).toBe('(array) (object elements)');
  expect(kindOf('code', 'x')).toBe('(code)');
});

test('a file that is not a heap snapshot is refused with a clear error', () => {
  expect(() => summariseHeapSnapshot(Buffer.from('{"nodes":[1,2]}'))).toThrow(/not a V8 heap snapshot/);
});
