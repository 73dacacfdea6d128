/**
 * The KIP-447 request versions (src/runtime/kafka/kip447.ts) on the real broker:
 * - a transaction's offsets that carry an old generation of the group (a zombie that missed a
 *   rebalance) are refused by the group coordinator, and the transaction's records never become
 *   readable; the current generation's are accepted;
 * - OffsetFetch with require_stable does not answer while a transaction that commits offsets for
 *   the partition is open, and answers the committed offset once it commits (without it, the old
 *   offset comes back at once).
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Consumer, Producer } from 'kafkajs';
import { createKafka } from '../../src/runtime/kafka/client.ts';
import { createTopicsAndWait } from '../../src/runtime/kafka/createTopics.ts';
import { GroupSession } from '../../src/runtime/kafka/groupSession.ts';
import { withGroupMetadata, type GroupMetadata } from '../../src/runtime/kafka/kip447.ts';
import { fetchStableOffsets } from '../../src/runtime/kafka/stableOffsets.ts';
import { PartitionReader } from '../../src/runtime/kafka/partitionReader.ts';
import { errorKinds } from '../../src/runtime/internals/errorKinds.ts';
import { eventually, kafkaBrokers, requireBrokers, uniqueName } from '../support/brokers.ts';

const input = uniqueName('kip447-in');
const output = uniqueName('kip447-out');
const groupId = uniqueName('kip447-group');
const kafka = createKafka({ brokers: kafkaBrokers, clientId: groupId, log: pino({ level: 'silent' }) });
const admin = kafka.admin();

beforeAll(async () => {
  await requireBrokers();
  await admin.connect();
  await createTopicsAndWait(admin, [{ topic: input, numPartitions: 1 }, { topic: output, numPartitions: 1 }]);
  // Input records up to every offset the tests commit: a member handed an offset past the end
  // would reset it (KafkaJS commits its default offset then).
  const p = kafka.producer();
  await p.connect();
  await p.send({ topic: input, messages: Array.from({ length: 50 }, (_, i) => ({ key: 'k', value: String(i) })) });
  await p.disconnect();
});
afterAll(async () => {
  await admin.deleteTopics({ topics: [input, output] }).catch(() => undefined);
  await admin.deleteGroups([groupId]).catch(() => undefined);
  await admin.disconnect();
});

/** A group member whose session reports its generation (and, via a join counter, each rejoin). */
async function member(): Promise<{ consumer: Consumer; session: GroupSession; joins: () => number }> {
  const session = new GroupSession();
  const kafkajs = await import('kafkajs');
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 500, partitionAssigners: [session.assigner(kafkajs.default.PartitionAssigners.roundRobin)] });
  let joins = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => { joins++; });
  await consumer.connect();
  await consumer.subscribe({ topics: [input] });
  await consumer.run({ autoCommit: false, eachMessage: async () => undefined });
  return { consumer, session, joins: () => joins };
}

async function producer(id: string): Promise<Producer> {
  const p = kafka.producer({ transactionalId: `${groupId}-${id}`, idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  return p;
}

/** One transaction: a record on the output topic and the input offset, with `group` as the group metadata. */
async function commitWith(p: Producer, group: GroupMetadata, offset: number, value: string): Promise<void> {
  const txn = await p.transaction();
  try {
    await txn.send({ topic: output, messages: [{ key: 'k', value }] });
    await withGroupMetadata(group, () => txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: String(offset) }] }] }));
    await txn.commit();
  } catch (err) {
    await txn.abort().catch(() => undefined);
    throw err;
  }
}

const committedOffset = async () => (await admin.fetchOffsets({ groupId, topics: [input] }))[0]!.partitions[0]!.offset;

test('the group coordinator fences a transaction whose offsets carry an old generation; the current one commits', async () => {
  const a = await member();
  const b: { consumer?: Consumer } = {};
  const p = await producer('fence');
  const reader = new PartitionReader(kafka);
  try {
    await eventually('the first member joined', () => a.session.metadata());
    const old = a.session.metadata()!;
    await commitWith(p, old, 1, 'by the current generation');
    assert.equal(await committedOffset(), '1');

    // A second member joins: the group moves to a new generation once both have joined.
    const second = await member();
    b.consumer = second.consumer;
    await eventually('both members in the new generation', () => a.session.metadata()!.generationId > old.generationId && second.session.metadata()?.generationId === a.session.metadata()!.generationId, 60_000);

    await assert.rejects(commitWith(p, old, 2, 'by a zombie'), (err) => errorKinds(err).includes('ILLEGAL_GENERATION'));
    await assert.rejects(commitWith(p, { ...a.session.metadata()!, memberId: 'not-a-member' }, 2, 'by a stranger'), (err) => errorKinds(err).includes('UNKNOWN_MEMBER_ID'));
    assert.equal(await committedOffset(), '1', 'the zombie moved no offset');

    await commitWith(p, a.session.metadata()!, 3, 'by the new generation');
    assert.equal(await committedOffset(), '3');
    const { records } = await reader.fetch(output, 0, 0n);
    assert.deepEqual(records.map((r) => r.value?.toString()), ['by the current generation', 'by the new generation'], 'nothing of the fenced transactions is readable');
  } finally {
    await p.disconnect();
    await reader.close();
    await b.consumer?.disconnect();
    await a.consumer.disconnect();
  }
});

test('require_stable: the offsets of an open transaction are not answered until it commits', async () => {
  const p = await producer('stable');
  const before = await committedOffset();
  const txn = await p.transaction();
  let answered: string | null = null;
  try {
    await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic: input, partitions: [{ partition: 0, offset: '40' }] }] });
    assert.equal(await committedOffset(), before, 'without require_stable the last stable offset comes back at once');
    const stable = fetchStableOffsets(admin, groupId, [input], 60_000).then((r) => { answered = r[0]!.partitions[0]!.offset; return answered; });
    // Give it several rounds of UNSTABLE_OFFSET_COMMIT: it must still be waiting.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(answered, null, 'no answer while the transaction is open');
    await txn.commit();
    assert.equal(await stable, '40');
  } finally {
    if (txn.isActive()) await txn.abort().catch(() => undefined);
    await p.disconnect();
  }
});
