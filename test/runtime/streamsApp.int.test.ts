import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamsApp } from '../../src/runtime/index.ts';
import { countingTopology } from './counting.ts';
import { eventually, kafkaBrokers, requireBrokers, testKafka, uniqueName } from '../support/brokers.ts';

async function readAll(topic: string, expected: number) {
  const kafka = testKafka();
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false });
  const got: Array<{ key: string; value: { count: number } }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => { got.push({ key: message.key!.toString(), value: JSON.parse(message.value!.toString()) }); } });
  await eventually(`${expected} records on ${topic}`, () => got.length >= expected);
  await new Promise((r) => setTimeout(r, 500));
  await consumer.disconnect();
  return got;
}

// Both commit modes: a transactional producer per task, and one per instance (KIP-447).
test.for(['exactly_once', 'exactly_once_v2'] as const)('exactly-once counting survives a restart with lost local state (restore from changelog): %s', async (processingGuarantee) => {
  await requireBrokers();
  const appId = uniqueName('rt');
  const input = `${appId}.in`;
  const output = `${appId}.out`;
  const stateDir = await mkdtemp(join(tmpdir(), 'iga-rt-'));
  const kafka = testKafka();
  // Idempotent: KafkaJS retries a produce request whole when one partition in it failed (e.g. a
  // just-created topic's partition without its leader yet); without sequence numbers the partitions
  // already written would be written again, and the duplicated input rightly counted twice.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const mk = (dir: string) => new StreamsApp({ appId, brokers: kafkaBrokers, topology: countingTopology(input, output), stateDir: dir, partitions: 3, deadLetterTopic: `${appId}.dlq`, commitIntervalMs: 50, processingGuarantee });
  try {
    const app1 = mk(stateDir);
    await app1.start();
    const keys = ['a', 'b', 'c', 'd', 'e'];
    await producer.send({ topic: input, messages: keys.flatMap((k) => [{ key: k, value: '{}' }, { key: k, value: '{}' }]) });
    const first = await readAll(output, 10);
    assert.equal(first.length, 10);
    await app1.close();

    // Lose local state: the new instance must restore counts from the changelog.
    const app2 = mk(await mkdtemp(join(tmpdir(), 'iga-rt2-')));
    await app2.start();
    await producer.send({ topic: input, messages: keys.map((k) => ({ key: k, value: '{}' })) });
    const all = await readAll(output, 15);
    await app2.close();
    assert.equal(all.length, 15, 'no output doubled');
    const last = new Map(all.map((r) => [r.key, r.value.count]));
    for (const k of keys) assert.equal(last.get(k), 3, `count of ${k}`);
  } finally {
    await producer.disconnect();
    await rm(stateDir, { recursive: true, force: true });
  }
});
