/**
 * The Keycloak destination against the real Keycloak (scripts/keycloak.sh): a create becomes a
 * user who, once a test sets a password, signs in through the test client with the profile in the
 * ID token and userinfo (CIS's return in-flow and async-flow); a newer version modifies, the same or
 * an older one writes nothing; a block disables the user (sign-in refused) and drops the
 * affiliations, a reactivation enables the same user. Refusals carry Keycloak's words and stop no
 * other account; a Keycloak that is unreachable, failing, throttling or hung is unavailable; wrong
 * secrets, realms, roles, user profiles and certificates are configuration problems, logged once.
 * Requests go through proxies of the test's own (TCP, HTTP, TLS) where the test needs to see or
 * break the traffic; the shared realm `iga` is never reconfigured (scratch realms are made for that).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { z } from 'zod';
import { DestinationRefused, DestinationUnavailable, type AccountChange } from '../../../connectors/drivers/destination.ts';
import { createKeycloakDestination as create, KeycloakConfigurationError, type KeycloakSettingsInput } from '../../../connectors/drivers/keycloak/index.ts';
import { testCaFile } from '../../support/brokers.ts';
import { startHttpFaultProxy, type HttpFaultProxy } from '../../support/httpFaultProxy.ts';
import {
  createUser, deleteUsers, DRIVER_CLIENT_ID, driverSecretFile, getUser, keycloakRealm, keycloakUrl, listUsers, passwordLogin, requireKeycloak, setPassword, updateUser,
} from '../../support/keycloakServer.ts';
import { createScratchRealm, type ScratchRealm } from '../../support/keycloakScratchRealm.ts';
import { HttpTransport } from '../../../connectors/drivers/keycloak/http.ts';
import { ClientCredentialsTokens, renewMarginMs } from '../../../connectors/drivers/keycloak/tokens.ts';
import { startTcpProxy } from '../../support/tcpProxy.ts';
import { startTlsProxy } from '../../support/tlsProxy.ts';

/** A run's own prefix for usernames: parallel runs against one Keycloak never collide. */
const run = `t${randomBytes(3).toString('hex')}`;
const keycloakPort = Number(new URL(keycloakUrl).port);

function settings(over: Partial<KeycloakSettingsInput> = {}): KeycloakSettingsInput {
  return { url: keycloakUrl, realm: keycloakRealm, clientId: DRIVER_CLIENT_ID, clientSecret: readFileSync(driverSecretFile, 'utf8').trim(), ...over };
}

function change(id: string, local: string, version: number, over: Partial<AccountChange['account']> = {}, affiliations?: string[]): AccountChange {
  const account = {
    id, personId: '100001', userName: `${local}@uib.no`, active: true, givenName: 'Kari', familyName: 'Nordmann', displayName: 'Kari Nordmann',
    employeeNumber: '100001', created: '2026-01-01T00:00:00Z', lastModified: '2026-01-01T00:00:00Z', version, ...over,
  };
  return { changeId: `${id}:v${version}`, account, affiliations: affiliations ?? (account.active ? ['employee', 'staff', 'member'] : []), cause: { kind: 'stillinger', id: '3001', messageId: `m-${version}` } };
}

/** A logger whose lines the test reads. */
function capturedLog(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  return { log: pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as Record<string, unknown>); } }), lines };
}

/** A destination whose log lines stay in the test (the configuration errors it logs are expected here). */
function createKeycloakDestination(input: KeycloakSettingsInput, opts: { log?: Logger } = {}) {
  return create(input, { log: opts.log ?? capturedLog().log });
}

