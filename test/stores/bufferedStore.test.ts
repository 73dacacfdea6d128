/**
 * BufferedStore drops writes that change nothing: a put (or delete) whose bytes equal the committed
 * value read since the last commit, with nothing pending for the key, becomes no changelog record.
 * Anything else is written as before, and a read that raced a commit is never taken as the
 * committed value.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { BytesStore } from '../../src/stores/bytesStore.ts';
import { BufferedStore } from '../../src/stores/bufferedStore.ts';
import { MemoryBytesStore } from '../../src/stores/memoryBytesStore.ts';

type Value = { name: string; n: number };

/** A committed store holding `entries`, and the writes it dropped as unchanged. */
async function storeWith(entries: Record<string, Value>, bytes: BytesStore = new MemoryBytesStore('s')) {
  await bytes.write(Object.entries(entries).map(([k, v]) => [k, Buffer.from(JSON.stringify(v))] as const));
  let dropped = 0;
  const store = new BufferedStore<Value>(bytes, { onUnchangedWrite: () => dropped++ });
  return { store, bytes, dropped: () => dropped };
}

const changelog = (store: BufferedStore<Value>) => store.takePending().map(([k, v]) => [k, v === null ? null : JSON.parse(v.toString())]);

test('a put of the value just read is dropped; one that differs, or of a key not read, is written', async () => {
  const { store, dropped } = await storeWith({ a: { name: 'a', n: 1 }, b: { name: 'b', n: 1 }, c: { name: 'c', n: 1 } });
  const a = await store.get('a');
  store.put('a', { ...a! });
  const b = await store.get('b');
  store.put('b', { ...b!, n: 2 });
  store.put('c', { name: 'c', n: 1 }); // equal, but never read: written as before
  assert.equal(dropped(), 1);
  assert.equal(store.unchangedWrites, 1);
  assert.equal(store.hasPending, true);
  assert.deepEqual(changelog(store), [['b', { name: 'b', n: 2 }], ['c', { name: 'c', n: 1 }]]);
  await store.applyCommitted();
  assert.deepEqual(await store.get('a'), { name: 'a', n: 1 }, 'the dropped put changed nothing: the store holds the same value');
});

test('a store whose every put repeats the committed value has nothing to commit', async () => {
  const { store } = await storeWith({ a: { name: 'a', n: 1 } });
  store.put('a', (await store.get('a'))!);
  assert.equal(store.hasPending, false);
  assert.deepEqual(store.takePending(), []);
});

test('a delete of a key read as absent is dropped; of a present key it is written', async () => {
  const { store, dropped } = await storeWith({ a: { name: 'a', n: 1 } });
  assert.equal(await store.has('gone'), false);
  store.delete('gone');
  assert.equal(await store.has('a'), true);
  store.delete('a');
  assert.equal(dropped(), 1);
  assert.deepEqual(changelog(store), [['a', null]]);
});

test('a put back to the committed value after a pending change is written (it undoes the change)', async () => {
  const { store, dropped } = await storeWith({ a: { name: 'a', n: 1 } });
  const a = (await store.get('a'))!;
  store.put('a', { ...a, n: 2 });
  store.put('a', a);
  assert.equal(dropped(), 0);
  assert.deepEqual(changelog(store), [['a', { name: 'a', n: 1 }]]);
});

test('reads are forgotten at each commit: a put after it is compared only with what is read again', async () => {
  const { store, dropped } = await storeWith({ a: { name: 'a', n: 1 } });
  await store.get('a');
  store.put('a', { name: 'a', n: 2 });
  store.takePending();
  await store.applyCommitted();
  store.put('a', { name: 'a', n: 2 }); // not read since the commit
  assert.equal(dropped(), 0);
  store.discardPending();
  assert.deepEqual(await store.get('a'), { name: 'a', n: 2 });
  store.put('a', { name: 'a', n: 2 });
  assert.equal(dropped(), 1, 'the value read after the commit is the one compared with');
  store.put('a', { name: 'a', n: 1 });
  assert.deepEqual(changelog(store), [['a', { name: 'a', n: 1 }]]);
});

test('a read that started before a commit applied is not taken as the committed value', async () => {
  // A BytesStore whose gets answer with the value at the time they were asked, but only when released.
  const inner = new MemoryBytesStore('s');
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const slow: BytesStore = Object.assign(Object.create(inner) as BytesStore, {
    get: async (key: string) => { const v = await inner.get(key); await gate; return v; },
  });
  const { store, dropped } = await storeWith({ a: { name: 'a', n: 1 } }, slow);
  const early = store.get('a'); // e.g. a read-ahead's check, still waiting for the BytesStore
  store.put('a', { name: 'a', n: 2 });
  store.takePending();
  await store.applyCommitted();
  release();
  assert.deepEqual(await early, { name: 'a', n: 1 });
  store.put('a', { name: 'a', n: 1 }); // changes the committed n: 2 back
  assert.equal(dropped(), 0);
  assert.deepEqual(changelog(store), [['a', { name: 'a', n: 1 }]]);
});

test('a put equal to the value in a running commit, not yet applied, is written', async () => {
  const { store, dropped } = await storeWith({ a: { name: 'a', n: 1 } });
  await store.get('a');
  store.put('a', { name: 'a', n: 2 });
  store.takePending();
  store.put('a', { name: 'a', n: 2 });
  assert.equal(dropped(), 0);
  assert.equal(store.hasPending, true);
});
