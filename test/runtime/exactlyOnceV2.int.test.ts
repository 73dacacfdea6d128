/**
 * Exactly-once v2 in a running StreamsApp: a task that comes to an instance while the previous
 * owner's transaction (with the task's input offsets) is still open does not read until that
 * transaction is over, and then starts at the offsets it committed. Without require_stable the
 * task would find no committed offset yet, start at the first record and count every record again.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { recordsProcessed, StreamsApp } from '../../src/runtime/index.ts';
import { createKafka } from '../../src/runtime/kafka/client.ts';
import { createTopicsAndWait } from '../../src/runtime/kafka/createTopics.ts';
import { PartitionReader } from '../../src/runtime/kafka/partitionReader.ts';
import { countingTopology } from './counting.ts';
import { eventually, kafkaBrokers, requireBrokers, uniqueName } from '../support/brokers.ts';

test('a moved task waits for the previous owner\'s open transaction and starts at the offsets it commits', async () => {
  await requireBrokers();
  const appId = uniqueName('eos-v2-stable');
  const input = `${appId}.in`;
  const output = `${appId}.out`;
  const stateDir = await mkdtemp(join(tmpdir(), 'iga-eos-v2-'));
  const kafka = createKafka({ brokers: kafkaBrokers, clientId: appId, log: pino({ level: 'silent' }) });
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsAndWait(admin, [{ topic: input, numPartitions: 1 }, { topic: output, numPartitions: 1 }]);
  const plain = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await plain.connect();
  await plain.send({ topic: input, messages: Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: '{}' })) });
  // The previous owner: its last transaction moved the group's offset to 4 and is still open.
  const previous = kafka.producer({ transactionalId: `${appId}-previous-owner`, idempotent: true, maxInFlightRequests: 1 });
  await previous.connect();
  const txn = await previous.transaction();
  await txn.sendOffsets({ consumerGroupId: appId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '4' }] }] });

  const app = new StreamsApp({ appId, brokers: kafkaBrokers, topology: countingTopology(input, output), stateDir, partitions: 1, deadLetterTopic: `${appId}.dlq`, commitIntervalMs: 50, processingGuarantee: 'exactly_once_v2', log: pino({ level: 'silent' }) });
  const reader = new PartitionReader(kafka);
  try {
    await app.start();
    await eventually('the task assigned', () => app.taskIds().length === 1);
    // Several rounds of UNSTABLE_OFFSET_COMMIT: the task must still wait.
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await recordsProcessed(appId), 0, 'nothing read while the previous owner\'s transaction is open');
    await txn.commit();
    await eventually('the records after the committed offset processed', async () => (await recordsProcessed(appId)) >= 2, 60_000);
    const keys = await eventually('two outputs', async () => {
      const { records } = await reader.fetch(output, 0, 0n);
      return records.length >= 2 ? records.map((r) => r.key?.toString()) : null;
    });
    assert.deepEqual(keys, ['k4', 'k5'], 'started at the offset the previous owner committed');
    assert.equal(await recordsProcessed(appId), 2);
  } finally {
    if (txn.isActive()) await txn.abort().catch(() => undefined);
    await app.close();
    await reader.close();
    await previous.disconnect();
    await plain.disconnect();
    await admin.deleteTopics({ topics: [input, output, `${appId}-counts-changelog`, `${appId}.dlq`] }).catch(() => undefined);
    await admin.disconnect();
    await rm(stateDir, { recursive: true, force: true });
  }
});
