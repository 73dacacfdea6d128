/**
 * Exactly-once v2's instance committer (src/runtime/internals/instanceCommitter.ts) on the real
 * broker: the commits of several tasks asked for together go in one transaction, each task
 * learning the next offset of its own changelog partition; once the group has moved to a new
 * generation, a transaction that carries the old one is refused as a zombie's: every task in it
 * fails with InstanceMigratedError and nothing of it becomes readable or moves an offset. The
 * committer goes on with a new producer when given the current generation. A transaction without
 * offsets (which the coordinator would not check) is refused. Only committed records are counted
 * as produced (iga_streams_records_produced_total).
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import kafkajs, { type Consumer } from 'kafkajs';
import { createKafka } from '../../src/runtime/kafka/client.ts';
import { createTopicsAndWait } from '../../src/runtime/kafka/createTopics.ts';
import { GroupSession } from '../../src/runtime/kafka/groupSession.ts';
import type { GroupMetadata } from '../../src/runtime/kafka/kip447.ts';
import { PartitionReader } from '../../src/runtime/kafka/partitionReader.ts';
import { InstanceCommitter, InstanceMigratedError } from '../../src/runtime/internals/instanceCommitter.ts';
import { recordsProduced } from '../../src/runtime/internals/metrics.ts';
import type { CommitBatch } from '../../src/runtime/internals/task.ts';
import { eventually, kafkaBrokers, requireBrokers, uniqueName } from '../support/brokers.ts';

const groupId = uniqueName('instance-committer');
const input = `${groupId}.in`;
const changelog = `${groupId}-store-changelog`;
const output = `${groupId}.out`;
const log = pino({ level: 'silent' });
const kafka = createKafka({ brokers: kafkaBrokers, clientId: groupId, log });
const admin = kafka.admin();

beforeAll(async () => {
  await requireBrokers();
  await admin.connect();
  await createTopicsAndWait(admin, [input, changelog, output].map((topic) => ({ topic, numPartitions: 2 })));
  const p = kafka.producer();
  await p.connect();
  await p.send({ topic: input, messages: Array.from({ length: 40 }, (_, i) => ({ partition: i % 2, value: String(i) })) });
  await p.disconnect();
});
afterAll(async () => {
  await admin.deleteTopics({ topics: [input, changelog, output] }).catch(() => undefined);
  await admin.disconnect();
});

/** One task's commit: a changelog record per value on its partition, one output, its input offset. */
const taskBatch = (partition: number, values: string[], offset: number): CommitBatch => ({
  outputs: [
    ...values.map((v) => ({ topic: changelog, key: v, value: Buffer.from(v), headers: {}, timestamp: Date.now(), partition })),
    { topic: output, key: `p${partition}`, value: Buffer.from(values.join(',')), headers: {}, timestamp: Date.now() },
  ],
  offsets: [{ topic: input, partition, offset: String(offset) }],
});

async function member(): Promise<{ consumer: Consumer; session: GroupSession }> {
  const session = new GroupSession();
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500, partitionAssigners: [session.assigner(kafkajs.PartitionAssigners.roundRobin)] });
  await consumer.connect();
  await consumer.subscribe({ topics: [input] });
  await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
  return { consumer, session };
}

const offsets = async () => new Map((await admin.fetchOffsets({ groupId, topics: [input] }))[0]!.partitions.map((p) => [p.partition, p.offset]));

test('tasks committing together share one transaction; an old generation is refused for all of them', async () => {
  const a = await member();
  let current: GroupMetadata | null = null;
  const committer = await InstanceCommitter.create({ kafka, groupId, transactionalId: `${groupId}-instance`, groupMetadata: () => current, log });
  const reader = new PartitionReader(kafka);
  const others: Consumer[] = [];
  try {
    current = await eventually('the member joined', () => a.session.metadata());
    const [w0, w1] = await Promise.all([committer.commit('0_0', taskBatch(0, ['a', 'b'], 3)), committer.commit('0_1', taskBatch(1, ['c'], 5))]);
    assert.deepEqual(committer.stats, { transactions: 1, taskCommits: 2 }, 'one transaction for both tasks');
    assert.deepEqual([...w0!], [[changelog, 2n]], 'task 0_0: two records on changelog partition 0');
    assert.deepEqual([...w1!], [[changelog, 1n]], 'task 0_1: one record on changelog partition 1');
    assert.deepEqual(await offsets(), new Map([[0, '3'], [1, '5']]));
    // Outputs without offsets (a punctuation's alone) would commit without the generation check: refused.
    await assert.rejects(committer.commit('0_0', { ...taskBatch(0, ['unfenced'], 3), offsets: [] }), /would not be fenced/);

    // A second member: the group moves on; the first one rejoins under the new generation.
    const old = current;
    const b = await member();
    others.push(b.consumer);
    await eventually('a new generation', () => (a.session.metadata()?.generationId ?? 0) > old.generationId && b.session.metadata()?.generationId === a.session.metadata()?.generationId, 60_000);
    const results = await Promise.allSettled([committer.commit('0_0', taskBatch(0, ['zombie'], 9)), committer.commit('0_1', taskBatch(1, ['zombie'], 9))]);
    for (const r of results) assert.ok(r.status === 'rejected' && r.reason instanceof InstanceMigratedError, `every task of the zombie's transaction is told: ${r.status === 'rejected' ? String(r.reason) : 'committed'}`);
    assert.deepEqual(await offsets(), new Map([[0, '3'], [1, '5']]), 'no offset moved');

    current = a.session.metadata();
    await committer.commit('0_0', taskBatch(0, ['d'], 4));
    assert.deepEqual(await offsets(), new Map([[0, '4'], [1, '5']]), 'the current generation commits again (new producer)');
    const { records } = await reader.fetch(changelog, 0, 0n);
    assert.deepEqual(records.map((r) => r.key?.toString()), ['a', 'b', 'd'], 'nothing of the refused transaction is readable');
    assert.deepEqual(await recordsProduced(groupId), new Map([[changelog, 4], [output, 3]]), 'the refused transactions are not counted as produced');
  } finally {
    await committer.close();
    await reader.close();
    for (const c of others) await c.disconnect();
    await a.consumer.disconnect();
  }
});