const writes = (proxy: HttpFaultProxy, from: number) => proxy.seen.slice(from).filter((r) => /^(PUT|POST) \/admin\//.test(r));
const sorted = (v: unknown) => [...(v as string[])].sort();

describe('the Keycloak destination on the real Keycloak', () => {
  let proxy: HttpFaultProxy;
  let kc: ReturnType<typeof createKeycloakDestination>;
  const id = randomUUID();
  const local = `${run}kari`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  let keycloakId: string;

  beforeAll(async () => {
    await requireKeycloak();
    // In front of Keycloak so that the test sees which requests the destination makes.
    proxy = await startHttpFaultProxy({ host: '127.0.0.1', port: keycloakPort });
    kc = createKeycloakDestination(settings({ url: proxy.url }));
  });
  afterAll(async () => {
    await kc?.close();
    await proxy?.close();
    await deleteUsers(run).catch(() => undefined);
  });

  test('a create becomes a user; with a password set, the person signs in and the ID token and userinfo carry the profile', async () => {
    assert.equal(await kc.apply(change(id, local, 1)), 'applied');
    const [user, ...more] = await listUsers(`igaAccountId:${id}`);
    assert.equal(more.length, 0);
    keycloakId = user!.id;
    assert.equal(user!.username, `${local}@uib.no`);
    assert.equal(user!.email, `${local}@uib.no`);
    assert.equal(user!.enabled, true);
    await setPassword(keycloakId, password);

    const login = await passwordLogin(`${local}@uib.no`, password);
    const profile = {
      sub: keycloakId, preferred_username: `${local}@uib.no`, email: `${local}@uib.no`, email_verified: true, given_name: 'Kari', family_name: 'Nordmann',
      name: 'Kari Nordmann', employee_number: '100001', iga_account_id: id, iga_account_version: 1,
    };
    for (const [claim, expected] of Object.entries(profile)) {
      assert.deepEqual(login.idToken[claim], expected, `ID token claim ${claim} (return in-flow)`);
      assert.deepEqual(login.userinfo[claim], expected, `userinfo claim ${claim} (return async-flow)`);
    }
    assert.deepEqual(sorted(login.idToken.eduperson_affiliation), ['employee', 'member', 'staff']);
    assert.deepEqual(sorted(login.userinfo.eduperson_affiliation), ['employee', 'member', 'staff']);
  });

  test('the same change again (a replay) is unchanged and writes nothing', async () => {
    const from = proxy.seen.length;
    assert.equal(await kc.apply(change(id, local, 1)), 'unchanged');
    assert.deepEqual(writes(proxy, from), []);
    assert.ok(proxy.seen.length > from, 'it did look');
  });

  test('a newer version modifies the same user: the next sign-in shows the new profile', async () => {
    assert.equal(await kc.apply(change(id, local, 4, { familyName: 'Hansen', employeeNumber: '100002' }, ['employee', 'faculty', 'member'])), 'applied');
    const login = await passwordLogin(`${local}@uib.no`, password);
    assert.equal(login.idToken.sub, keycloakId);
    assert.equal(login.idToken.family_name, 'Hansen');
    assert.equal(login.userinfo.employee_number, '100002');
    assert.equal(login.idToken.iga_account_version, 4);
    assert.deepEqual(sorted(login.userinfo.eduperson_affiliation), ['employee', 'faculty', 'member']);
    const entry = await kc.read(id);
    assert.deepEqual(entry, {
      accountId: id, version: 4, userName: `${local}@uib.no`, active: true,
      attributes: { keycloakId, givenName: 'Kari', familyName: 'Hansen', mail: `${local}@uib.no`, employeeNumber: '100002', eduPersonAffiliation: ['employee', 'faculty', 'member'] },
    });
  });

  test('an older version after a newer one is unchanged: nothing is written and the user keeps the newer state', async () => {
    const from = proxy.seen.length;
    assert.equal(await kc.apply(change(id, local, 2, { familyName: 'Old' })), 'unchanged');
    assert.equal(await kc.apply(change(id, local, 4, { familyName: 'Other' })), 'unchanged');
    assert.deepEqual(writes(proxy, from), []);
    const user = await getUser(keycloakId);
    assert.equal(user?.lastName, 'Hansen');
    assert.deepEqual(user?.attributes?.igaAccountVersion, ['4']);
  });

  test('a block disables the user — sign-in is refused — and removes the affiliations and the employee number', async () => {
    assert.equal(await kc.apply(change(id, local, 5, { active: false, employeeNumber: null })), 'applied');
    const user = await getUser(keycloakId);
    assert.equal(user?.enabled, false);
    assert.equal(user?.attributes?.eduPersonAffiliation, undefined);
    assert.equal(user?.attributes?.employeeNumber, undefined);
    assert.deepEqual(user?.attributes?.igaAccountVersion, ['5']);
    await assert.rejects(passwordLogin(`${local}@uib.no`, password), /400.*(disabled|invalid_grant)/i);
    assert.equal((await kc.read(id))?.active, false);
  });

  test('a reactivation enables the same user (same Keycloak id, same password) with its affiliations back', async () => {
    assert.equal(await kc.apply(change(id, local, 6)), 'applied');
    const login = await passwordLogin(`${local}@uib.no`, password);
    assert.equal(login.idToken.sub, keycloakId);
    assert.equal(login.idToken.iga_account_version, 6);
    assert.deepEqual(sorted(login.idToken.eduperson_affiliation), ['employee', 'member', 'staff']);
    assert.deepEqual((await listUsers(`igaAccountId:${id}`)).map((u) => u.id), [keycloakId], 'still one user for the account');
  });

  test('a rewrite (drift repair) writes the same version over a user changed by hand, and never an older one', async () => {
    const res = await updateUser(keycloakId, { enabled: false, firstName: 'Tampered' });
    assert.equal(res.status, 204, await res.text());
    const from = proxy.seen.length;
    assert.equal(await kc.apply(change(id, local, 6)), 'unchanged', 'the version alone says it is up to date');
    assert.equal(await kc.apply(change(id, local, 5), { rewrite: true }), 'unchanged', 'an older version is never rewritten');
    assert.deepEqual(writes(proxy, from), []);
    assert.equal(await kc.apply(change(id, local, 6), { rewrite: true }), 'applied');
    const user = await getUser(keycloakId);
    assert.equal(user?.enabled, true);
    assert.equal(user?.firstName, 'Kari');
    assert.deepEqual(user?.attributes?.igaAccountVersion, ['6']);
    assert.equal((await passwordLogin(`${local}@uib.no`, password)).idToken.sub, keycloakId, 'signs in again, same user and password');
  });

  test('an e-mail another user already has is refused with Keycloak\'s message, and other accounts go on', async () => {
    const squatter = `${run}squat`;
    await createUser({ username: squatter, email: `${run}ola@uib.no`, enabled: true });
    const refusedId = randomUUID();
    await assert.rejects(kc.apply(change(refusedId, `${run}ola`, 1)), (err: unknown) => {
      assert.ok(err instanceof DestinationRefused, String(err));
      assert.match(err.message, new RegExp(`Keycloak refused account ${refusedId} \\(${run}ola@uib\\.no\\) version 1: 409 User exists with same email`));
      return true;
    });
    assert.equal(await kc.read(refusedId), null);
    const otherId = randomUUID();
    assert.equal(await kc.apply(change(otherId, `${run}per`, 1)), 'applied');
    assert.equal((await kc.read(otherId))?.active, true);
  });

  test('a value the user profile rejects is refused naming the field and the value; the user keeps its version, so a good change applies next', async () => {
    await assert.rejects(kc.apply(change(id, local, 7, {}, ['employee', 'wizard'])), (err: unknown) => {
      assert.ok(err instanceof DestinationRefused, String(err));
      assert.match(err.message, /400 eduPersonAffiliation: error-invalid-value \(sent \["employee","wizard"\]\)/);
      return true;
    });
    await assert.rejects(kc.apply(change(id, local, 7, { givenName: 'Kari<script>' })), /firstName: error-person-name-invalid-character \(sent "Kari<script>"\)/);
    assert.deepEqual((await getUser(keycloakId))?.attributes?.igaAccountVersion, ['6']);
    assert.equal(await kc.apply(change(id, local, 7, { givenName: 'Kari Anne' })), 'applied');
    assert.equal((await getUser(keycloakId))?.firstName, 'Kari Anne');
  });

  test('a user made before the driver with the account\'s username is taken over (same id, password kept); one of another account is refused', async () => {
    const handMade = await createUser({ username: `${run}eva@uib.no`, email: `${run}eva@uib.no`, enabled: true, firstName: 'Eva' });
    await setPassword(handMade, password);
    const evaId = randomUUID();
    assert.equal(await kc.apply(change(evaId, `${run}eva`, 3, { givenName: 'Eva' })), 'applied');
    assert.equal((await kc.read(evaId))?.attributes.keycloakId, handMade);
    assert.equal((await passwordLogin(`${run}eva@uib.no`, password)).idToken.iga_account_id, evaId);

    const intruder = randomUUID();
    await assert.rejects(kc.apply(change(intruder, `${run}eva`, 9)), (err: unknown) => {
      assert.ok(err instanceof DestinationRefused, String(err));
      assert.match(err.message, new RegExp(`${run}eva@uib\\.no \\(${handMade}\\) belongs to account ${evaId}, not ${intruder}`));
      return true;
    });
    assert.equal((await kc.read(evaId))?.version, 3);
  });

  test('list pages through the realm and returns every user that carries an account id, each once, and no other', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const [i, accountId] of ids.entries()) await kc.apply(change(accountId, `${run}list${i}`, 1));
    await createUser({ username: `${run}noid`, enabled: true });
    const small = createKeycloakDestination(settings({ pageSize: 2 }));
    try {
      const listed = [];
      for await (const entry of small.list()) listed.push(entry);
      const ours = listed.filter((e) => e.userName.startsWith(run));
      assert.equal(new Set(listed.map((e) => e.attributes.keycloakId)).size, listed.length, 'each user once');
      assert.ok(listed.every((e) => e.accountId !== ''), 'only users with an account id');
      for (const accountId of [id, ...ids]) assert.equal(ours.filter((e) => e.accountId === accountId).length, 1, accountId);
      assert.equal(ours.find((e) => e.accountId === ids[1])?.userName, `${run}list1@uib.no`);
      assert.ok(!listed.some((e) => e.userName === `${run}noid`));
      const byRealm = (await listUsers()).filter((u) => u.attributes?.igaAccountId);
      assert.equal(listed.length, byRealm.length, 'as many as the realm holds with an account id');
    } finally {
      await small.close();
    }
  });

  test('read answers null for an account the realm does not hold', async () => {
    assert.equal(await kc.read(randomUUID()), null);
  });
});

