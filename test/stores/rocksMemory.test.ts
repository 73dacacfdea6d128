/**
 * The instance's RocksDB budget split per store (pure), and RocksDB's own account of its memory
 * over the open stores (what iga_rocksdb_memory_bytes reports), on real databases.
 */
import { afterAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RocksBytesStore, rocksMemory } from '../../src/stores/rocksBytesStore.ts';
import { storeSizes } from '../../src/stores/rocksMemoryBudget.ts';

const MiB = 1024 * 1024;

describe('storeSizes', () => {
  test('splits the budget: an eighth of a store share for its cache, three write buffers in the rest', () => {
    const s = storeSizes(128 * MiB, 64); // 2 MiB a store
    assert.equal(s.cacheSize, 256 * 1024);
    assert.equal(s.memtableMemoryBudget, Math.floor(((2 * MiB - 256 * 1024) * 4) / 3));
    // What a store may hold in normal running stays within its share.
    assert.ok(s.cacheSize + (3 * s.memtableMemoryBudget) / 4 <= 2 * MiB);
  });

  test('more stores, smaller shares; clamped to sizes RocksDB works with', () => {
    const few = storeSizes(128 * MiB, 8);
    const many = storeSizes(128 * MiB, 62);
    assert.ok(many.memtableMemoryBudget < few.memtableMemoryBudget && many.cacheSize < few.cacheSize);
    assert.deepEqual(storeSizes(8 * MiB, 1000), { memtableMemoryBudget: 1 * MiB, cacheSize: 256 * 1024 });
    assert.deepEqual(storeSizes(64 * 1024 * MiB, 1), { memtableMemoryBudget: 64 * MiB, cacheSize: 8 * MiB });
    assert.deepEqual(storeSizes(128 * MiB, 0), storeSizes(128 * MiB, 1));
  });
});

describe('rocksMemory', () => {
  const dirs: string[] = [];
  afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  test('counts the open stores and their memtables; a closed store no longer counts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iga-rocks-memory-'));
    dirs.push(dir);
    const before = rocksMemory();
    const store = await RocksBytesStore.open('m', join(dir, 'm'));
    const value = Buffer.alloc(1000, 1);
    for (let i = 0; i < 10; i++) await store.write(Array.from({ length: 100 }, (_, k) => [`k${i}-${k}`, value] as const));
    const open = rocksMemory();
    assert.equal(open.stores, before.stores + 1);
    assert.ok(open.memtables - before.memtables >= 1_000_000, `memtables grew by ${open.memtables - before.memtables} bytes for 1 MB written`);
    // The reused batch wrote every write, the first and the last.
    assert.equal((await store.get('k0-0'))?.length, 1000);
    assert.equal((await store.get('k9-99'))?.length, 1000);
    await store.close();
    assert.equal(rocksMemory().stores, before.stores);
  });
});
