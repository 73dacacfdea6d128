/**
 * The read-only topic replica and the single-record reader, against the real broker: changelog
 * replicas (puts, tombstones, aborted transactions), an index over an append-only topic, restarts
 * that read only the tail, and a local copy that is discarded when it no longer fits.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Producer } from 'kafkajs';
import { pino } from 'pino';
import { ReplicaStore, TopicRecordReader, type ReplicaMapping } from '../../src/runtime/index.ts';
import { prefixRange } from '../../src/stores/keyValueStore.ts';
import { eventually, kafkaBrokers, requireBrokers, testKafka, uniqueName } from '../support/brokers.ts';
import { createTopicsAndWait } from '../../src/runtime/kafka/createTopics.ts';

const log = pino({ level: 'silent' });
const json = (v: unknown) => JSON.stringify(v);

async function all<V>(it: AsyncIterable<[string, V]>): Promise<Array<[string, V]>> {
  const out: Array<[string, V]> = [];
  for await (const e of it) out.push(e);
  return out;
}

/** `<key>|<partition>|<offset padded>` → value: one key's records as a prefix range, in offset order. */
const byKeyIndex: ReplicaMapping = (r) => (r.value === null ? [] : [[`${r.key}|${r.partition}|${String(r.offset).padStart(20, '0')}`, r.value]]);

