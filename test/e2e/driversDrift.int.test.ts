/**
 * Drift checks of the drivers end to end (issue 11, part 5), on the real slapd (a branch of the
 * test's own) and the real Keycloak (a scratch realm of its own, so its list holds only this test's
 * users): DFØ hires flow to both destinations; then the test damages them behind the drivers' backs
 * — an entry or user deleted, its version removed, locked or disabled by hand, a name changed, an
 * entry of an account that does not exist added. `iga-stream drivers drift <driver> --dry-run`
 * reports each as its kind and changes nothing; without --dry-run it re-drives the damaged accounts
 * (an account the directory refuses stays reported with its error), the destinations hold every
 * account again, and the entry of the unknown account is still there: reported, never deleted.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Attribute, Change } from 'ldapts';
import { PROFILE_ATTRIBUTES } from '../../scripts/keycloak/realm.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import type { ChangeStatus } from '../../src/topology/contracts/changeStatus.ts';
import { eventually } from '../support/brokers.ts';
import { runCli } from '../support/cli.ts';
import { keycloakDriverEnv, realmUsers, type RealmUsers } from '../support/keycloakRealmUsers.ts';
import { createScratchRealm, type ScratchRealm } from '../support/keycloakScratchRealm.ts';
import { keycloakUrl, requireKeycloak } from '../support/keycloakServer.ts';
import { ldapDriverEnv, makeTestBase, removeTestBase } from '../support/ldapBase.ts';
import { ldapRoot, requireLdap, values, withLdap } from '../support/ldapServer.ts';
import { ADMIN_TOKEN, ansatt, startStack, stilling, type Stack } from './stack.ts';

const OPEN = '9999-12-31';
/** Five hires; Nora has no family name, which the directory refuses (person requires sn) and Keycloak takes. */
const PEOPLE: Array<[string, string, string]> = [['600001', 'Ada', 'Drift'], ['600002', 'Bjørn', 'Drift'], ['600003', 'Cato', 'Drift'], ['600004', 'Dina', 'Drift'], ['600005', 'Nora', '']];

