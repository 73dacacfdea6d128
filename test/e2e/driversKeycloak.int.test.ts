/**
 * The LDAP and Keycloak drivers together end to end (issue 11, IGA_DRIVERS=ldap,keycloak): DFØ
 * notifications through the real RabbitMQ, Kafka and topology, each driver its own consumer group,
 * into the real slapd (a branch of the test's own) and the real Keycloak (a realm of the test's own,
 * provisioned like the shared one, reached through a TCP proxy of the test's own so that the test
 * can take Keycloak away without stopping the Keycloak other tests share).
 *
 * A hire becomes an LDAP entry and a Keycloak user; with a password the test sets, the person signs
 * in and the ID token and userinfo carry the profile; a removal locks the entry and disables the
 * user; a re-hire reactivates the same entry and the same user. Keycloak away for a while: its
 * changes wait (retrying) and end complete with nothing lost, while LDAP goes on unhindered. An
 * account Keycloak refuses is failed at Keycloak only, while the others complete. GET /changes and
 * the status exchange show both drivers' tags for a message id. A resync after wiping the realm's
 * users restores every user.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ConsumeMessage } from 'amqplib';
import type { Entry } from 'ldapts';
import type { ChangeStatus } from '../../src/topology/contracts/changeStatus.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { eventually, uniqueName } from '../support/brokers.ts';
import { runCli } from '../support/cli.ts';
import { captureExchange, type ExchangeCapture } from '../support/exchangeCapture.ts';
import { provisionOwnRealm, type OwnRealm } from '../support/keycloakOwnRealm.ts';
import { keycloakDriverEnv } from '../support/keycloakRealmUsers.ts';
import { keycloakUrl, passwordLogin, requireKeycloak, type KeycloakUser } from '../support/keycloakServer.ts';
import { ldapDriverEnv, makeTestBase, removeTestBase } from '../support/ldapBase.ts';
import { ldapRoot, requireLdap, values, withLdap } from '../support/ldapServer.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy.ts';
import { ADMIN_TOKEN, ansatt, startStack, stilling, type Stack } from './stack.ts';

const OPEN = '9999-12-31';
const CHANGES_TOKEN = 'e2e-publisher-secret';

interface StatusEvent { routingKey: string; correlationId: string | undefined; expiration: string | undefined; body: ChangeStatus }
const toStatusEvent = (m: ConsumeMessage): StatusEvent => ({ routingKey: m.fields.routingKey, correlationId: m.properties.correlationId, expiration: m.properties.expiration, body: JSON.parse(m.content.toString()) });
const sorted = (v: unknown) => [...(v as string[] ?? [])].sort();

describe('the LDAP and Keycloak drivers end to end', () => {
  let s: Stack;
  let base: string;
  let realm: OwnRealm;
  let proxy: TcpProxy;
  let statusEvents: ExchangeCapture<StatusEvent>;
  const statusExchange = uniqueName('ex_iga_status');
  const password = `pw-${randomBytes(8).toString('hex')}`;
  let kari: { id: string; userName: string; keycloakId: string; dn: string; hireMessageId: string };

  const cli = (...args: string[]) => runCli(args, { IGA_ADMIN_URL: s.service.adminUrl!, IGA_ADMIN_TOKEN: ADMIN_TOKEN, IGA_LOG_LEVEL: 'error' });
  const user = async (employeeNumber: string) => (await s.scim(`/Users?employeeNumber=${employeeNumber}`)).body.Resources?.[0];
  const account = (employeeNumber: string) => eventually(`the account of ${employeeNumber}`, () => user(employeeNumber), 60_000);
  const entryOf = async (accountId: string): Promise<Entry | undefined> =>
    withLdap(ldapRoot, async (c) => (await c.search(base, { scope: 'one', filter: `(igaAccountId=${accountId})`, attributes: ['*', 'pwdAccountLockedTime'] })).searchEntries[0]);
  const kcUser = async (accountId: string): Promise<KeycloakUser | undefined> => {
    const found = await realm.users.byAccountId(accountId);
    assert.ok(found.length <= 1, `one Keycloak user per account (${found.length} for ${accountId})`);
    return found[0];
  };
  /** The latest tag per key on the change-status topic. */
  const tags = async () => new Map((await s.readTopic(topicNames(s.appId).changeStatus)).map((r) => [r.key, r.value as ChangeStatus]));
  /** Every tag ever written for a key, oldest first. */
  const history = async (key: string) => (await s.readTopic(topicNames(s.appId).changeStatus)).filter((r) => r.key === key).map((r) => r.value as ChangeStatus);
  const tagged = (key: string, state: ChangeStatus['state'] = 'complete') => eventually(`${key} ${state}`, async () => {
    const t = (await tags()).get(key);
    return t?.state === state ? t : undefined;
  }, 60_000);
  const changes = async (path: string) => {
    const res = await fetch(`${s.service.changesUrl}${path}`, { headers: { authorization: `Bearer ${CHANGES_TOKEN}` } });
    return { status: res.status, body: await res.json() as any };
  };

  beforeAll(async () => {
    await requireLdap();
    await requireKeycloak();
    base = await makeTestBase(`kc-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
    realm = await provisionOwnRealm();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(keycloakUrl).port) });
    statusEvents = await captureExchange(statusExchange, toStatusEvent);
    s = await startStack({
      start: '2026-03-02T09:00:00Z',
      env: {
        ...ldapDriverEnv(base), ...keycloakDriverEnv({ ...realm, url: `http://127.0.0.1:${proxy.port}` }), IGA_DRIVERS: 'ldap,keycloak',
        IGA_DRIVER_RETRY_INITIAL_MS: '100', IGA_DRIVER_RETRY_MAX_MS: '1000', IGA_DRIVER_RETRYING_TAG_MS: '1000', IGA_KEYCLOAK_TIMEOUT_MS: '3000', IGA_KEYCLOAK_CONNECT_TIMEOUT_MS: '1000',
        IGA_AMQP_EXCHANGE_STATUS: statusExchange, IGA_CHANGES_PORT: '0', IGA_CHANGES_HOST: '127.0.0.1', IGA_CHANGES_TOKENS: `dfo:${CHANGES_TOKEN}`,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    await statusEvents?.close();
    await proxy?.close();
    if (base) await removeTestBase(base);
    await realm?.drop().catch(() => undefined);
  });

  test('a DFØ hire becomes an LDAP entry and a Keycloak user with the profile, both tagged complete with the AMQP message id', async () => {
    await s.sim.upsertEmployee(ansatt('700001', 'Kari', 'Nordmann'));
    await s.sim.upsertPosition(stilling('30000701', [['700001', '2020-01-01', OPEN]]));
    const { messageId } = await s.sim.publish('stillinger', '30000701');
    const a = await account('700001');
    const entry = await eventually('the LDAP entry', () => entryOf(a.id), 60_000);
    const u = await eventually('the Keycloak user', () => kcUser(a.id), 60_000);
    assert.deepEqual(values(entry, 'uid'), ['karnor']);
    assert.deepEqual(values(entry, 'eduPersonAffiliation').sort(), ['employee', 'member', 'staff']);
    assert.equal(u.username, 'karnor@uib.no');
    assert.equal(u.email, 'karnor@uib.no');
    assert.equal(u.firstName, 'Kari');
    assert.equal(u.lastName, 'Nordmann');
    assert.equal(u.enabled, true);
    assert.deepEqual(u.attributes?.employeeNumber, ['700001']);
    assert.deepEqual(sorted(u.attributes?.eduPersonAffiliation), ['employee', 'member', 'staff']);
    assert.deepEqual(u.attributes?.igaAccountVersion, ['1']);
    for (const d of ['ldap', 'keycloak']) {
      const t = await tagged(`${a.id}:v1|${d}`);
      assert.equal(t.messageId, messageId, `${d} tag carries the publisher's message id`);
    }
    kari = { id: a.id, userName: a.userName, keycloakId: u.id, dn: entry!.dn, hireMessageId: messageId };
  });

  test('with a password the test sets, the person signs in: the ID token and userinfo carry the profile, and iga-stream login prints it', async () => {
    await realm.users.setPassword(kari.keycloakId, password);
    const login = await passwordLogin(kari.userName, password, realm.issuer);
    const profile = {
      sub: kari.keycloakId, preferred_username: kari.userName, email: kari.userName, email_verified: true, given_name: 'Kari', family_name: 'Nordmann',
      name: 'Kari Nordmann', employee_number: '700001', iga_account_id: kari.id, iga_account_version: 1,
    };
    for (const [claim, expected] of Object.entries(profile)) {
      assert.deepEqual(login.idToken[claim], expected, `ID token claim ${claim}`);
      assert.deepEqual(login.userinfo[claim], expected, `userinfo claim ${claim}`);
    }
    assert.deepEqual(sorted(login.idToken.eduperson_affiliation), ['employee', 'member', 'staff']);
    assert.deepEqual(sorted(login.userinfo.eduperson_affiliation), ['employee', 'member', 'staff']);
    const r = await runCli(['login', kari.userName, '--password', password, '--json'], { IGA_KEYCLOAK_URL: keycloakUrl, IGA_KEYCLOAK_REALM: realm.realm });
    assert.equal(r.code, 0, r.stderr);
    const printed = JSON.parse(r.stdout) as { idToken: Record<string, unknown>; userinfo: Record<string, unknown> };
    assert.equal(printed.idToken.iga_account_id, kari.id);
    assert.equal(printed.userinfo.employee_number, '700001');
  });

  test('a removal locks the LDAP entry and disables the Keycloak user (sign-in refused); a re-hire reactivates the same entry and the same user', async () => {
    await s.sim.upsertPosition(stilling('30000701', [['700001', '2020-01-01', '2026-03-01']]), { notify: true });
    await tagged(`${kari.id}:v2|ldap`);
    await tagged(`${kari.id}:v2|keycloak`);
    const locked = await entryOf(kari.id);
    assert.deepEqual(values(locked, 'pwdAccountLockedTime'), ['000001010000Z']);
    assert.deepEqual(values(locked, 'eduPersonAffiliation'), []);
    const disabled = await kcUser(kari.id);
    assert.equal(disabled?.enabled, false);
    assert.equal(disabled?.attributes?.eduPersonAffiliation, undefined);
    await assert.rejects(passwordLogin(kari.userName, password, realm.issuer), /400.*(disabled|invalid_grant)/i);

    await s.sim.upsertPosition(stilling('30000701', [['700001', '2020-01-01', '2026-03-01'], ['700001', '2026-03-02', OPEN]]), { notify: true });
    await tagged(`${kari.id}:v3|ldap`);
    await tagged(`${kari.id}:v3|keycloak`);
    const unlocked = await entryOf(kari.id);
    assert.equal(unlocked?.dn, kari.dn, 'the same entry');
    assert.deepEqual(values(unlocked, 'pwdAccountLockedTime'), []);
    const enabled = await kcUser(kari.id);
    assert.equal(enabled?.id, kari.keycloakId, 'the same Keycloak user');
    assert.equal(enabled?.enabled, true);
    const login = await passwordLogin(kari.userName, password, realm.issuer);
    assert.equal(login.idToken.sub, kari.keycloakId, 'signs in again with the same password');
    assert.equal(login.idToken.iga_account_version, 3);
    assert.deepEqual(sorted(login.idToken.eduperson_affiliation), ['employee', 'member', 'staff']);
  });

  test('Keycloak away for a while: its changes wait (retrying) while LDAP goes on unhindered; once it is back every change ends complete, nothing lost', async () => {
    await proxy.stop();
    let hires: Array<{ id: string; userName: string }> = [];
    let waiter = '';
    let lastWaitingAttempt = 0;
    try {
      await s.sim.upsertEmployee(ansatt('700002', 'Berit', 'Borte'));
      await s.sim.upsertEmployee(ansatt('700003', 'Carl', 'Borte'));
      await s.sim.upsertPosition(stilling('30000702', [['700002', '2020-01-01', OPEN], ['700003', '2020-01-01', OPEN]]), { notify: true });
      hires = [await account('700002'), await account('700003')];
      // LDAP does not wait for Keycloak: both entries are written and tagged complete meanwhile.
      for (const a of hires) {
        await tagged(`${a.id}:v1|ldap`);
        assert.ok(await entryOf(a.id), `${a.userName} in LDAP while Keycloak is away`);
      }
      // The first of them in its partition waits (a change behind it in the same partition waits without trying).
      const waiting = await eventually('a Keycloak change retrying with a later attempt', async () => {
        for (const a of hires) {
          const r = (await history(`${a.id}:v1|keycloak`)).filter((t) => t.state === 'retrying');
          if (r.length >= 2 && r.at(-1)!.attempts >= 4) return r;
        }
        return undefined;
      }, 60_000);
      waiter = waiting[0]!.changeId;
      lastWaitingAttempt = waiting.at(-1)!.attempts;
      assert.ok(waiting.at(-1)!.attempts > waiting[0]!.attempts);
      assert.match(waiting.at(-1)!.error ?? '', /ECONNREFUSED|connect|socket|closed/i);
      for (const a of hires) assert.notEqual((await tags()).get(`${a.id}:v1|keycloak`)?.state, 'complete', 'Keycloak has not taken it');
      const list = await cli('drivers');
      assert.match(list.stdout, /Driver keycloak .*WAITING for the destination/);
      assert.match(list.stdout, /Driver ldap .*caught up(?!.*WAITING)/);
      // A drift check cannot read a Keycloak that is away: it stops with the error (exit 1), nothing half-done.
      const drift = await cli('drivers', 'drift', 'keycloak', '--dry-run');
      assert.equal(drift.code, 1, drift.stdout);
      assert.match(drift.stderr, /drivers\/keycloak\/drift.*Keycloak could not list the users: no answer \(ECONNREFUSED/);
    } finally {
      // Back in any case, so that a failure here does not take Keycloak from the tests after it.
      await proxy.start();
    }
    for (const a of hires) {
      const done = await tagged(`${a.id}:v1|keycloak`);
      if (done.changeId === waiter) assert.ok(done.attempts > lastWaitingAttempt, `${a.userName}: complete after ${done.attempts} attempts`);
      const u = await kcUser(a.id);
      assert.equal(u?.username, a.userName);
      assert.equal(u?.enabled, true);
    }
    const users = (await realm.users.list()).filter((u) => u.attributes?.igaAccountId);
    assert.deepEqual(users.map((u) => u.username).sort(), ['berbor@uib.no', 'carbor@uib.no', 'karnor@uib.no'], 'every account once, nothing lost');
  });

  test('an account Keycloak refuses (its e-mail belongs to another user) is failed at Keycloak only; the others complete at both', async () => {
    const squatter = await realm.users.create({ username: 'someone-else', email: 'olahan@uib.no', enabled: true });
    await s.sim.upsertEmployee(ansatt('700004', 'Ola', 'Hansen'));
    await s.sim.upsertEmployee(ansatt('700005', 'Per', 'Berg'));
    await s.sim.upsertPosition(stilling('30000703', [['700004', '2020-01-01', OPEN], ['700005', '2020-01-01', OPEN]]));
    const { messageId } = await s.sim.publish('stillinger', '30000703');
    const [ola, per] = [await account('700004'), await account('700005')];
    const failed = await tagged(`${ola.id}:v1|keycloak`, 'failed');
    assert.match(failed.error ?? '', /Keycloak refused account .* 409 .*email/i);
    await tagged(`${ola.id}:v1|ldap`);
    await tagged(`${per.id}:v1|ldap`);
    await tagged(`${per.id}:v1|keycloak`);
    assert.equal((await realm.users.get(squatter))?.username, 'someone-else', 'the other user is left alone');

    // The publisher's view of that message: both drivers' tags per change.
    const view = await eventually('the message view with every tag', async () => {
      const v = await changes(`/changes?messageId=${encodeURIComponent(messageId)}`);
      return v.status === 200 && v.body.changes.length === 2 && v.body.changes.every((c: any) => c.tags.ldap && c.tags.keycloak && c.tags.keycloak.state !== 'retrying') ? v : undefined;
    });
    const byAccount = new Map(view.body.changes.map((c: any) => [c.accountId, c]));
    const olaView = byAccount.get(ola.id) as any;
    assert.equal(olaView.tags.ldap.state, 'complete');
    assert.equal(olaView.tags.keycloak.state, 'failed');
    assert.match(olaView.tags.keycloak.error, /409/);
    assert.equal(olaView.outcome, 'failed');
    const perView = byAccount.get(per.id) as any;
    assert.deepEqual([perView.tags.ldap.state, perView.tags.keycloak.state, perView.outcome], ['complete', 'complete', 'complete']);
    assert.equal(view.body.complete, false);
    const list = await cli('drivers', '--json');
    const keycloak = JSON.parse(list.stdout).drivers.find((d: any) => d.name === 'keycloak');
    assert.deepEqual(keycloak.parked.map((p: any) => p.changeId), [`${ola.id}:v1`]);
  });

  test('GET /changes and the status exchange show both drivers\' tags for the hire\'s AMQP message id', async () => {
    const view = await changes(`/changes?messageId=${encodeURIComponent(kari.hireMessageId)}`);
    assert.equal(view.status, 200);
    assert.equal(view.body.status, 'accepted');
    const hire = view.body.changes.find((c: any) => c.changeId === `${kari.id}:v1`);
    assert.equal(hire.type, 'CREATE');
    assert.equal(hire.tags.ldap.state, 'complete');
    assert.equal(hire.tags.keycloak.state, 'complete');
    assert.equal(hire.outcome, 'complete');
    assert.equal(view.body.complete, true);
    const events = await eventually('both status events of the hire', () => {
      const e = statusEvents.items.filter((x) => x.body.changeId === `${kari.id}:v1` && x.body.state === 'complete');
      return e.length >= 2 ? e : undefined;
    });
    assert.deepEqual([...new Set(events.map((e) => e.routingKey))].sort(), ['keycloak.complete', 'ldap.complete']);
    for (const e of events) {
      assert.equal(e.correlationId, kari.hireMessageId);
      assert.equal(e.expiration, '86400000');
    }
    assert.ok(statusEvents.items.some((e) => e.routingKey === 'keycloak.retrying'), 'the outage\'s retrying tags went out too');
    assert.ok(statusEvents.items.some((e) => e.routingKey === 'keycloak.failed'));
  });

  test('a resync after wiping the realm\'s users restores every user', async () => {
    const accounts = (await s.scim('/Users?count=100')).body.Resources as Array<{ id: string; userName: string; active: boolean; meta: { version: string } }>;
    assert.equal(accounts.length, 5);
    for (const u of await realm.users.list()) await realm.users.remove(u.id);
    assert.deepEqual(await realm.users.list(), []);
    const r = await cli('drivers', 'resync', 'keycloak');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /drivers resync keycloak: .*accounts/);
    assert.match(r.stdout, /drivers resync keycloak: 5 accounts: 5 written, 0 already there, 0 refused/);
    const users = await realm.users.list();
    assert.deepEqual(users.map((u) => u.username).sort(), accounts.map((a) => a.userName).sort());
    for (const a of accounts) {
      const u = users.find((x) => x.attributes?.igaAccountId?.[0] === a.id);
      assert.equal(u?.enabled, a.active, a.userName);
      assert.deepEqual(u?.attributes?.igaAccountVersion, [a.meta.version.replace(/^W\/"|"$/g, '')], a.userName);
    }
    // The refused account had no user; with the squatter wiped it is written now, and its parked change is repaired.
    const ola = accounts.find((a) => a.userName === 'olahan@uib.no')!;
    assert.equal((await tags()).get(`${ola.id}:v1|keycloak`)?.state, 'complete');
    const twice = await cli('drivers', 'resync', 'keycloak');
    assert.match(twice.stdout, /5 accounts: 0 written, 5 already there, 0 refused/);
    // LDAP was never touched by any of this: every account is there once.
    const entries = await withLdap(ldapRoot, async (c) => (await c.search(base, { scope: 'one', attributes: ['igaAccountId'] })).searchEntries);
    assert.deepEqual(entries.map((e) => String(e.igaAccountId)).sort(), accounts.map((a) => a.id).sort());
  });
});
