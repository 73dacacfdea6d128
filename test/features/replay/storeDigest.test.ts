import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MemoryBytesStore } from '../../../src/stores/memoryBytesStore.ts';
import { digestBytes } from '../../../src/runtime/ops/operations.ts';
import { fromSchema } from '../../../src/features/replay/routes.ts';
import { REPLAY_HEADERS, replayedFrom } from '../../../src/topology/contracts/raw.ts';
import { topicNames } from '../../../src/topology/contracts/topics.ts';

const store = async (entries: Array<[string, string]>) => {
  const s = new MemoryBytesStore('s');
  await s.write(entries.map(([k, v]) => [k, Buffer.from(v)] as const));
  return s;
};

describe('store digest', () => {
  test('an empty store: 0 records and the SHA-256 of nothing', async () => {
    assert.deepEqual(await digestBytes(await store([])), { records: 0, sha256: createHash('sha256').digest('hex') });
  });

  test('the same contents give the same digest whatever the order they were written in', async () => {
    const a = await digestBytes(await store([['b', '2'], ['a', '1'], ['ø', '3']]));
    const b = await digestBytes(await store([['ø', '3'], ['a', '1'], ['b', '2']]));
    assert.deepEqual(a, b);
    assert.equal(a.records, 3);
    assert.match(a.sha256, /^[0-9a-f]{64}$/);
  });

  test('a changed value, key or a deleted entry changes the digest', async () => {
    const base = await digestBytes(await store([['a', '1'], ['b', '2']]));
    assert.notEqual((await digestBytes(await store([['a', '1'], ['b', '3']]))).sha256, base.sha256);
    assert.notEqual((await digestBytes(await store([['a', '1'], ['c', '2']]))).sha256, base.sha256);
    const s = await store([['a', '1'], ['b', '2'], ['c', '3']]);
    await s.write([['c', null]]);
    assert.deepEqual(await digestBytes(s), base);
  });

  test('entries are length-prefixed: moving bytes between key and value changes the digest', async () => {
    const a = await digestBytes(await store([['ab', 'c']]));
    const b = await digestBytes(await store([['a', 'bc']]));
    assert.notEqual(a.sha256, b.sha256);
  });

  test('a store that iterates out of key order is refused (the digest would not be comparable)', async () => {
    const unordered = { async *iterate() { yield ['b', Buffer.from('1')] as [string, Buffer]; yield ['a', Buffer.from('2')] as [string, Buffer]; } };
    await assert.rejects(digestBytes(unordered), /out of key order at 'a'/);
  });
});

describe('reprocess inputs', () => {
  test('from: epoch ms, an ISO instant, or a bare date at midnight in Oslo', () => {
    assert.equal(fromSchema.parse(0), 0);
    assert.equal(fromSchema.parse('1700000000000'), 1700000000000);
    assert.equal(fromSchema.parse('2026-11-01T08:00:00Z'), Date.parse('2026-11-01T08:00:00Z'));
    assert.equal(fromSchema.parse('2026-11-01'), Date.parse('2026-10-31T23:00:00Z'), 'CET: UTC+1');
    assert.equal(fromSchema.parse('2026-07-01'), Date.parse('2026-06-30T22:00:00Z'), 'CEST: UTC+2');
    assert.equal(fromSchema.safeParse('yesterday').success, false);
    assert.equal(fromSchema.safeParse(-1).success, false);
  });

  test('the replay topic is <appId>-<raw topic>-replay', () => {
    assert.equal(topicNames('iga-uib').replay, 'iga-uib-iga-uib.dfo.events-replay');
  });

  test('a replayed record names its original (same partition); an original record names none', () => {
    const origin = { topic: 'x-replay', partition: 2, offset: '7' };
    assert.deepEqual(replayedFrom({ [REPLAY_HEADERS.topic]: 'x.dfo.events', [REPLAY_HEADERS.offset]: '41' }, origin), { topic: 'x.dfo.events', partition: 2, offset: '41' });
    assert.equal(replayedFrom({ 'amqp-message-id': 'm1' }, origin), undefined);
    assert.equal(replayedFrom({ [REPLAY_HEADERS.topic]: 'x.dfo.events', [REPLAY_HEADERS.offset]: 'abc' }, origin), undefined);
    assert.equal(replayedFrom({ [REPLAY_HEADERS.topic]: 'x.dfo.events', [REPLAY_HEADERS.offset]: '1' }, null), undefined);
  });
});
