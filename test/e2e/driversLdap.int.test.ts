/**
 * The LDAP driver end to end (issue 11): DFØ notifications through the real RabbitMQ, Kafka and
 * topology, the driver's own consumer group, into the real slapd (a branch of its own under
 * ou=people), with each change's tag on the change-status topic. A hire becomes an entry, a
 * removal locks it and drops its affiliations, a re-hire unlocks the same entry; an account the
 * directory refuses is tagged failed while the others complete, and `iga-stream drivers` lists it
 * as parked until `drivers retry` re-drives it; `GET /changes?messageId=…` and the status exchange
 * show the tags of a given AMQP message id (and a rejected message as rejected); a resync after
 * wiping the directory restores every entry; a replay of every change from the start writes nothing.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Entry } from 'ldapts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import type { ChangeStatus } from '../../src/topology/contracts/changeStatus.ts';
import { eventually, testKafka, uniqueName } from '../support/brokers.ts';
import { runCli } from '../support/cli.ts';
import { captureExchange, type ExchangeCapture } from '../support/exchangeCapture.ts';
import { ldapDriverEnv, makeTestBase, removeTestBase } from '../support/ldapBase.ts';
import { ldapRoot, requireLdap, values, withLdap } from '../support/ldapServer.ts';
import { ADMIN_TOKEN, ansatt, startStack, stilling, type Stack } from './stack.ts';
import type { ConsumeMessage } from 'amqplib';

interface StatusEvent { routingKey: string; correlationId: string | undefined; expiration: string | undefined; messageId: string; body: ChangeStatus }
const toStatusEvent = (m: ConsumeMessage): StatusEvent => ({
  routingKey: m.fields.routingKey, correlationId: m.properties.correlationId, expiration: m.properties.expiration, messageId: String(m.properties.messageId), body: JSON.parse(m.content.toString()),
});
const CHANGES_TOKEN = 'e2e-publisher-secret';

const OPEN = '9999-12-31';

/** The entry under `base` whose uid is `uid` (read as root, with the operational lock attribute). */
async function entryOf(base: string, uid: string): Promise<Entry | undefined> {
  return withLdap(ldapRoot, async (c) => (await c.search(base, { scope: 'one', filter: `(uid=${uid})`, attributes: ['*', 'pwdAccountLockedTime'] })).searchEntries[0]);
}

/** The latest tag per key on the change-status topic. */
async function tags(s: Stack): Promise<Map<string, ChangeStatus>> {
  const records = await s.readTopic(topicNames(s.appId).changeStatus);
  return new Map(records.map((r) => [r.key, r.value as ChangeStatus]));
}

