/**
 * The global table (every partition of a topic, from its start, in every instance: the SCIM
 * replica's source) against the real broker: it calls back every committed record in offset order
 * per partition, is ready once it read what the topic held at start, keeps following, and starts at
 * the beginning of each partition's log even when that is no longer offset 0 (records deleted by
 * retention or by an operator).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Producer } from 'kafkajs';
import { pino } from 'pino';
import { GlobalTable } from '../../src/runtime/index.ts';
import { createTopicsAndWait } from '../../src/runtime/kafka/createTopics.ts';
import { eventually, kafkaBrokers, requireBrokers, testKafka, uniqueName } from '../support/brokers.ts';

const log = pino({ level: 'silent' });
const json = (v: unknown) => JSON.stringify(v);

describe('GlobalTable on the real broker', () => {
  const prefix = uniqueName('global-table');
  const admin = testKafka().admin();
  let producer: Producer;
  const tables: GlobalTable[] = [];

  /** A table of the topic's latest value per key, as the SCIM replica keeps its accounts. */
  const follow = (topic: string) => {
    const seen = new Map<string, unknown>();
    const table = new GlobalTable({
      brokers: kafkaBrokers, topic, clientId: `${prefix}-table`, log,
      onRecord: (key, value) => (value === null ? seen.delete(key) : seen.set(key, JSON.parse(value.toString()))),
    });
    tables.push(table);
    return { table, seen };
  };

  beforeAll(async () => {
    await requireBrokers();
    await admin.connect();
    producer = testKafka().producer({ idempotent: true });
    await producer.connect();
  });
  afterAll(async () => {
    for (const t of tables) await t.close().catch(() => undefined);
    await producer.disconnect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
  });

  test('calls back every committed record, is ready once it read what was there, and keeps following', async () => {
    const topic = `${prefix}-accounts`;
    await createTopicsAndWait(admin, [{ topic, numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }]);
    await producer.send({ topic, messages: [
      { key: 'a', value: json({ v: 1 }) }, { key: 'b', value: json({ v: 1 }) }, { key: 'a', value: json({ v: 2 }) }, { key: 'b', value: null },
    ] });
    const { table, seen } = follow(topic);
    await table.start();
    await table.ready;
    assert.deepEqual([...seen], [['a', { v: 2 }]], 'the latest value per key; the tombstone deleted b');
    await producer.send({ topic, messages: [{ key: 'c', value: json({ v: 1 }) }] });
    await eventually('the table to follow a new record', () => seen.has('c'));
    await table.close();
  });

  test('a topic whose first records were deleted is read from where its log starts now', async () => {
    const topic = `${prefix}-trimmed`;
    await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]);
    await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ key: `old${i}`, value: json({ i }), partition: 0 })) });
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '5' }] });
    await producer.send({ topic, messages: [{ key: 'kept', value: json({ i: 5 }), partition: 0 }] });
    const { table, seen } = follow(topic);
    await table.start();
    const ready = await Promise.race([table.ready.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 15_000))]);
    assert.equal(ready, true, 'ready within 15 s (nothing to read is left after offset 5)');
    assert.deepEqual([...seen.keys()], ['kept']);
    await table.close();
  });
});
