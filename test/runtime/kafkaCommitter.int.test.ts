/**
 * A task's transactional committer on the real broker, when another instance takes the task over:
 * the newer committer (same transactional id) fences the older one, whose next commit fails as
 * TaskMigratedError (the runtime then closes the task and leaves it to the rebalance instead of
 * opening it again and fencing the new owner back). Nothing of the fenced commit becomes visible,
 * nor is it counted as produced (iga_streams_records_produced_total).
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { TaskMigratedError } from '../../src/runtime/api/errors.ts';
import { createKafka } from '../../src/runtime/kafka/client.ts';
import { createTopicsAndWait } from '../../src/runtime/kafka/createTopics.ts';
import { KafkaTaskCommitter } from '../../src/runtime/internals/kafkaCommitter.ts';
import { recordsProduced } from '../../src/runtime/internals/metrics.ts';
import { PartitionReader } from '../../src/runtime/kafka/partitionReader.ts';
import { kafkaBrokers, requireBrokers, testKafka, uniqueName } from '../support/brokers.ts';

const topic = uniqueName('committer-fenced');
const admin = testKafka('committer-fenced-admin').admin();
const kafka = createKafka({ brokers: kafkaBrokers, clientId: topic, log: pino({ level: 'silent' }) });

beforeAll(async () => {
  await requireBrokers();
  await admin.connect();
  await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]);
});
afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

const batch = (value: string, offset: number) => ({
  outputs: [{ topic, key: 'k', value: Buffer.from(value), headers: {}, timestamp: Date.now() }],
  offsets: [{ topic, partition: 0, offset: String(offset) }],
});

test('a committer fenced by a newer one with the same task id fails its next commit as TaskMigratedError', async () => {
  const older = await KafkaTaskCommitter.create(kafka, topic, '0_0');
  const newer = await KafkaTaskCommitter.create(kafka, topic, '0_0');
  const reader = new PartitionReader(kafka);
  try {
    await assert.rejects(older.commit(batch('from the fenced owner', 1)), (err) => err instanceof TaskMigratedError);
    await newer.commit(batch('from the new owner', 1));
    const { records } = await reader.fetch(topic, 0, 0n);
    assert.deepEqual(records.map((r) => r.value?.toString()), ['from the new owner'], 'the fenced commit left nothing readable');
    assert.deepEqual(await recordsProduced(topic), new Map([[topic, 1]]), 'only the committed record is counted');
  } finally {
    await older.close().catch(() => undefined);
    await newer.close();
    await reader.close();
  }
});