describe('ReplicaStore on the real broker', () => {
  const prefix = uniqueName('replica');
  const admin = testKafka().admin();
  let producer: Producer;
  let dir: string;
  const stores: ReplicaStore[] = [];
  const replica = (topic: string, extra: Partial<ConstructorParameters<typeof ReplicaStore>[0]> = {}) => {
    const r = new ReplicaStore({ name: 'test', brokers: kafkaBrokers, topic, dir: join(dir, topic), clientId: `${prefix}-replica`, log, pollMs: 100, ...extra });
    stores.push(r);
    return r;
  };
  const createTopic = async (name: string, compacted: boolean) => {
    await createTopicsAndWait(admin, [{ topic: name, numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: compacted ? 'compact' : 'delete' }] }]);
  };

  beforeAll(async () => {
    await requireBrokers();
    await admin.connect();
    producer = testKafka().producer({ idempotent: true });
    await producer.connect();
    dir = await mkdtemp(join(tmpdir(), 'iga-replica-'));
  });
  afterAll(async () => {
    for (const s of stores) await s.close().catch(() => undefined);
    await producer.disconnect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  test('a changelog replica holds the latest committed value per key; tombstones delete; aborted writes never show', async () => {
    const topic = `${prefix}-persons-changelog`;
    await createTopic(topic, true);
    await producer.send({ topic, messages: [
      { key: 'a', value: json({ v: 1 }) }, { key: 'b', value: json({ v: 1 }) }, { key: 'c', value: json({ v: 1 }) },
      { key: 'a', value: json({ v: 2 }) }, { key: 'c', value: null },
    ] });
    const tx = testKafka().producer({ transactionalId: `${prefix}-tx`, maxInFlightRequests: 1, idempotent: true });
    await tx.connect();
    const aborted = await tx.transaction();
    await aborted.send({ topic, messages: [{ key: 'b', value: json({ v: 'aborted' }) }, { key: 'z', value: json({ v: 'aborted' }) }] });
    await aborted.abort();
    const committed = await tx.transaction();
    await committed.send({ topic, messages: [{ key: 'd', value: json({ v: 1 }) }] });
    await committed.commit();
    await tx.disconnect();

    const r = replica(topic);
    await r.start();
    await r.ready;
    const view = r.view<{ v: number }>();
    assert.deepEqual(await all(view.range()), [['a', { v: 2 }], ['b', { v: 1 }], ['d', { v: 1 }]]);
    assert.deepEqual(await view.get('a'), { v: 2 });
    assert.equal(await view.get('c'), undefined, 'tombstone deleted the key');
    assert.equal(await view.get('z'), undefined, 'aborted transaction is invisible');
    assert.equal(r.lag(), 0);

    // Keeps following after it caught up.
    await producer.send({ topic, messages: [{ key: 'e', value: json({ v: 1 }) }, { key: 'a', value: null }] });
    await eventually('the replica to follow new records', async () => (await view.get('e')) !== undefined && (await view.get('a')) === undefined);
    await r.close();

    // A restart reads only the tail written while it was down.
    await producer.send({ topic, messages: [{ key: 'f', value: json({ v: 1 }) }, { key: 'b', value: json({ v: 3 }) }] });
    const again = replica(topic);
    await again.start();
    await again.ready;
    assert.equal(again.recordsRead, 2, 'only the two new records were read');
    assert.deepEqual(await all(again.view<{ v: number }>().range()), [['b', { v: 3 }], ['d', { v: 1 }], ['e', { v: 1 }], ['f', { v: 1 }]]);
    await again.close();
  });

  test('an index over an append-only topic answers one key\'s records as a prefix range in offset order', async () => {
    const topic = `${prefix}-audit`;
    await createTopic(topic, false);
    for (let i = 1; i <= 4; i++) await producer.send({ topic, messages: [{ key: '101', value: json({ n: i }) }, { key: '102', value: json({ n: i * 10 }) }] });
    await producer.send({ topic, messages: [{ key: '1011', value: json({ n: 99 }) }] });
    const r = replica(topic, { name: 'audit-index', map: byKeyIndex, version: 'by-key-1' });
    await r.start();
    await r.ready;
    const history = await all(r.view<{ n: number }>().range(prefixRange('101|')));
    assert.deepEqual(history.map(([, v]) => v.n), [1, 2, 3, 4], 'the prefix with a separator excludes key 1011');
    assert.ok(history.every(([k]) => /^101\|\d\|\d{20}$/.test(k)));
    await r.close();

    // A new layout version discards the local copy and reads everything again with the new mapping.
    const v2 = replica(topic, { name: 'audit-index', map: (rec) => [[`${rec.key}#${rec.offset}`, rec.value]], version: 'by-key-2' });
    await v2.start();
    await v2.ready;
    assert.equal(v2.recordsRead, 9);
    const keys = (await all(v2.view().range())).map(([k]) => k);
    assert.equal(keys.length, 9);
    assert.ok(keys.every((k) => k.includes('#')), 'no key of the old layout is left');
    await v2.close();
  });

  test('a checkpoint that does not fit the topic (recreated under the same name) is not trusted', async () => {
    const topic = `${prefix}-recreated`;
    await createTopic(topic, true);
    await producer.send({ topic, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: json({ i }), partition: 0 })) });
    const r = replica(topic, { name: 'recreated' });
    await r.start();
    await r.ready;
    assert.equal(r.recordsRead, 30);
    await r.close();
    await admin.deleteTopics({ topics: [topic] });
    await eventually('the topic to be deleted', async () => !(await admin.listTopics()).includes(topic));
    await createTopic(topic, true);
    await producer.send({ topic, messages: [{ key: 'new', value: json({ i: 0 }), partition: 0 }] });
    const again = replica(topic, { name: 'recreated' });
    await again.start();
    await again.ready;
    assert.deepEqual((await all(again.view().range())).map(([k]) => k), ['new'], 'the old copy was discarded');
    await again.close();
  });

  test('a topic recreated while it is followed is read again from the start (its position fell outside the log)', async () => {
    const topic = `${prefix}-recreated-live`;
    await createTopic(topic, true);
    await producer.send({ topic, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: json({ i }), partition: 0 })) });
    const r = replica(topic, { name: 'recreated-live' });
    await r.start();
    await r.ready;
    await admin.deleteTopics({ topics: [topic] });
    await eventually('the topic to be deleted', async () => !(await admin.listTopics()).includes(topic));
    await createTopic(topic, true);
    await producer.send({ topic, messages: [{ key: 'new', value: json({ i: 0 }), partition: 0 }] });
    await eventually('the replica to hold only the new record', async () => (await all(r.view().range())).map(([k]) => k).join() === 'new', 60_000);
    await r.close();
  });

  test('an empty topic is ready at once; a second replica on a folder another one holds keeps its copy in memory', async () => {
    const topic = `${prefix}-empty`;
    await createTopic(topic, true);
    const first = replica(topic, { name: 'shared' });
    await first.start();
    await first.ready;
    assert.equal(first.recordsRead, 0);
    const second = replica(topic, { name: 'shared' }); // same folder: RocksDB's lock is taken
    await second.start();
    await producer.send({ topic, messages: [{ key: 'x', value: json({ v: 1 }) }] });
    await second.ready;
    for (const r of [first, second]) await eventually('both replicas to see the record', async () => (await r.view().get('x')) !== undefined);
    await second.close();
    await first.close();
  });

  test('a replica folder that is broken, not locked, stops the start, even where its path spells "lock"', async () => {
    const topic = `${prefix}-blocklist`;
    await createTopic(topic, true);
    // RocksDB's message quotes the folder's path; this one contains "lock" (blocklist).
    const broken = replica(topic, { name: 'blocklist' });
    await mkdir(join(dir, topic), { recursive: true });
    await writeFile(join(dir, topic, 'CURRENT'), 'MANIFEST-000404\n'); // names a manifest that is not there
    await assert.rejects(broken.start(), (err: Error & { cause?: { code?: string } }) => err.cause?.code === 'LEVEL_IO_ERROR');
  });

  test('startAll: when one replica cannot start, the ones already started are closed', async () => {
    const topic = `${prefix}-start-all`;
    await createTopic(topic, true);
    const good = replica(topic, { name: 'start-all-good' });
    const broken = replica(`${topic}-missing`, { name: 'start-all-broken' });
    await mkdir(join(dir, `${topic}-missing`), { recursive: true });
    await writeFile(join(dir, `${topic}-missing`, 'CURRENT'), 'MANIFEST-000404\n');
    await assert.rejects(ReplicaStore.startAll([good, broken]), (err: Error & { cause?: { code?: string } }) => err.cause?.code === 'LEVEL_IO_ERROR');
    await assert.rejects(good.view().get('k'), /replica start-all-good is not open/);
  });

  test('replicas start on topics another client created a moment ago (leaders not yet elected)', async () => {
    // What three instances starting together do: one creates the topics, the others read them at once.
    // A KRaft broker answers NOT_LEADER_FOR_PARTITION for a moment here; the replica must wait, not fail.
    const topics = Array.from({ length: 6 }, (_, i) => `${prefix}-fresh-${i}`);
    await admin.createTopics({ waitForLeaders: false, topics: topics.map((topic) => ({ topic, numPartitions: 6 })) });
    const fresh = topics.map((topic) => replica(topic, { name: 'fresh' }));
    await Promise.all(fresh.map((r) => r.start()));
    await Promise.all(fresh.map((r) => r.ready));
    await producer.send({ topic: topics[0]!, messages: [{ key: 'k', value: json({ v: 1 }) }] });
    await eventually('the record to show in the replica', async () => (await fresh[0]!.view().get('k')) !== undefined);
    for (const r of fresh) await r.close();
  });

  test('TopicRecordReader reads one record by its coordinates, and says why one is missing', async () => {
    const topic = `${prefix}-raw`;
    await createTopic(topic, false);
    const [meta] = await producer.send({ topic, messages: [{ key: 'stillinger:1', value: json({ kind: 'stillinger' }), partition: 1, headers: { 'amqp-message-id': 'm-1' } }] });
    await producer.send({ topic, messages: [{ key: 'stillinger:2', value: json({ kind: 'stillinger', id: 2 }), partition: 1 }] });
    const reader = new TopicRecordReader({ brokers: kafkaBrokers, clientId: `${prefix}-reader`, log });
    try {
      const got = await reader.read({ topic, partition: 1, offset: meta!.baseOffset! });
      assert.ok(got.found);
      assert.equal(got.record.key, 'stillinger:1');
      assert.deepEqual(JSON.parse(got.record.value!.toString()), { kind: 'stillinger' });
      assert.equal(got.record.headers['amqp-message-id'], 'm-1');
      const second = await reader.read({ topic, partition: 1, offset: String(Number(meta!.baseOffset) + 1) });
      assert.ok(second.found && second.record.key === 'stillinger:2', 'the record at the offset, not the first of its fetch');
      const missing = await reader.read({ topic, partition: 1, offset: '500' });
      assert.equal(missing.found, false);
    } finally {
      await reader.close();
    }
  });
});