describe('the Keycloak destination when Keycloak does not answer', () => {
  beforeAll(async () => { await requireKeycloak(); });
  afterAll(async () => { await deleteUsers(run).catch(() => undefined); });

  test('a closed port is unavailable (connection refused)', async () => {
    const kc = createKeycloakDestination(settings({ url: 'http://127.0.0.1:1' }));
    try {
      await assert.rejects(kc.apply(change(randomUUID(), `${run}down`, 1)), (err: unknown) => {
        assert.ok(err instanceof DestinationUnavailable && !(err instanceof KeycloakConfigurationError), String(err));
        assert.match(err.message, /ECONNREFUSED/);
        return true;
      });
    } finally {
      await kc.close();
    }
  });

  test('Keycloak going away mid-way (its connections cut) is unavailable, and the same change applies once it is back', async () => {
    const tcp = await startTcpProxy({ host: '127.0.0.1', port: keycloakPort });
    const kc = createKeycloakDestination(settings({ url: `http://127.0.0.1:${tcp.port}` }));
    const accountId = randomUUID();
    try {
      assert.equal(await kc.apply(change(accountId, `${run}gone`, 1)), 'applied');
      await tcp.stop();
      await assert.rejects(kc.apply(change(accountId, `${run}gone`, 2)), DestinationUnavailable);
      await assert.rejects(kc.read(accountId), DestinationUnavailable);
      await tcp.start();
      assert.equal(await kc.apply(change(accountId, `${run}gone`, 2)), 'applied');
      assert.equal((await kc.read(accountId))?.version, 2);
    } finally {
      await kc.close();
      await tcp.close();
    }
  });

  test('503, 429 and 500 are unavailable (Retry-After shown); a hung Keycloak is unavailable after the timeout', async () => {
    const proxy = await startHttpFaultProxy({ host: '127.0.0.1', port: keycloakPort });
    const kc = createKeycloakDestination(settings({ url: proxy.url, timeoutMs: 1_000 }));
    const accountId = randomUUID();
    try {
      for (const fault of [{ status: 503, body: '' }, { status: 429, body: '{"error":"too many"}', headers: { 'retry-after': '7' } }, { status: 500, body: '{"error":"unknown_error"}' }]) {
        proxy.fail(fault, /^\/admin\//);
        await assert.rejects(kc.apply(change(accountId, `${run}busy`, 1)), (err: unknown) => {
          assert.ok(err instanceof DestinationUnavailable && !(err instanceof KeycloakConfigurationError), String(err));
          assert.match(err.message, new RegExp(`: ${fault.status} `));
          if (fault.status === 429) assert.match(err.message, /throttling.*Retry-After 7/);
          return true;
        });
      }
      proxy.fail('hang', /^\/admin\//);
      const started = Date.now();
      await assert.rejects(kc.apply(change(accountId, `${run}busy`, 1)), /no complete answer within 1000 ms/);
      assert.ok(Date.now() - started < 10_000, 'the timeout cut it');
      // A token endpoint that fails is an outage too.
      proxy.fail({ status: 502, body: 'Bad Gateway' }, /\/token$/);
      await assert.rejects(createKeycloakDestination(settings({ url: proxy.url })).apply(change(accountId, `${run}busy`, 1)), /token endpoint answered 502/);
      proxy.pass();
      assert.equal(await kc.apply(change(accountId, `${run}busy`, 1)), 'applied');
    } finally {
      await kc.close();
      await proxy.close();
    }
  });
});

describe('the Keycloak destination when Keycloak is configured wrong', () => {
  const realms: ScratchRealm[] = [];
  beforeAll(async () => { await requireKeycloak(); });
  afterAll(async () => {
    for (const r of realms) await r.drop().catch(() => undefined);
    await deleteUsers(run).catch(() => undefined);
  });

  const ALL = ['employeeNumber', 'eduPersonAffiliation', 'igaAccountId', 'igaAccountVersion'];
  let profileRealm: ScratchRealm | null = null;
  /** One scratch realm for the tests that change its user profile, made by the first that needs it, declaring `declared`. */
  const realmDeclaring = async (declared: string[]): Promise<ScratchRealm> => {
    if (!profileRealm) {
      profileRealm = await createScratchRealm({ declared });
      realms.push(profileRealm);
    } else await profileRealm.declare(declared);
    return profileRealm;
  };

  const configurationErrors = (lines: Array<Record<string, unknown>>) => lines.filter((l) => l.level === 50 && String(l.msg).startsWith('Keycloak configuration:'));

  test('a wrong client secret is a configuration problem (retried like an outage, never a refusal), logged once however often it fails', async () => {
    const { log, lines } = capturedLog();
    const kc = createKeycloakDestination(settings({ clientSecret: 'not-the-secret' }), { log });
    try {
      for (let i = 0; i < 3; i++) {
        await assert.rejects(kc.apply(change(randomUUID(), `${run}cfg`, 1)), (err: unknown) => {
          assert.ok(err instanceof KeycloakConfigurationError && err instanceof DestinationUnavailable, String(err));
          assert.match(err.message, /the driver client 'iga-stream-driver' cannot get a token .*: 401 Invalid client or Invalid client credentials\. Check IGA_KEYCLOAK_CLIENT_ID and the client secret/);
          return true;
        });
      }
      assert.equal(configurationErrors(lines).length, 1, JSON.stringify(lines));
    } finally {
      await kc.close();
    }
  });

  test('a realm that does not exist is a configuration problem that names the setting', async () => {
    const kc = createKeycloakDestination(settings({ realm: `${run}-nowhere` }));
    try {
      await assert.rejects(kc.apply(change(randomUUID(), `${run}cfg`, 1)), (err: unknown) => {
        assert.ok(err instanceof KeycloakConfigurationError, String(err));
        assert.match(err.message, /404 Realm does not exist\. Check IGA_KEYCLOAK_URL .* and IGA_KEYCLOAK_REALM/);
        return true;
      });
    } finally {
      await kc.close();
    }
  });

  test('a service account without the user roles gets 403 after a renewed token: a configuration problem naming the roles', async () => {
    const realm = await createScratchRealm({ declared: ALL, userRoles: false });
    realms.push(realm);
    const proxy = await startHttpFaultProxy({ host: '127.0.0.1', port: keycloakPort });
    const kc = createKeycloakDestination({ url: proxy.url, realm: realm.realm, clientId: realm.clientId, clientSecret: realm.clientSecret });
    try {
      await assert.rejects(kc.apply(change(randomUUID(), `${run}cfg`, 1)), (err: unknown) => {
        assert.ok(err instanceof KeycloakConfigurationError, String(err));
        assert.match(err.message, /the service account of client 'scratch-driver' may not read the user profile in realm 'scratch-[0-9a-f]+' \(403\)\. Give it realm-management's manage-users and view-users roles/);
        return true;
      });
      assert.equal(proxy.seen.filter((r) => r.endsWith('/token')).length, 2, 'the 403 was tried once more with a new token');
    } finally {
      await kc.close();
      await proxy.close();
    }
  });

  test('a user profile that does not declare the attributes, or keeps one from administrators, stops every write before it is made; once fixed, the change applies', async () => {
    const realm = await realmDeclaring(['igaAccountId']);
    const { log, lines } = capturedLog();
    const proxy = await startHttpFaultProxy({ host: '127.0.0.1', port: keycloakPort });
    const kc = createKeycloakDestination({ url: proxy.url, realm: realm.realm, clientId: realm.clientId, clientSecret: realm.clientSecret }, { log });
    const accountId = randomUUID();
    try {
      await assert.rejects(kc.apply(change(accountId, `${run}prof`, 1)), (err: unknown) => {
        assert.ok(err instanceof KeycloakConfigurationError, String(err));
        assert.match(err.message, new RegExp(`the user profile of realm '${realm.realm}' does not declare employeeNumber, eduPersonAffiliation, igaAccountVersion; Keycloak silently drops`));
        return true;
      });
      await realm.declare(ALL, ['igaAccountVersion']);
      await assert.rejects(kc.apply(change(accountId, `${run}prof`, 1)), /the user profile of realm 'scratch-[0-9a-f]+' does not let administrators edit igaAccountVersion/);
      assert.deepEqual(writes(proxy, 0), [], 'nothing was written');
      await realm.declare(ALL);
      assert.equal(await kc.apply(change(accountId, `${run}prof`, 1)), 'applied');
      assert.deepEqual((await kc.read(accountId))?.attributes.eduPersonAffiliation, ['employee', 'member', 'staff']);
      assert.equal(configurationErrors(lines).length, 2, 'each problem logged once');
      assert.ok(lines.some((l) => String(l.msg).startsWith('Keycloak configuration problem resolved')), 'the end of the problem is logged');
    } finally {
      await kc.close();
      await proxy.close();
    }
  });

  test('an attribute that Keycloak drops after the check is caught by reading the write back: the version is put back, and the change applies once the profile is fixed', async () => {
    const realm = await realmDeclaring(ALL);
    const kc = createKeycloakDestination({ url: keycloakUrl, realm: realm.realm, clientId: realm.clientId, clientSecret: realm.clientSecret });
    const accountId = randomUUID();
    try {
      assert.equal(await kc.apply(change(accountId, `${run}drop`, 1)), 'applied');
      await realm.declare(['eduPersonAffiliation', 'igaAccountId', 'igaAccountVersion']);
      await assert.rejects(kc.apply(change(accountId, `${run}drop`, 2, { employeeNumber: '200002' })), (err: unknown) => {
        assert.ok(err instanceof KeycloakConfigurationError, String(err));
        assert.match(err.message, /does not declare employeeNumber/);
        return true;
      });
      assert.equal((await kc.read(accountId))?.version, 1, 'the version Keycloak kept was put back');
      await realm.declare(ALL);
      assert.equal(await kc.apply(change(accountId, `${run}drop`, 2, { employeeNumber: '200002' })), 'applied', 'not unchanged: the retry writes');
      const entry = await kc.read(accountId);
      assert.equal(entry?.version, 2);
      assert.equal(entry?.attributes.employeeNumber, '200002');
    } finally {
      await kc.close();
    }
  });

  test('the token is reused between calls, and a token Keycloak revoked is renewed once and the call goes through', async () => {
    const realm = await realmDeclaring(ALL);
    const proxy = await startHttpFaultProxy({ host: '127.0.0.1', port: keycloakPort });
    const kc = createKeycloakDestination({ url: proxy.url, realm: realm.realm, clientId: realm.clientId, clientSecret: realm.clientSecret });
    const tokenRequests = () => proxy.seen.filter((r) => r.endsWith('/token')).length;
    const accountId = randomUUID();
    try {
      assert.equal(await kc.apply(change(accountId, `${run}tok`, 1)), 'applied');
      assert.equal(await kc.apply(change(accountId, `${run}tok`, 2)), 'applied');
      assert.equal(tokenRequests(), 1, 'one token for every call so far');
      await realm.revokeTokens();
      assert.equal(await kc.apply(change(accountId, `${run}tok`, 3)), 'applied');
      assert.equal(tokenRequests(), 2, 'a 401, one new token, and on');
      assert.equal((await kc.read(accountId))?.version, 3);
    } finally {
      await kc.close();
      await proxy.close();
    }
  });

  test('https with the CA file works; a certificate the driver cannot trust is a configuration problem', async () => {
    const tls = await startTlsProxy({ host: '127.0.0.1', port: keycloakPort });
    const trusted = createKeycloakDestination(settings({ url: `https://127.0.0.1:${tls.port}`, caFile: testCaFile }));
    const untrusted = createKeycloakDestination(settings({ url: `https://127.0.0.1:${tls.port}` }));
    const accountId = randomUUID();
    try {
      assert.equal(await trusted.apply(change(accountId, `${run}tls`, 1)), 'applied');
      assert.equal((await trusted.read(accountId))?.version, 1);
      assert.ok(tls.sessions >= 1);
      await assert.rejects(untrusted.read(accountId), (err: unknown) => {
        assert.ok(err instanceof KeycloakConfigurationError, String(err));
        assert.match(err.message, /certificate is not trusted .*IGA_KEYCLOAK_TLS_CA_FILE/);
        return true;
      });
      assert.throws(() => createKeycloakDestination(settings({ url: 'https://127.0.0.1:1', caFile: '/nonexistent/ca.pem' })), /cannot read the Keycloak CA file \/nonexistent\/ca\.pem/);
    } finally {
      await trusted.close();
      await untrusted.close();
      await tls.close();
    }
  });
});

describe('the driver\'s token (client credentials on the real token endpoint)', () => {
  beforeAll(async () => { await requireKeycloak(); });

  test('is cached, renewed shortly before it expires (not after), and asked for once by concurrent callers', async () => {
    let now = Date.now();
    const http = new HttpTransport(keycloakUrl, { caFile: null, timeoutMs: 5_000, connectTimeoutMs: 5_000 });
    const tokens = new ClientCredentialsTokens(http, {
      tokenUrl: `${keycloakUrl}/realms/${keycloakRealm}/protocol/openid-connect/token`, clientId: DRIVER_CLIENT_ID, clientSecret: settings().clientSecret, now: () => now,
    });
    try {
      const [a, b, c] = await Promise.all([tokens.token(), tokens.token(), tokens.token()]);
      assert.equal(tokens.requests, 1);
      assert.ok(a === b && b === c);
      const lifetimeMs = 1000 * z.object({ exp: z.number(), iat: z.number() }).parse(JSON.parse(Buffer.from(a.split('.')[1]!, 'base64url').toString())).exp
        - 1000 * z.object({ iat: z.number() }).parse(JSON.parse(Buffer.from(a.split('.')[1]!, 'base64url').toString())).iat;
      const start = now;
      now = start + lifetimeMs - renewMarginMs(lifetimeMs) - 1_000;
      assert.equal(await tokens.token(), a, 'still the same token a second before the margin');
      now = start + lifetimeMs - renewMarginMs(lifetimeMs) + 1_000;
      const renewed = await tokens.token();
      assert.equal(tokens.requests, 2, 'renewed inside the margin, before it expires');
      assert.notEqual(renewed, a);
      tokens.invalidate(a);
      assert.equal(await tokens.token(), renewed, 'forgetting an old token keeps the current one');
      tokens.invalidate(renewed);
      await tokens.token();
      assert.equal(tokens.requests, 3);
    } finally {
      http.close();
    }
  });
});
