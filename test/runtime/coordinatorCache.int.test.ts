/**
 * The transaction-coordinator cache on the real broker: a task's commits stop asking for the
 * coordinator before every transactional request (KafkaJS did ~4 FindCoordinator per commit), and
 * the commits still land (outputs and offsets readable by a read_committed consumer).
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { rootLogger } from '../../src/common/log.ts';
import { createKafka } from '../../src/runtime/kafka/client.ts';
import { KafkaTaskCommitter } from '../../src/runtime/internals/kafkaCommitter.ts';
import { createTopicsAndWait } from '../../src/runtime/kafka/createTopics.ts';
import { kafkaBrokers, requireBrokers, testKafka, uniqueName } from '../support/brokers.ts';

const topic = uniqueName('coord-cache');
const admin = testKafka('coord-cache-admin').admin();

beforeAll(async () => {
  await requireBrokers();
  await admin.connect();
  await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]);
});
afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

test('20 commits ask for a coordinator about once each (the consumer group), not four times, and all land', async () => {
  const kafka = createKafka({ brokers: kafkaBrokers, clientId: topic, log: rootLogger });
  const committer = await KafkaTaskCommitter.create(kafka, topic, '0_0');
  let lookups = 0;
  (committer as unknown as { producer: { on(e: string, f: (e: { payload: { apiName: string } }) => void): void } })
    .producer.on('producer.network.request', (e) => { if (e.payload.apiName === 'GroupCoordinator') lookups++; });
  const commits = 20;
  try {
    for (let i = 0; i < commits; i++) {
      await committer.commit({ outputs: [{ topic, key: `k${i}`, value: Buffer.from(String(i)), headers: {}, timestamp: Date.now() }], offsets: [{ topic, partition: 0, offset: String(i + 1) }] });
    }
  } finally {
    await committer.close();
  }
  assert.ok(lookups <= commits + 4, `${lookups} coordinator lookups for ${commits} commits (KafkaJS alone: ~${commits * 4})`);
  const [offsets] = await admin.fetchTopicOffsets(topic);
  assert.ok(Number(offsets!.high) >= commits, 'every commit wrote its record (plus markers)');
  const [group] = await admin.fetchOffsets({ groupId: topic, topics: [topic] });
  assert.equal(group!.partitions[0]!.offset, String(commits), 'and its offsets');
});