describe('drift checks of the LDAP and Keycloak drivers', () => {
  let s: Stack;
  let base: string;
  let realm: ScratchRealm;
  let kc: RealmUsers;
  const ids = new Map<string, { id: string; uid: string; userName: string }>();
  const cli = (...args: string[]) => runCli(['drivers', ...args], { IGA_ADMIN_URL: s.service.adminUrl!, IGA_ADMIN_TOKEN: ADMIN_TOKEN, IGA_LOG_LEVEL: 'error' });
  const json = async (...args: string[]) => {
    const r = await cli(...args, '--json');
    assert.ok(r.stdout.trim().startsWith('{'), `drivers ${args.join(' ')}: exit ${r.code}\n${r.stdout}${r.stderr}`);
    return { code: r.code, ...(JSON.parse(r.stdout) as { report: any; driverProgress: any }) };
  };
  const ldapEntry = async (uid: string) => withLdap(ldapRoot, async (c) => (await c.search(base, { scope: 'one', filter: `(uid=${uid})`, attributes: ['*', 'pwdAccountLockedTime'] })).searchEntries[0]);
  const ldapModify = (uid: string, changes: Array<[type: string, values: string[]]>) =>
    withLdap(ldapRoot, (c) => c.modify(`uid=${uid},${base}`, changes.map(([type, v]) => new Change({ operation: 'replace', modification: new Attribute({ type, values: v }) }))));
  const kcUser = async (name: string) => (await kc.byAccountId(ids.get(name)!.id))[0];
  const kinds = (report: any) => new Map((report.drifts as any[]).map((d) => [d.userName.split('@')[0], d.kind]));

  beforeAll(async () => {
    await requireLdap();
    await requireKeycloak();
    base = await makeTestBase(`drift-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
    realm = await createScratchRealm({ declared: PROFILE_ATTRIBUTES.map((a) => a.name) });
    const client = { url: keycloakUrl, realm: realm.realm, clientId: realm.clientId, clientSecret: realm.clientSecret };
    kc = realmUsers(client);
    s = await startStack({
      start: '2026-03-02T09:00:00Z',
      env: { ...ldapDriverEnv(base), ...keycloakDriverEnv(client), IGA_DRIVERS: 'ldap,keycloak', IGA_DRIVER_RETRY_INITIAL_MS: '100', IGA_DRIVER_RETRY_MAX_MS: '1000' },
    });
    for (const [emp, given, family] of PEOPLE) await s.sim.upsertEmployee(ansatt(emp, given, family));
    await s.sim.upsertPosition(stilling('30000601', PEOPLE.map(([emp]) => [emp, '2020-01-01', OPEN] as [string, string, string])), { notify: true });
    for (const [emp, given] of PEOPLE) {
      const user = await eventually(`${given}'s account`, async () => (await s.scim(`/Users?employeeNumber=${emp}`)).body.Resources?.[0], 60_000);
      ids.set(given, { id: user.id, uid: user.userName.split('@')[0], userName: user.userName });
    }
    // Every change tagged by both drivers: complete, or (Nora at LDAP) failed.
    await eventually('every change tagged by both drivers', async () => {
      const tags = new Map((await s.readTopic(topicNames(s.appId).changeStatus)).map((r) => [r.key, r.value as ChangeStatus]));
      return [...ids.values()].every(({ id }) => ['ldap', 'keycloak'].every((d) => ['complete', 'failed'].includes(tags.get(`${id}:v1|${d}`)?.state ?? '')));
    }, 60_000);
  }, 180_000);
  afterAll(async () => {
    await s?.close();
    if (base) await removeTestBase(base);
    await realm?.drop().catch(() => undefined);
  });

  test('before any damage: Keycloak has no drift; LDAP has one missing entry, the account it refused', async () => {
    const k = await json('drift', 'keycloak', '--dry-run');
    assert.equal(k.code, 0);
    assert.equal(k.report.outcome, 'clean', JSON.stringify(k.report.drifts));
    assert.equal(k.report.accounts, 5);
    assert.equal(k.report.entries, 5);
    const l = await json('drift', 'ldap', '--dry-run');
    assert.equal(l.code, 0, 'a dry run exits 0');
    assert.deepEqual([...kinds(l.report)], [[ids.get('Nora')!.uid, 'missing-entry']]);
    assert.equal(l.report.entries, 4);
  });

  test('LDAP: a dry run reports each damage as its kind and changes nothing; the repair re-drives the accounts, the refused one stays reported, the unknown entry is left alone', async () => {
    const [ada, bjorn, cato, dina] = ['Ada', 'Bjørn', 'Cato', 'Dina'].map((n) => ids.get(n)!);
    const ghostId = randomUUID();
    await withLdap(ldapRoot, async (c) => {
      await c.del(`uid=${ada!.uid},${base}`);
      await c.add(`uid=ghost,${base}`, {
        objectClass: ['inetOrgPerson', 'eduPerson', 'norEduPerson', 'igaStream'], uid: 'ghost', cn: 'Ghost Entry', sn: 'Entry', igaAccountId: ghostId, igaAccountVersion: '2',
      });
    });
    await ldapModify(bjorn!.uid, [['igaAccountVersion', []]]);
    await ldapModify(cato!.uid, [['pwdAccountLockedTime', ['000001010000Z']]]);
    await ldapModify(dina!.uid, [['givenName', ['Dinah']], ['eduPersonAffiliation', ['affiliate']]]);

    const dry = await json('drift', 'ldap', '--dry-run');
    assert.equal(dry.report.outcome, 'dry-run');
    assert.deepEqual(kinds(dry.report), new Map([
      [ada!.uid, 'missing-entry'], [ids.get('Nora')!.uid, 'missing-entry'], [bjorn!.uid, 'stale-entry'], [cato!.uid, 'wrong-state'], [dina!.uid, 'wrong-attributes'], ['ghost', 'unknown-entry'],
    ]));
    const dinaDrift = dry.report.drifts.find((d: any) => d.kind === 'wrong-attributes');
    assert.match(dinaDrift.detail, /givenName "Dinah" \(account: "Dina"\), eduPersonAffiliation \[affiliate\] \(account: \[employee, member, staff\]\)/);
    assert.equal(dry.report.unresolved, 6);
    assert.equal(await ldapEntry(ada!.uid), undefined, 'a dry run repairs nothing');
    const metrics = await (await fetch(`${s.service.adminUrl}/metrics`)).text();
    assert.match(metrics, /^iga_driver_drift\{driver="ldap",kind="missing-entry"\} 2$/m);
    assert.match(metrics, /^iga_driver_drift\{driver="ldap",kind="unknown-entry"\} 1$/m);
    assert.match(metrics, /^iga_driver_drift_unresolved\{driver="ldap"\} 6$/m);

    const text = await cli('drift', 'ldap');
    assert.equal(text.code, 1, 'drift is left (the refused account, the unknown entry): exit 1');
    assert.match(text.stderr, /drivers drift ldap .*: reading the destination/);
    assert.match(text.stdout, /repaired {2}5 accounts re-driven with their latest state: 4 written, 0 already there, 1 refused/);
    assert.match(text.stdout, new RegExp(`refused {3}${ids.get('Nora')!.userName} .*objectClassViolation`));
    assert.match(text.stdout, /still there:[\s\S]*unknown-entry {5}ldap holds ghost/);
    assert.match(text.stdout, /drivers drift ldap: 6 drifts found; 2 left/);

    const [a, b, c, d] = await Promise.all([ada, bjorn, cato, dina].map((x) => ldapEntry(x!.uid)));
    assert.deepEqual(values(a, 'igaAccountId'), [ada!.id], 'the missing entry is back');
    assert.deepEqual(values(a, 'eduPersonAffiliation').sort(), ['employee', 'member', 'staff']);
    assert.deepEqual(values(b, 'igaAccountVersion'), ['1']);
    assert.deepEqual(values(c, 'pwdAccountLockedTime'), [], 'unlocked: the account is active');
    assert.deepEqual(values(d, 'givenName'), ['Dina']);
    assert.deepEqual(values(d, 'eduPersonAffiliation').sort(), ['employee', 'member', 'staff']);
    assert.deepEqual(values(await ldapEntry('ghost'), 'igaAccountId'), [ghostId], 'the unknown account\'s entry is never deleted');

    const again = await json('drift', 'ldap');
    assert.deepEqual(kinds(again.report), new Map([[ids.get('Nora')!.uid, 'missing-entry'], ['ghost', 'unknown-entry']]));
    assert.equal(again.report.repairs.applied, 0);
    const after = await (await fetch(`${s.service.adminUrl}/metrics`)).text();
    assert.match(after, /^iga_driver_drift_unresolved\{driver="ldap"\} 2$/m);
    assert.match(after, /^iga_driver_drift_checks_total\{driver="ldap",mode="repair",outcome="unresolved"\} 2$/m);
  });

  test('Keycloak: a deleted, a disabled, a renamed and a version-less user, and a user of no account: found, repaired, the stranger left alone', async () => {
    const [ada, bjorn, cato, dina] = ['Ada', 'Bjørn', 'Cato', 'Dina'].map((n) => ids.get(n)!);
    const adaBefore = (await kcUser('Ada'))!;
    await kc.remove(adaBefore.id);
    await kc.update((await kcUser('Bjørn'))!.id, { enabled: false });
    await kc.update((await kcUser('Cato'))!.id, { lastName: 'Byhand' });
    const dinaUser = (await kcUser('Dina'))!;
    await kc.update(dinaUser.id, { attributes: { ...dinaUser.attributes, igaAccountVersion: [] } });
    const strangerId = randomUUID();
    await kc.create({ username: 'stranger@elsewhere.no', email: 'stranger@elsewhere.no', enabled: true, attributes: { igaAccountId: [strangerId], igaAccountVersion: ['3'] } });

    const dry = await json('drift', 'keycloak', '--dry-run');
    assert.deepEqual(kinds(dry.report), new Map([[ada!.uid, 'missing-entry'], [dina!.uid, 'stale-entry'], [bjorn!.uid, 'wrong-state'], [cato!.uid, 'wrong-attributes'], ['stranger', 'unknown-entry']]));
    assert.equal(await kcUser('Ada'), undefined, 'a dry run repairs nothing');

    const fixed = await json('drift', 'keycloak');
    assert.equal(fixed.code, 1, 'the stranger is left: exit 1');
    assert.equal(fixed.report.outcome, 'unresolved');
    assert.deepEqual(fixed.report.repairs, { applied: 4, unchanged: 0, failed: 0 });
    assert.deepEqual(fixed.report.unresolvedDrifts.map((d: any) => d.kind), ['unknown-entry']);
    const [a, b, c, d] = await Promise.all(['Ada', 'Bjørn', 'Cato', 'Dina'].map((n) => kcUser(n)));
    assert.equal(a?.username, ada!.userName, 'the deleted user is back');
    assert.deepEqual([...(a?.attributes?.eduPersonAffiliation ?? [])].sort(), ['employee', 'member', 'staff']);
    assert.equal(b?.enabled, true);
    assert.equal(c?.lastName, 'Drift');
    assert.deepEqual(d?.attributes?.igaAccountVersion, ['1']);
    assert.equal((await kc.byAccountId(strangerId)).length, 1, 'the user of no account is never deleted');
    assert.equal((await json('drift', 'keycloak', '--dry-run')).report.unresolved, 1);
  });

  test('the drift checks leave the drivers\' tags complete and the other destination alone', async () => {
    const tags = new Map((await s.readTopic(topicNames(s.appId).changeStatus)).map((r) => [r.key, r.value as ChangeStatus]));
    for (const name of ['Ada', 'Bjørn', 'Cato', 'Dina']) {
      for (const d of ['ldap', 'keycloak']) assert.equal(tags.get(`${ids.get(name)!.id}:v1|${d}`)?.state, 'complete', `${name} at ${d}`);
    }
    assert.equal(tags.get(`${ids.get('Nora')!.id}:v1|ldap`)?.state, 'failed');
    assert.equal(tags.get(`${ids.get('Nora')!.id}:v1|keycloak`)?.state, 'complete');
    // A check of a driver this instance does not run is refused.
    const r = await cli('drift', 'nosuch', '--dry-run');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no driver 'nosuch' runs here/);
  });
});
