/**
 * Rejoining a consumer group as the remembered member (memberRegistry.ts + internals/rejoinPatch.ts)
 * on the real broker. A member whose consumer stopped heartbeating (hung in a batch, as a killed
 * process's member looks to the coordinator until its session expires) is taken over at once by
 * the next consumer of the same state folder; a remembered member the coordinator no longer knows
 * (it left) gives way to a fresh join, and the new id is remembered.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/runtime/kafka/kafkajsFixes.ts';
import pino from 'pino';
import kafkajs, { type Consumer, type EachBatchPayload } from 'kafkajs';
import { openMemberRegistry, type MemberRegistry } from '../../src/runtime/kafka/memberRegistry.ts';
import { createTopicsAndWait } from '../../src/runtime/kafka/createTopics.ts';
import { eventually, requireBrokers, testKafka, uniqueName } from '../support/brokers.ts';

const topic = uniqueName('members');
const kafka = testKafka(topic);
const admin = kafka.admin();
const SESSION_TIMEOUT_MS = 30_000; // a join that waited for the hung member would outlast the test's timeout
let stateDir: string;

beforeAll(async () => {
  await requireBrokers();
  stateDir = await mkdtemp(join(tmpdir(), 'iga-members-int-'));
  await admin.connect();
  await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]);
});
afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  await rm(stateDir, { recursive: true, force: true });
});

function capturingLog() {
  const lines: Array<{ msg: string } & Record<string, unknown>> = [];
  return { lines, log: pino({ level: 'info' }, { write: (s: string) => { lines.push(JSON.parse(s)); } }) };
}

/** A consumer of `groupId` that remembers its member id in `registry`; resolves with it once joined. */
async function joinedConsumer(registry: MemberRegistry, groupId: string, eachBatch: (p: EachBatchPayload) => Promise<void>): Promise<{ consumer: Consumer; memberId: string }> {
  const memory = registry.forGroup(groupId);
  const consumer = kafka.consumer({
    groupId, sessionTimeout: SESSION_TIMEOUT_MS, heartbeatInterval: 3_000, maxWaitTimeInMs: 100,
    partitionAssigners: memory.assigners([kafkajs.PartitionAssigners.roundRobin]),
  });
  memory.track(consumer);
  const joined = new Promise<string>((resolve) => consumer.on(consumer.events.GROUP_JOIN, (e) => resolve(e.payload.memberId)));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachBatch });
  return { consumer, memberId: await joined };
}

test('the member of a consumer that stopped heartbeating is taken over at once by the next consumer of the same state folder', { timeout: SESSION_TIMEOUT_MS - 5_000 }, async () => {
  const groupId = `${topic}-hung`;
  let release!: () => void;
  const released = new Promise<void>((r) => { release = r; });
  let hungInBatch = false;
  const first = await openMemberRegistry({ stateDir, appId: 'hung', log: pino({ level: 'silent' }) });
  const hung = await joinedConsumer(first, groupId, async () => { hungInBatch = true; await released; });
  const received: string[] = [];
  let next: Consumer | null = null;
  try {
    assert.equal(first.forGroup(groupId).memberId(), hung.memberId);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 }); // a retried request must not write its records twice
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: 'after the hang' }] });
    await producer.disconnect();
    await eventually('the first consumer to hang in its batch (no more heartbeats)', () => hungInBatch);
    await first.close(); // what the kernel does for a killed process: the folder's lock is free

    const { lines, log } = capturingLog();
    const second = await openMemberRegistry({ stateDir, appId: 'hung', log });
    assert.equal(second.forGroup(groupId).memberId(), hung.memberId);
    const taken = await joinedConsumer(second, groupId, async ({ batch }) => { received.push(...batch.messages.map((m) => String(m.value))); });
    next = taken.consumer;
    assert.equal(taken.memberId, hung.memberId, 'joined as the remembered member');
    assert.ok(lines.some((l) => l.msg.startsWith('rejoined the consumer group as the member this state folder had') && l.group === groupId));
    await eventually('the record to be consumed by the member that took over', () => received.includes('after the hang'), 15_000);
    await second.close();
  } finally {
    release();
    await next?.disconnect().catch(() => undefined);
    await hung.consumer.disconnect().catch(() => undefined);
  }
});

test('a remembered member that left the group gives way to a fresh join, and the new member id is remembered', async () => {
  const groupId = `${topic}-left`;
  const first = await openMemberRegistry({ stateDir, appId: 'left', log: pino({ level: 'silent' }) });
  const gone = await joinedConsumer(first, groupId, async () => undefined);
  await gone.consumer.disconnect(); // a graceful stop: LeaveGroup
  await first.close();

  const { lines, log } = capturingLog();
  const second = await openMemberRegistry({ stateDir, appId: 'left', log });
  const fresh = await joinedConsumer(second, groupId, async () => undefined);
  try {
    assert.notEqual(fresh.memberId, gone.memberId);
    assert.equal(second.forGroup(groupId).memberId(), fresh.memberId);
    const line = lines.find((l) => l.msg.includes('previous group member had left or expired'));
    assert.ok(line, 'one info line says the previous membership was given up');
    assert.equal(line.previous, gone.memberId);
  } finally {
    await fresh.consumer.disconnect();
    await second.close();
  }
  const reopened = await openMemberRegistry({ stateDir, appId: 'left', log: pino({ level: 'silent' }) });
  assert.equal(reopened.forGroup(groupId).memberId(), fresh.memberId, 'kept in the state folder');
  await reopened.close();
});