describe('the LDAP driver end to end', () => {
  let s: Stack;
  let base: string;
  let statusEvents: ExchangeCapture<StatusEvent>;
  let hireMessageId: string;
  const statusExchange = uniqueName('ex_iga_status');
  const changes = async (path: string, token = CHANGES_TOKEN) => {
    const res = await fetch(`${s.service.changesUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: await res.json() as any };
  };
  const cli = (...args: string[]) => runCli(args, { IGA_ADMIN_URL: s.service.adminUrl!, IGA_ADMIN_TOKEN: ADMIN_TOKEN, IGA_LOG_LEVEL: 'error' });
  const user = async (employeeNumber: string) => (await s.scim(`/Users?employeeNumber=${employeeNumber}`)).body.Resources?.[0];

  beforeAll(async () => {
    await requireLdap();
    base = await makeTestBase(`e2e-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
    statusEvents = await captureExchange(statusExchange, toStatusEvent);
    s = await startStack({
      start: '2026-03-02T09:00:00Z',
      env: { ...ldapDriverEnv(base), IGA_DRIVER_RETRY_INITIAL_MS: '100', IGA_DRIVER_RETRY_MAX_MS: '1000', IGA_AMQP_EXCHANGE_STATUS: statusExchange, IGA_CHANGES_PORT: '0', IGA_CHANGES_HOST: '127.0.0.1', IGA_CHANGES_TOKENS: `dfo:${CHANGES_TOKEN}` },
    });
  });
  afterAll(async () => {
    await s?.close();
    await statusEvents?.close();
    if (base) await removeTestBase(base);
  });

  test('a DFØ hire becomes an LDAP entry with the profile and the employee affiliations, tagged complete with the AMQP message id', async () => {
    await s.sim.upsertEmployee(ansatt('300001', 'Kari', 'Nordmann'));
    await s.sim.upsertPosition(stilling('30000301', [['300001', '2020-01-01', OPEN]]));
    const { messageId } = await s.sim.publish('stillinger', '30000301');
    hireMessageId = messageId;
    const entry = await eventually('the LDAP entry', () => entryOf(base, 'karnor'), 60_000);
    const account = await user('300001');
    for (const [a, v] of Object.entries({ cn: 'Kari Nordmann', sn: 'Nordmann', givenName: 'Kari', mail: 'karnor@uib.no', eduPersonPrincipalName: 'karnor@uib.no', employeeNumber: '300001', igaAccountId: account.id, igaAccountVersion: '1' })) {
      assert.deepEqual(values(entry, a), [v], a);
    }
    assert.deepEqual(values(entry, 'eduPersonAffiliation').sort(), ['employee', 'member', 'staff']);
    const tag = await eventually('the complete tag', async () => (await tags(s)).get(`${account.id}:v1|ldap`));
    assert.equal(tag.state, 'complete');
    assert.equal(tag.attempts, 1);
    assert.equal(tag.messageId, messageId, 'the tag carries the publisher\'s message id');
    // The service created the change-status topic at start-up, compacted.
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topicNames(s.appId).changeStatus, configNames: ['cleanup.policy'] }] });
      assert.equal(resources[0]?.configEntries[0]?.configValue, 'compact');
    } finally {
      await admin.disconnect();
    }
  });

  test('a removal locks the same entry and drops its affiliations; a re-hire unlocks it', async () => {
    const account = await user('300001');
    await s.sim.upsertPosition(stilling('30000301', [['300001', '2020-01-01', '2026-03-01']]), { notify: true });
    const locked = await eventually('the entry locked', async () => {
      const e = await entryOf(base, 'karnor');
      return values(e, 'pwdAccountLockedTime').length > 0 ? e : undefined;
    }, 60_000);
    assert.deepEqual(values(locked, 'pwdAccountLockedTime'), ['000001010000Z']);
    assert.deepEqual(values(locked, 'eduPersonAffiliation'), []);
    assert.deepEqual(values(locked, 'igaAccountId'), [account.id], 'the entry is kept');
    const blockedVersion = Number(values(locked, 'igaAccountVersion')[0]);
    assert.equal((await s.scim(`/Users/${account.id}`)).body.active, false);

    await s.sim.upsertPosition(stilling('30000301', [['300001', '2020-01-01', '2026-03-01'], ['300001', '2026-03-02', OPEN]]), { notify: true });
    const unlocked = await eventually('the entry unlocked', async () => {
      const e = await entryOf(base, 'karnor');
      return values(e, 'pwdAccountLockedTime').length === 0 && Number(values(e, 'igaAccountVersion')[0]) > blockedVersion ? e : undefined;
    }, 60_000);
    assert.equal(unlocked?.dn, locked?.dn, 'the same entry');
    assert.deepEqual(values(unlocked, 'eduPersonAffiliation').sort(), ['employee', 'member', 'staff']);
    const all = await withLdap(ldapRoot, async (c) => (await c.search(base, { scope: 'one', filter: `(igaAccountId=${account.id})` })).searchEntries);
    assert.equal(all.length, 1, 'one entry for the account');
  });

  test('an account the directory refuses (DFØ gives no family name: person requires sn) is tagged failed with its error; the others complete', async () => {
    await s.sim.upsertEmployee(ansatt('300002', 'Ola', 'Hansen'));
    await s.sim.upsertEmployee(ansatt('300003', 'Nora', ''));
    await s.sim.upsertEmployee(ansatt('300004', 'Per', 'Berg'));
    await s.sim.upsertPosition(stilling('30000302', [['300002', '2020-01-01', OPEN], ['300003', '2020-01-01', OPEN], ['300004', '2020-01-01', OPEN]]), { notify: true });
    const nora = await eventually('Nora\'s account', () => user('300003'), 60_000);
    const failed = await eventually('Nora\'s tag', async () => {
      const t = (await tags(s)).get(`${nora.id}:v1|ldap`);
      return t?.state === 'failed' ? t : undefined;
    }, 60_000);
    assert.match(failed.error ?? '', /objectClassViolation \(65\).*sn/);
    for (const emp of ['300002', '300004']) {
      const account = await eventually(`account of ${emp}`, () => user(emp), 60_000);
      const t = await eventually(`tag of ${emp}`, async () => (await tags(s)).get(`${account.id}:v1|ldap`), 60_000);
      assert.equal(t.state, 'complete', emp);
      assert.ok(await entryOf(base, account.userName.split('@')[0]), `entry of ${emp}`);
    }
    assert.equal(await entryOf(base, nora.userName.split('@')[0]), undefined);
  });
  test('GET /changes?messageId=… answers what became of the hire: accepted, the account it created, and the LDAP tag', async () => {
    const account = await user('300001');
    const r = await eventually('the message view', async () => {
      const v = await changes(`/changes?messageId=${encodeURIComponent(hireMessageId)}`);
      return v.status === 200 && v.body.changes.length > 0 ? v : undefined;
    });
    assert.equal(r.body.messageId, hireMessageId);
    assert.equal(r.body.status, 'accepted');
    assert.equal(r.body.accepted[0].kind, 'stillinger');
    assert.equal(r.body.accepted[0].id, '30000301');
    assert.ok(r.body.decisions.some((d: any) => d.decision === 'create' && d.accountId === account.id), JSON.stringify(r.body.decisions));
    const change = r.body.changes.find((c: any) => c.changeId === `${account.id}:v1`);
    assert.equal(change.type, 'CREATE');
    assert.equal(change.employeeId, '300001');
    assert.equal(change.tags.ldap.state, 'complete');
    assert.equal(change.outcome, 'complete');
    assert.equal(r.body.complete, true);
    const one = await changes(`/changes/${encodeURIComponent(`${account.id}:v1`)}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.messageId, hireMessageId);
    assert.equal(one.body.tags.ldap.state, 'complete');
  });

  test('the publisher\'s view has its own tokens, and says rejected for a message the ingress dead-lettered and 404 for one never seen', async () => {
    assert.equal((await changes(`/changes?messageId=${hireMessageId}`, 'e2e-secret')).status, 401, 'a SCIM token does not open it');
    assert.equal((await changes(`/changes?messageId=${hireMessageId}`, ADMIN_TOKEN)).status, 401, 'nor an admin token');
    assert.equal((await fetch(`${s.service.changesUrl}/changes?messageId=x`)).status, 401);
    const bad = await s.sim.publishRaw('stillinger', '{"id": "not a DFØ notification"', { messageId: `bad-${Date.now()}` });
    const r = await eventually('the rejected message', async () => {
      const v = await changes(`/changes?messageId=${encodeURIComponent(bad)}`);
      return v.status === 200 ? v : undefined;
    });
    assert.equal(r.body.status, 'rejected');
    assert.ok(r.body.rejected[0].reason.length > 0);
    assert.deepEqual(r.body.changes, []);
    assert.equal((await changes('/changes?messageId=never-sent')).status, 404);
    assert.equal((await changes('/changes')).status, 400);
    assert.equal((await changes('/changes/not-a-change')).status, 400);
  });

  test('the status exchange carried the tags as they changed, with the publisher\'s message id and a 24-hour expiration', async () => {
    const account = await user('300001');
    const e = await eventually('the status event of the hire', () => statusEvents.items.find((x) => x.body.changeId === `${account.id}:v1`));
    assert.equal(e.routingKey, 'ldap.complete');
    assert.equal(e.correlationId, hireMessageId);
    assert.equal(e.expiration, '86400000');
    assert.equal(e.body.state, 'complete');
    const nora = await user('300003');
    const failed = await eventually('the failed status event', () => statusEvents.items.find((x) => x.body.changeId === `${nora.id}:v1`));
    assert.equal(failed.routingKey, 'ldap.failed');
    assert.match(failed.body.error ?? '', /objectClassViolation/);
  });

  test('iga-stream drivers lists a refused change as parked; drivers retry re-drives it once the cause is gone; a later change repairs one too', async () => {
    const nora = await user('300003');
    const list = await cli('drivers');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /Driver ldap .*caught up/);
    assert.match(list.stdout, new RegExp(`parked    ${nora.id}:v1 .*objectClassViolation`));
    assert.match(list.stdout, /drivers: 1 driver\(s\), 1 parked change\(s\)/);
    // Still refused: the retry says so (exit 1), and the change stays parked.
    const again = await cli('drivers', 'retry', 'ldap');
    assert.equal(again.code, 1);
    assert.match(again.stdout, /1 changes: 0 written, 0 already there, 1 refused/);

    // An entry made by hand holds the DN a new hire needs: refused, never taken over.
    await withLdap(ldapRoot, (c) => c.add(`uid=sirdah,${base}`, { objectClass: ['inetOrgPerson'], uid: 'sirdah', cn: 'Siri by hand', sn: 'Dahl' }));
    await s.sim.upsertEmployee(ansatt('300005', 'Siri', 'Dahl'));
    await s.sim.upsertPosition(stilling('30000303', [['300005', '2020-01-01', OPEN]]), { notify: true });
    const siri = await eventually('Siri\'s account', () => user('300005'), 60_000);
    const refused = await eventually('Siri\'s failed tag', async () => {
      const t = (await tags(s)).get(`${siri.id}:v1|ldap`);
      return t?.state === 'failed' ? t : undefined;
    }, 60_000);
    assert.match(refused.error ?? '', /exists without igaAccountId/);
    // The operator removes the stray entry and re-drives that change.
    await withLdap(ldapRoot, (c) => c.del(`uid=sirdah,${base}`));
    const retried = await cli('drivers', 'retry', 'ldap', '--change', `${siri.id}:v1`);
    assert.equal(retried.code, 0, retried.stdout + retried.stderr);
    assert.match(retried.stdout, /1 changes: 1 written, 0 already there, 0 refused/);
    assert.equal((await tags(s)).get(`${siri.id}:v1|ldap`)?.state, 'complete');
    assert.deepEqual(values(await entryOf(base, 'sirdah'), 'igaAccountId'), [siri.id]);

    // DFØ gets Nora's family name: the new version carries the whole account and completes, which repairs the failed one.
    await s.sim.upsertEmployee(ansatt('300003', 'Nora', 'Lie'), { notify: true });
    await eventually('Nora\'s new version to complete', async () => (await tags(s)).get(`${nora.id}:v2|ldap`)?.state === 'complete', 60_000);
    const after = await cli('drivers', '--json');
    const report = JSON.parse(after.stdout).drivers[0];
    assert.equal(report.tags.parked, 0, JSON.stringify(report.parked));
    assert.deepEqual(values(await entryOf(base, nora.userName.split('@')[0]), 'sn'), ['Lie']);
  });

  test('a resync after wiping the directory restores every entry, with progress', async () => {
    const before = await withLdap(ldapRoot, async (c) => (await c.search(base, { scope: 'one', attributes: ['uid', 'igaAccountVersion'] })).searchEntries);
    assert.ok(before.length >= 5, `${before.length} entries`);
    await withLdap(ldapRoot, async (c) => { for (const e of before) await c.del(e.dn); });
    const r = await cli('drivers', 'resync', 'ldap');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /drivers resync ldap: .*accounts/);
    assert.match(r.stdout, new RegExp(`drivers resync ldap: ${before.length} accounts: ${before.length} written, 0 already there, 0 refused`));
    const after = await withLdap(ldapRoot, async (c) => (await c.search(base, { scope: 'one', attributes: ['uid', 'igaAccountVersion'] })).searchEntries);
    assert.deepEqual(after.map((e) => [e.dn, e.igaAccountVersion]).sort(), before.map((e) => [e.dn, e.igaAccountVersion]).sort());
    const twice = await cli('drivers', 'resync', 'ldap');
    assert.match(twice.stdout, new RegExp(`${before.length} accounts: 0 written, ${before.length} already there`));
  });
  test('a replay of every change from the start (the driver group rewound while the service is down) writes nothing twice', async () => {
    const stamps = async () => withLdap(ldapRoot, async (c) => (await c.search(base, { scope: 'one', attributes: ['modifyTimestamp', 'createTimestamp', 'igaAccountVersion'] })).searchEntries.map((e) => [e.dn, e.modifyTimestamp ?? e.createTimestamp, e.igaAccountVersion]).sort());
    const before = await stamps();
    const notify = await s.readTopic(topicNames(s.appId).notify);
    const group = `${s.appId}.driver.ldap`;
    await s.restart(async () => {
      const admin = testKafka().admin();
      await admin.connect();
      try {
        await admin.resetOffsets({ groupId: group, topic: topicNames(s.appId).notify, earliest: true });
      } finally {
        await admin.disconnect();
      }
    });
    const report = await eventually('the replay handled', async () => {
      const r = await cli('drivers', '--json');
      const d = r.code === 0 ? JSON.parse(r.stdout).drivers[0] : undefined;
      return d && d.instance.unchanged + d.instance.applied + d.instance.failed >= notify.length ? d : undefined;
    }, 60_000);
    assert.equal(report.instance.applied, 0, 'nothing written');
    assert.equal(report.instance.failed, 0, 'the change refused before is older than what the entry holds now');
    assert.equal(report.instance.unchanged, notify.length);
    assert.deepEqual(await stamps(), before, 'no entry was modified');
  });
});
