/**
 * Issue 13, item 4: an instance SIGKILLed and restarted on its own state folder resumes in
 * seconds, not after the group session timeout (default 30 s). Two service instances run as real
 * processes in one group on the real broker and RabbitMQ; one is killed and started again. It must
 * be back in both consumer groups (stream runtime and egress; both Stable with two members), own
 * tasks, and a DFØ notification published after the restart must reach RabbitMQ as a notify
 * event, all well within the session timeout. Before the fix the restarted member joined as a new
 * one and every member of each group waited ~29 s for the dead member's session to expire.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDfoSimulator, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { amqpUrl, eventually, kafkaBrokers, requireBrokers, testKafka, uniqueName } from '../support/brokers.ts';
import { captureExchange } from '../support/exchangeCapture.ts';
import { deleteTopicsWithPrefix } from '../support/kafkaView.ts';
import { instance, type Instance } from './chaos/instances.ts';
import { ansatt, stilling, toNotifyEvent, type NotifyEvent } from './stack.ts';

const SESSION_TIMEOUT_MS = 30_000; // the default of IGA_KAFKA_SESSION_TIMEOUT_MS, left unset below
/** "Resumed in seconds": well under half the session timeout, which the old behaviour always waited out. */
const RESUMED_WITHIN_MS = 12_000;
const ADMIN_TOKEN = 'restart-admin';
const OPEN = '9999-12-31';

const appId = uniqueName('restart');
const admin = testKafka(`${appId}-check`).admin();
let root: string;
let sim: DfoSimulator;
let capture: Awaited<ReturnType<typeof captureExchange<NotifyEvent>>>;

beforeAll(async () => {
  await requireBrokers();
  root = await mkdtemp(join(tmpdir(), 'iga-restart-'));
  sim = await startDfoSimulator({ amqp: { url: amqpUrl, exchange: `${appId}.in` } });
  capture = await captureExchange<NotifyEvent>(`${appId}.out`, toNotifyEvent);
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
  await capture?.close();
  await sim?.close();
  await deleteTopicsWithPrefix(appId);
  await rm(root, { recursive: true, force: true });
});

const env = (name: string): Record<string, string> => ({
  IGA_KAFKA_BROKERS: kafkaBrokers.join(','), IGA_AMQP_URL: amqpUrl, IGA_AMQP_EXCHANGE_IN: `${appId}.in`, IGA_AMQP_EXCHANGE_OUT: `${appId}.out`,
  IGA_DFO_API_URL: sim.url, IGA_SCIM_PORT: '0', IGA_ADMIN_PORT: '0', IGA_SCIM_HOST: '127.0.0.1', IGA_ADMIN_TOKENS: `ops:${ADMIN_TOKEN}`,
  IGA_APP_ID: appId, IGA_STATE_DIR: join(root, name), IGA_PARTITIONS: '3', IGA_COMMIT_INTERVAL_MS: '100', IGA_LOG_LEVEL: 'info',
});

async function tasksOf(node: Instance): Promise<string[]> {
  const res = await fetch(`${node.adminUrl}/admin/status`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return ((await res.json()) as { streams: { tasks: string[] } }).streams.tasks;
}

/** Both groups settled with `members` members each (not waiting in a rebalance). */
async function groupsStable(members: number): Promise<boolean> {
  const { groups } = await admin.describeGroups([appId, `${appId}.egress`]);
  return groups.every((g) => g.state === 'Stable' && g.members.length === members);
}

/** A new position with one new holder: one more CREATE notify event. */
async function hire(employeeId: string, positionId: string, name: [string, string]): Promise<void> {
  await sim.upsertEmployee(ansatt(employeeId, ...name));
  await sim.upsertPosition(stilling(positionId, [[employeeId, '2024-01-01', OPEN]]));
  await sim.publish('stillinger', positionId);
}
const creates = () => capture.items.filter((e) => e.body.type === 'CREATE').length;

test('a SIGKILLed instance restarted on its state folder is back in both groups, owns tasks and processes new notifications well within the session timeout', { timeout: 120_000 }, async () => {
  const a = instance('a', env('a'), root);
  const b = instance('b', env('b'), root);
  try {
    await a.start(); // creates the topics
    await b.start();
    await eventually('both instances to own tasks and both groups to settle', async () =>
      (await tasksOf(a)).length > 0 && (await tasksOf(b)).length > 0 && (await groupsStable(2)), 60_000, 200);
    await hire('310001', '31000001', ['Kari', 'Før']);
    await eventually('the notify event of the hire before the kill', () => creates() === 1, 30_000);

    assert.equal((await b.stop('SIGKILL')).signal, 'SIGKILL');
    const restartedAt = Date.now();
    const rejoined = [b.nextLine(`"group":"${appId}"`), b.nextLine(`"group":"${appId}.egress"`)];
    await b.start();
    const wait = (what: string, fn: () => Promise<unknown> | unknown) => eventually(what, fn, SESSION_TIMEOUT_MS, 100);
    await wait('the restarted instance to own tasks again', async () => (await tasksOf(b)).length > 0);
    await wait('both groups to settle with both instances', () => groupsStable(2));
    await hire('310002', '31000002', ['Ola', 'Etter']);
    await wait('the notify event of the hire after the restart', () => creates() === 2);
    const resumedMs = Date.now() - restartedAt;

    assert.ok(resumedMs < RESUMED_WITHIN_MS,
      `resumed ${(resumedMs / 1000).toFixed(1)} s after the restart: the group waited for the dead member's session (${SESSION_TIMEOUT_MS / 1000} s)\n${b.tail(30)}`);
    // The way it resumed: each group took the member id this state folder remembered.
    const noLine = new Promise<string>((resolve) => setTimeout(() => resolve('(no membership line)'), 1000));
    for (const line of await Promise.all(rejoined.map((l) => Promise.race([l, noLine])))) {
      assert.match(line, /rejoined the consumer group as the member this state folder had/);
    }
  } finally {
    await Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]);
  }
});
