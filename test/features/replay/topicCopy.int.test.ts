/**
 * copyTopicSince on the real broker: what reprocess uses to copy raw events into the replay topic.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { copyTopicSince, type CopyProgress } from '../../../src/runtime/ops/topicCopy.ts';
import { createKafka } from '../../../src/runtime/kafka/client.ts';
import { PartitionReader } from '../../../src/runtime/kafka/partitionReader.ts';
import { createTopicsAndWait } from '../../../src/runtime/kafka/createTopics.ts';
import { kafkaBrokers, requireBrokers, testKafka, uniqueName } from '../../support/brokers.ts';

const log = pino({ level: 'silent' });
const SINCE = Date.parse('2026-06-01T00:00:00Z');

describe('copyTopicSince', () => {
  const source = uniqueName('copy-src');
  const admin = testKafka().admin();
  const made: string[] = [source];

  beforeAll(async () => {
    await requireBrokers();
    await admin.connect();
    await createTopicsAndWait(admin, [{ topic: source, numPartitions: 3 }]);
    const producer = testKafka().producer({ idempotent: true, maxInFlightRequests: 1 }); // a retried request must not write its records twice
    await producer.connect();
    // Per partition: one record before SINCE, two at or after it (one exactly at it).
    for (let p = 0; p < 3; p++) {
      await producer.send({
        topic: source,
        messages: [
          { partition: p, key: `k${p}-old`, value: `old ${p}`, timestamp: String(SINCE - 1), headers: { 'amqp-message-id': `m${p}-0` } },
          { partition: p, key: `k${p}-a`, value: `a ${p}`, timestamp: String(SINCE), headers: { 'amqp-message-id': `m${p}-1` } },
          { partition: p, key: `k${p}-b`, value: `b ${p}`, timestamp: String(SINCE + 1000) },
        ],
      });
    }
    // A late record with an old timestamp after the start offset: read but not copied.
    await producer.send({ topic: source, messages: [{ partition: 0, key: 'k0-late', value: 'late', timestamp: String(SINCE - 5000) }] });
    await producer.disconnect();
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: made }).catch(() => undefined);
    await admin.disconnect();
  });

  async function readAll(topic: string, partitions: number) {
    const reader = new PartitionReader(createKafka({ brokers: kafkaBrokers, clientId: 'copy-read', log }));
    const out: Array<{ partition: number; key: string; value: string; headers: Record<string, string> }> = [];
    for (let p = 0; p < partitions; p++) {
      const r = await reader.fetch(topic, p, 0n);
      for (const m of r.records) out.push({ partition: p, key: m.key!.toString(), value: m.value!.toString(), headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, String(v)])) });
    }
    await reader.close();
    return out;
  }

  test('copies the records at or after `since` to the same partition with key, value, headers and marks; waits for a new target', async () => {
    const target = uniqueName('copy-dst');
    made.push(target);
    const progress: CopyProgress[] = [];
    const copying = copyTopicSince({
      brokers: kafkaBrokers, clientId: 'copy-test', source, target, since: SINCE, log,
      mark: (r) => ({ 'x-of': `${r.partition}@${r.offset}`, 'x-ts': r.timestamp }),
      onProgress: (p) => progress.push(p),
    });
    // The target appears only after the copy started: it waits for its metadata.
    await admin.createTopics({ waitForLeaders: false, topics: [{ topic: target, numPartitions: 3 }] });
    const summary = await copying;
    assert.equal(summary.partitions, 3);
    assert.equal(summary.copied, 6);
    assert.equal(summary.skipped, 1, 'the late old record; the other old ones lie before the start offset found by timestamp');
    const copied = await readAll(target, 3);
    assert.equal(copied.length, 6);
    for (let p = 0; p < 3; p++) {
      const mine = copied.filter((c) => c.partition === p);
      assert.deepEqual(mine.map((c) => [c.key, c.value]), [[`k${p}-a`, `a ${p}`], [`k${p}-b`, `b ${p}`]]);
      assert.deepEqual(mine[0]!.headers, { 'amqp-message-id': `m${p}-1`, 'x-of': `${p}@1`, 'x-ts': String(SINCE) });
      assert.deepEqual(mine[1]!.headers, { 'x-of': `${p}@2`, 'x-ts': String(SINCE + 1000) });
    }
    const finals = progress.filter((p) => p.done);
    assert.deepEqual(finals.map((p) => [p.partition, p.copied, p.total]), [[0, 2, 3], [1, 2, 2], [2, 2, 2]]);
  });

  test('since after every record: nothing to copy', async () => {
    const target = uniqueName('copy-dst');
    made.push(target);
    await createTopicsAndWait(admin, [{ topic: target, numPartitions: 3 }]);
    const summary = await copyTopicSince({ brokers: kafkaBrokers, clientId: 'copy-test', source, target, since: SINCE + 60_000, log, mark: () => ({}) });
    assert.deepEqual([summary.copied, summary.skipped], [0, 0]);
    assert.equal(summary.partitions, 3);
  });

  test('a target with another partition count is refused before anything is copied', async () => {
    const target = uniqueName('copy-dst');
    made.push(target);
    await createTopicsAndWait(admin, [{ topic: target, numPartitions: 2 }]);
    await assert.rejects(
      copyTopicSince({ brokers: kafkaBrokers, clientId: 'copy-test', source, target, since: 0, log, mark: () => ({}) }),
      /has 2 partitions, 3 expected/,
    );
    assert.equal((await readAll(target, 2)).length, 0);
  });
});
