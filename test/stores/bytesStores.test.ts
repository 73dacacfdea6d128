/**
 * The BytesStore contract, run against both implementations (RocksDB on a temporary folder and
 * memory), and the BufferedStore's commit semantics on top of RocksDB.
 */
import { afterAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BytesStore } from '../../src/stores/bytesStore.ts';
import { BufferedStore } from '../../src/stores/bufferedStore.ts';
import { MemoryBytesStore } from '../../src/stores/memoryBytesStore.ts';
import { RocksBytesStore } from '../../src/stores/rocksBytesStore.ts';

const dirs: string[] = [];
afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });
async function rocks(name = 's'): Promise<RocksBytesStore> {
  const dir = await mkdtemp(join(tmpdir(), 'iga-store-'));
  dirs.push(dir);
  return RocksBytesStore.open(name, join(dir, name));
}
const b = (s: string) => Buffer.from(s, 'utf8');
const keys = async (s: BytesStore, range = {}) => { const out: string[] = []; for await (const [k] of s.iterate(range)) out.push(k); return out; };

for (const [kind, make] of [['RocksDB', rocks], ['memory', async () => new MemoryBytesStore('s')]] as const) {
  describe(`${kind} bytes store`, () => {
    test('get, batch put/delete, ordered range iteration by UTF-8 bytes', async () => {
      const s = await make();
      assert.equal(await s.get('missing'), undefined);
      await s.write([['b', b('2')], ['a', b('1')], ['æ', b('æ')], ['c|1', b('c1')], ['c|2', b('c2')], ['z', null]]);
      assert.deepEqual(await s.get('æ'), b('æ'));
      assert.deepEqual(await keys(s), ['a', 'b', 'c|1', 'c|2', 'æ'], 'æ (U+00E6) sorts after ASCII');
      assert.deepEqual(await keys(s, { gte: 'c|', lt: 'c|\uffff' }), ['c|1', 'c|2']);
      assert.deepEqual(await keys(s, { gt: 'a', lte: 'c|1' }), ['b', 'c|1']);
      assert.deepEqual(await keys(s, { limit: 2 }), ['a', 'b']);
      await s.write([['b', null]]);
      assert.equal(await s.get('b'), undefined);
      await s.close();
    });

    test('clear empties the store, and is harmless on an empty one', async () => {
      const s = await make();
      await s.clear();
      assert.deepEqual(await keys(s), []);
      await s.write([['a', b('1')], ['b', b('2')]]);
      await s.clear();
      assert.deepEqual(await keys(s), []);
      assert.equal(await s.get('a'), undefined);
      await s.close();
    });

    test('applyRecords applies changelog records in order: later ones win, null deletes, a null key is the empty key', async () => {
      const s = await make();
      await s.write([['gone', b('0')]]);
      await s.applyRecords([
        { key: b('k'), value: b('1') }, { key: b('æ|1'), value: b('æ') }, { key: b('k'), value: b('2') },
        { key: b('gone'), value: null }, { key: null, value: b('empty') }, { key: b('tmp'), value: b('x') }, { key: b('tmp'), value: null },
      ]);
      assert.deepEqual(await keys(s), ['', 'k', 'æ|1']);
      assert.deepEqual(await s.get('k'), b('2'));
      assert.deepEqual(await s.get('æ|1'), b('æ'));
      assert.deepEqual(await s.get(''), b('empty'));
      await s.applyRecords([]);
      await s.close();
    });

    test('binary values round-trip byte for byte', async () => {
      const s = await make();
      const value = Buffer.from([0, 255, 1, 254, 0, 0]);
      await s.write([['bin', value]]);
      assert.deepEqual(await s.get('bin'), value);
      await s.close();
    });
  });
}

test('RocksDB keeps its data across close and reopen', async () => {
  const s = await rocks('persist');
  await s.write([['k', b('v')]]);
  await s.close();
  const again = await RocksBytesStore.open('persist', s.dir);
  assert.deepEqual(await again.get('k'), b('v'));
  await again.close();
});

test('RocksDB refuses writes after close instead of reaching the closed native handle', async () => {
  const s = await rocks('closed');
  await s.close();
  await assert.rejects(s.write([['k', b('v')]]), /not open/);
  await assert.rejects(s.applyRecords([{ key: b('k'), value: b('v') }]), /not open/);
});

test('BufferedStore: writes are visible at once but reach RocksDB only after the commit is applied', async () => {
  const bytes = await rocks('buffered');
  const store = new BufferedStore<{ n: number }>(bytes);
  store.put('a', { n: 1 });
  assert.deepEqual(await store.get('a'), { n: 1 });
  assert.equal(await bytes.get('a'), undefined, 'not in RocksDB before the commit');
  const pending = store.takePending();
  assert.deepEqual(pending.map(([k]) => k), ['a']);
  store.put('b', { n: 2 });
  assert.deepEqual(await store.get('a'), { n: 1 }, 'still visible while the commit runs');
  await store.applyCommitted();
  assert.deepEqual(JSON.parse(String(await bytes.get('a'))), { n: 1 });
  assert.equal(await bytes.get('b'), undefined, 'b belongs to the next commit');
  store.discardPending();
  assert.equal(await store.get('b'), undefined, 'an aborted commit leaves nothing behind');
  await bytes.close();
});

test('BufferedStore.has agrees with get through puts, deletes, a commit and an abort', async () => {
  const bytes = await rocks('has');
  const store = new BufferedStore<{ n: number } | null>(bytes);
  const same = async (k: string) => assert.equal(await store.has(k), (await store.get(k)) !== undefined, k);
  store.put('a', { n: 1 });
  store.put('b', { n: 2 });
  assert.equal(await store.has('a'), true);
  assert.equal(await store.has('x'), false);
  store.takePending();
  store.delete('b');
  assert.equal(await store.has('a'), true, 'seen while its commit runs');
  assert.equal(await store.has('b'), false, 'a pending delete hides it');
  await store.applyCommitted();
  store.discardPending();
  for (const k of ['a', 'b', 'x']) await same(k);
  assert.equal(await store.has('b'), true, 'the aborted delete left the committed value');
  await bytes.close();
});
