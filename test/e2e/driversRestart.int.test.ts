/**
 * An instance that runs a driver, SIGKILLed and restarted on its own state folder, resumes in
 * seconds as one without drivers does (test/e2e/restart.int.test.ts): every consumer group it is a
 * member of — the driver's `<app>.driver.ldap` and the status events' `<app>.status-events` too —
 * takes it back as the member it was, instead of waiting out the dead member's session (30 s by
 * default). Two instances as real processes, the LDAP driver on the real slapd (a branch of the
 * test's own). Before the fix the status-events group joined as a new member, so the restarted
 * instance's start-up, and every change tag's status event, waited ~30 s.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDfoSimulator, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { amqpUrl, eventually, kafkaBrokers, requireBrokers, testKafka, uniqueName } from '../support/brokers.ts';
import { deleteTopicsWithPrefix } from '../support/kafkaView.ts';
import { ldapDriverEnv, makeTestBase, removeTestBase } from '../support/ldapBase.ts';
import { ldapRoot, requireLdap, withLdap } from '../support/ldapServer.ts';
import { instance, type Instance } from './chaos/instances.ts';
import { ansatt, stilling } from './stack.ts';

const SESSION_TIMEOUT_MS = 30_000; // the default of IGA_KAFKA_SESSION_TIMEOUT_MS, left unset below
/** "Resumed in seconds": well under half the session timeout, which a new member always waits out. */
const RESUMED_WITHIN_MS = 12_000;
const OPEN = '9999-12-31';

const appId = uniqueName('drvrestart');
const groups = [appId, `${appId}.driver.ldap`, `${appId}.status-events`];
const admin = testKafka(`${appId}-check`).admin();
let root: string;
let base: string;
let sim: DfoSimulator;

beforeAll(async () => {
  await requireBrokers();
  await requireLdap();
  root = await mkdtemp(join(tmpdir(), 'iga-drvrestart-'));
  base = await makeTestBase(appId);
  sim = await startDfoSimulator({ amqp: { url: amqpUrl, exchange: `${appId}.in` } });
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
  await sim?.close();
  await deleteTopicsWithPrefix(appId);
  if (base) await removeTestBase(base);
  await rm(root, { recursive: true, force: true });
});

const env = (name: string): Record<string, string> => ({
  IGA_KAFKA_BROKERS: kafkaBrokers.join(','), IGA_AMQP_URL: amqpUrl, IGA_AMQP_EXCHANGE_IN: `${appId}.in`, IGA_AMQP_EXCHANGE_OUT: `${appId}.out`,
  IGA_AMQP_EXCHANGE_STATUS: `${appId}.status`, IGA_DFO_API_URL: sim.url, IGA_SCIM_PORT: '0', IGA_ADMIN_PORT: '0', IGA_SCIM_HOST: '127.0.0.1',
  IGA_APP_ID: appId, IGA_STATE_DIR: join(root, name), IGA_PARTITIONS: '3', IGA_COMMIT_INTERVAL_MS: '100', IGA_LOG_LEVEL: 'info', ...ldapDriverEnv(base),
});

/** Every group settled with `members` members (not waiting in a rebalance). */
async function groupsStable(members: number): Promise<boolean> {
  const { groups: described } = await admin.describeGroups(groups);
  return described.every((g) => g.state === 'Stable' && g.members.length === members);
}

async function hire(employeeId: string, positionId: string, name: [string, string]): Promise<void> {
  await sim.upsertEmployee(ansatt(employeeId, ...name));
  await sim.upsertPosition(stilling(positionId, [[employeeId, '2024-01-01', OPEN]]));
  await sim.publish('stillinger', positionId);
}
const uids = async () => withLdap(ldapRoot, async (c) => (await c.search(base, { scope: 'one', attributes: ['uid'] })).searchEntries.map((e) => String(e.uid)).sort());

test('a SIGKILLed instance with the LDAP driver restarted on its state folder is back in every group and drives changes well within the session timeout', { timeout: 150_000 }, async () => {
  const a = instance('a', env('a'), root);
  const b = instance('b', env('b'), root);
  try {
    await a.start(); // creates the topics
    await b.start();
    await eventually('every group to settle with both instances', () => groupsStable(2), 60_000, 200);
    await hire('320001', '32000001', ['Kari', 'Før']);
    await eventually('the hire before the kill in LDAP', async () => (await uids()).includes('karfor'), 30_000);

    assert.equal((await b.stop('SIGKILL')).signal, 'SIGKILL');
    const restartedAt = Date.now();
    const rejoined = groups.map((g) => b.nextLine(`"group":"${g}"`));
    await b.start();
    const startedMs = Date.now() - restartedAt;
    const wait = (what: string, fn: () => Promise<unknown> | unknown) => eventually(what, fn, SESSION_TIMEOUT_MS, 100);
    await wait('every group to settle with both instances', () => groupsStable(2));
    await hire('320002', '32000002', ['Ola', 'Etter']);
    await wait('the hire after the restart in LDAP', async () => (await uids()).includes('olaett'));
    const resumedMs = Date.now() - restartedAt;

    assert.ok(resumedMs < RESUMED_WITHIN_MS,
      `resumed ${(resumedMs / 1000).toFixed(1)} s after the restart (its start-up took ${(startedMs / 1000).toFixed(1)} s): a group waited for the dead member's session (${SESSION_TIMEOUT_MS / 1000} s)\n${b.tail(30)}`);
    const noLine = new Promise<string>((resolve) => setTimeout(() => resolve('(no membership line)'), 1000));
    const lines = await Promise.all(rejoined.map((l) => Promise.race([l, noLine])));
    lines.forEach((line, i) => assert.match(line, /rejoined the consumer group as the member this state folder had/, groups[i]));
  } finally {
    await Promise.all([a.stop('SIGKILL'), b.stop('SIGKILL')]);
  }
});
