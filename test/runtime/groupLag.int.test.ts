/** groupLag on the real broker: committed offsets against the end, and whether records are really left (transaction markers are not). */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { groupLag } from '../../src/runtime/ops/groupLag.ts';
import { createKafka } from '../../src/runtime/kafka/client.ts';
import { createTopicsAndWait } from '../../src/runtime/kafka/createTopics.ts';
import { PartitionReader } from '../../src/runtime/kafka/partitionReader.ts';
import { kafkaBrokers, requireBrokers, uniqueName } from '../support/brokers.ts';

const kafka = createKafka({ brokers: kafkaBrokers, clientId: 'group-lag-test', log: pino({ level: 'silent' }) });
const admin = kafka.admin();
const reader = new PartitionReader(kafka);
const topic = uniqueName('lag');
const group = `${topic}-group`;

beforeAll(async () => {
  await requireBrokers();
  await admin.connect();
  await createTopicsAndWait(admin, [{ topic, numPartitions: 2 }]);
  // Two transactions of 2 records on partition 0: offsets 0,1 (marker 2), 3,4 (marker 5). Partition 1 empty.
  const producer = kafka.producer({ transactionalId: `${topic}-tx`, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (const batch of [['a', 'b'], ['c', 'd']]) {
    const tx = await producer.transaction();
    await tx.send({ topic, messages: batch.map((v) => ({ value: v, partition: 0 })) });
    await tx.commit();
  }
  await producer.disconnect();
});
afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await reader.close();
  await admin.disconnect();
});

const lagOf = async () => (await groupLag(admin, reader, group, [topic])).sort((a, b) => a.partition - b.partition);

test('a group that committed nothing is behind by everything, from the start', async () => {
  const [p0, p1] = await lagOf();
  assert.deepEqual([p0!.committed, p0!.end, p0!.behind, p0!.caughtUp], [null, '6', 6, false]);
  assert.deepEqual([p1!.committed, p1!.behind, p1!.caughtUp], [null, 0, true]);
});

test('committed mid-way: behind and not caught up; committed past the last record: caught up although a marker remains', async () => {
  // Two groups set side by side (KafkaJS's setOffsets takes a few seconds each). 5 is what a
  // consumer commits after the last record (offset 4): the commit marker's offset.
  const [mid, end] = [`${group}-mid`, `${group}-end`];
  await Promise.all([
    admin.setOffsets({ groupId: mid, topic, partitions: [{ partition: 0, offset: '3' }] }),
    admin.setOffsets({ groupId: end, topic, partitions: [{ partition: 0, offset: '5' }] }),
  ]);
  const p0 = async (g: string) => (await groupLag(admin, reader, g, [topic])).find((p) => p.partition === 0)!;
  const m = await p0(mid);
  assert.deepEqual([m.committed, m.behind, m.caughtUp], ['3', 3, false]);
  const e = await p0(end);
  assert.deepEqual([e.committed, e.behind, e.caughtUp], ['5', 1, true]);
});
