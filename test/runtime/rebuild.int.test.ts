/**
 * Online rebuild on the runtime itself (real broker): records keep arriving while every task is
 * closed, wiped and restored from its changelog, and exactly-once counting stays exact.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { StreamsApp, rebuildLocalStores, storeDigests, type RebuildEvent } from '../../src/runtime/index.ts';
import { countingTopology } from './counting.ts';
import { eventually, kafkaBrokers, requireBrokers, testKafka, uniqueName } from '../support/brokers.ts';

test('rebuild while records flow: counts stay exact, no output doubled, digests identical after a quiet rebuild', async () => {
  await requireBrokers();
  const appId = uniqueName('rb');
  const input = `${appId}.in`;
  const output = `${appId}.out`;
  const stateDir = await mkdtemp(join(tmpdir(), 'iga-rb-'));
  const kafka = testKafka();
  // Idempotent: KafkaJS retries a produce request whole when one partition in it failed (e.g. a
  // just-created topic's partition without its leader yet); without sequence numbers the partitions
  // already written would be written again, and the duplicated input rightly counted twice.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const app = new StreamsApp({ appId, brokers: kafkaBrokers, topology: countingTopology(input, output), stateDir, partitions: 3, deadLetterTopic: `${appId}.dlq`, commitIntervalMs: 50 });
  const got: Array<{ key: string; count: number }> = [];
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false });
  const log = pino({ level: 'silent' });
  try {
    await app.start();
    await consumer.connect();
    await consumer.subscribe({ topic: output, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { got.push({ key: message.key!.toString(), count: JSON.parse(message.value!.toString()).count }); } });
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    await producer.send({ topic: input, messages: keys.map((k) => ({ key: k, value: '{}' })) });
    await eventually('the first counts', () => got.length >= 10);

    // 20 more rounds, sent while two rebuilds run one after the other.
    const sending = (async () => {
      for (let round = 0; round < 20; round++) await producer.send({ topic: input, messages: keys.map((k) => ({ key: k, value: '{}' })) });
    })();
    const events: RebuildEvent[] = [];
    const first = await rebuildLocalStores(app, { appId, brokers: kafkaBrokers, log, onEvent: (e) => events.push(e) });
    const second = await rebuildLocalStores(app, { appId, brokers: kafkaBrokers, log });
    await sending;
    assert.equal(first.tasks, 3);
    assert.equal(second.tasks, 3);
    assert.deepEqual(events.filter((e) => e.type === 'task').map((e) => e.task), ['0_0', '0_1', '0_2']);
    assert.equal(events.filter((e) => e.type === 'restored').length, 3);
    assert.ok(events.some((e) => e.type === 'progress' && e.restored === e.total && e.total > 0), 'progress reaches the total');

    await eventually('all 210 counts', () => got.length >= 210, 60_000);
    const last = new Map<string, number>();
    for (const g of got) last.set(g.key, Math.max(last.get(g.key) ?? 0, g.count));
    for (const k of keys) assert.equal(last.get(k), 21, `count of ${k}`);

    // Quiet now (every count is committed): a rebuild gives back byte-identical stores.
    const before = await storeDigests(app);
    assert.equal(before.reduce((n, d) => n + d.records, 0), 10);
    const quiet = await rebuildLocalStores(app, { appId, brokers: kafkaBrokers, log });
    assert.deepEqual(quiet.digests.map(({ changelogOffset: _, ...d }) => d), before.map(({ changelogOffset: _, ...d }) => d));
    assert.equal(quiet.records, 10);
    assert.deepEqual((await readdir(join(stateDir, appId))).filter((d) => !d.startsWith('.')).sort(), ['0_0', '0_1', '0_2']);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(got.length, 210, 'no output doubled');
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await app.close();
    await producer.disconnect();
    await rm(stateDir, { recursive: true, force: true });
  }
});
