/**
 * The destinations of the change-integration drivers, as scripts/slapd.sh and scripts/keycloak.sh
 * set them up: the real slapd and the real Keycloak, reached the way the drivers will reach them.
 * LDAP: the driver's bind DN writes a person with inetOrgPerson + eduPerson + norEduPerson +
 * igaStream and reads it back, pwdAccountLockedTime locks the person's bind until it is removed,
 * the driver may not write outside ou=people, StartTLS and ldaps trust the test CA only.
 * Keycloak: the driver's service account creates a user whose custom attributes are kept (and sees
 * what the realm refuses or drops), the user signs in through the test client and the ID token and
 * userinfo carry the profile; a disabled user cannot sign in.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Change, Attribute, Client, InsufficientAccessError } from 'ldapts';
import {
  canBind, deletePeople, findPeople, ldapDriver, ldapsUrl, ldapSuffix, ldapUrl, peopleDn, readEntry, requireLdap, testCaTlsOptions, values, withLdap,
} from '../support/ldapServer.ts';
import {
  createUser, deleteUsers, findUserByUsername, getUser, keycloakIssuer, listUsers, passwordLogin, requireKeycloak, setPassword, updateUser,
} from '../support/keycloakServer.ts';

/** A run's own prefix for uids and usernames: parallel runs against one server never collide. */
const run = `t${randomBytes(3).toString('hex')}`;

describe('the local OpenLDAP directory (scripts/slapd.sh)', () => {
  const uid = `${run}kari`;
  const dn = `uid=${uid},${peopleDn}`;
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const accountId = randomUUID();

  beforeAll(async () => { await requireLdap(); });
  afterAll(async () => { await deletePeople(`(uid=${run}*)`).catch(() => undefined); });

  test('requireLdap fails loudly, naming the command to run, when no directory answers', async () => {
    await assert.rejects(requireLdap('ldap://127.0.0.1:1'), /slapd is not usable at ldap:\/\/127\.0\.0\.1:1 .*bash scripts\/slapd\.sh up/);
  });

  test('the driver bind DN adds a person with inetOrgPerson, eduPerson, norEduPerson and igaStream, and reads it back by account id', async () => {
    await withLdap(ldapDriver, (client) => client.add(dn, {
      objectClass: ['inetOrgPerson', 'eduPerson', 'norEduPerson', 'igaStream'],
      uid, cn: 'Kari Nordmann', sn: 'Nordmann', givenName: 'Kari', displayName: 'Kari Nordmann',
      mail: `${uid}@example.no`, employeeNumber: '100001',
      eduPersonPrincipalName: `${uid}@example.no`, eduPersonAffiliation: ['employee', 'staff', 'member'],
      norEduPersonLegalName: 'Kari Nordmann', norEduPersonLIN: 'example.no:employee:100001',
      igaAccountId: accountId, igaAccountVersion: '1', userPassword: password,
    }));
    const [found, ...more] = await withLdap(ldapDriver, async (client) =>
      (await client.search(peopleDn, { scope: 'one', filter: `(igaAccountId=${accountId.toUpperCase()})` })).searchEntries);
    assert.equal(more.length, 0);
    assert.equal(found?.dn, dn);
    assert.deepEqual(values(found, 'objectClass').sort(), ['eduPerson', 'igaStream', 'inetOrgPerson', 'norEduPerson']);
    assert.deepEqual(values(found, 'eduPersonAffiliation').sort(), ['employee', 'member', 'staff']);
    for (const [attribute, expected] of Object.entries({ cn: 'Kari Nordmann', mail: `${uid}@example.no`, employeeNumber: '100001', eduPersonPrincipalName: `${uid}@example.no`, norEduPersonLegalName: 'Kari Nordmann', norEduPersonLIN: 'example.no:employee:100001', igaAccountId: accountId, igaAccountVersion: '1' })) {
      assert.deepEqual(values(found, attribute), [expected], attribute);
    }
    // The password was given in clear and is stored hashed (ppolicy_hash_cleartext).
    assert.match(values(await readEntry(dn), 'userPassword')[0] ?? '', /^\{SSHA\}/);
    // The schema enforces what the specs say: one ePPN, and the account id is single-valued too.
    await assert.rejects(withLdap(ldapDriver, (client) => client.modify(dn, new Change({ operation: 'add', modification: new Attribute({ type: 'igaAccountId', values: [randomUUID()] }) }))), /single-valued|SINGLE-VALUE|multiple values/i);
  });

  test('pwdAccountLockedTime set by the driver locks the entry: the person\'s bind fails until the driver removes it', async () => {
    assert.equal(await canBind(dn, password), true, 'binds before the lock');
    await withLdap(ldapDriver, (client) => client.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdAccountLockedTime', values: ['000001010000Z'] }) })));
    assert.deepEqual(values(await readEntry(dn), 'pwdAccountLockedTime'), ['000001010000Z']);
    assert.equal(await canBind(dn, password), false, 'a locked entry cannot bind');
    await withLdap(ldapDriver, (client) => client.modify(dn, new Change({ operation: 'delete', modification: new Attribute({ type: 'pwdAccountLockedTime' }) })));
    assert.equal(await canBind(dn, password), true, 'binds again once unlocked');
    assert.equal(await canBind(dn, 'not-the-password'), false);
  });

  test('the driver may write ou=people only; anonymous clients see no people', async () => {
    await assert.rejects(
      withLdap(ldapDriver, (client) => client.modify(`cn=default,ou=policies,${ldapSuffix}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdLockout', values: ['FALSE'] }) }))),
      InsufficientAccessError,
    );
    const anonymous = await withLdap(undefined, async (client) => (await client.search(peopleDn, { scope: 'one', filter: `(uid=${uid})` }).catch(() => ({ searchEntries: [] }))).searchEntries);
    assert.equal(anonymous.length, 0);
    assert.equal((await findPeople(`(uid=${uid})`)).length, 1, 'the root DN sees the person');
  });

  test('StartTLS on the ldap port and the ldaps port present a certificate that the test CA vouches for, and only it', async () => {
    const startTls = new Client({ url: ldapUrl, timeout: 5_000 });
    try {
      await startTls.startTLS({ ...testCaTlsOptions(), servername: 'localhost' });
      await startTls.bind(ldapDriver.dn, ldapDriver.password);
      assert.equal((await startTls.search(peopleDn, { scope: 'one', filter: `(uid=${uid})` })).searchEntries.length, 1);
    } finally {
      await startTls.unbind().catch(() => undefined);
    }
    const ldaps = new Client({ url: ldapsUrl, timeout: 5_000, tlsOptions: testCaTlsOptions() });
    try {
      await ldaps.bind(ldapDriver.dn, ldapDriver.password);
      assert.equal((await ldaps.search(peopleDn, { scope: 'one', filter: `(uid=${uid})` })).searchEntries.length, 1);
    } finally {
      await ldaps.unbind().catch(() => undefined);
    }
    const untrusted = new Client({ url: ldapsUrl, timeout: 5_000, connectTimeout: 3_000 });
    try {
      await assert.rejects(untrusted.bind(ldapDriver.dn, ldapDriver.password), /self[- ]signed|unable to (get|verify)|certificate/i);
    } finally {
      await untrusted.unbind().catch(() => undefined);
    }
  });
});

describe('the local Keycloak (scripts/keycloak.sh)', () => {
  const username = `${run}-ola`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const accountId = randomUUID();
  let userId: string;

  beforeAll(async () => { await requireKeycloak(); });
  afterAll(async () => { await deleteUsers(run).catch(() => undefined); });

  test('requireKeycloak fails loudly, naming the command to run, when no Keycloak answers', async () => {
    await assert.rejects(requireKeycloak('http://127.0.0.1:1'), /Keycloak does not answer at http:\/\/127\.0\.0\.1:1 .*bash scripts\/keycloak\.sh up/);
  });

  test('the driver\'s service account creates a user with the custom attributes, and Keycloak keeps them', async () => {
    userId = await createUser({
      username, email: `${username}@example.no`, emailVerified: true, firstName: 'Ola', lastName: 'Nordmann', enabled: true,
      attributes: { employeeNumber: ['100002'], eduPersonAffiliation: ['employee', 'member'], igaAccountId: [accountId], igaAccountVersion: ['7'] },
    });
    await setPassword(userId, password);
    const user = await getUser(userId);
    assert.equal(user?.username, username);
    assert.equal(user?.enabled, true);
    assert.deepEqual(user?.attributes?.employeeNumber, ['100002']);
    assert.deepEqual([...user?.attributes?.eduPersonAffiliation ?? []].sort(), ['employee', 'member']);
    assert.deepEqual(user?.attributes?.igaAccountId, [accountId]);
    assert.deepEqual(user?.attributes?.igaAccountVersion, ['7']);
    // The driver finds a user by its account id, and by its username.
    assert.deepEqual((await listUsers(`igaAccountId:${accountId}`)).map((u) => u.id), [userId]);
    assert.equal((await findUserByUsername(username))?.id, userId);
  });

  test('the user signs in through the test client: the ID token and userinfo carry the profile', async () => {
    const login = await passwordLogin(username, password);
    const profile = {
      sub: userId, preferred_username: username, email: `${username}@example.no`, given_name: 'Ola', family_name: 'Nordmann', name: 'Ola Nordmann',
      employee_number: '100002', iga_account_id: accountId, iga_account_version: 7,
    };
    for (const [claim, expected] of Object.entries(profile)) {
      assert.deepEqual(login.idToken[claim], expected, `ID token claim ${claim}`);
      assert.deepEqual(login.userinfo[claim], expected, `userinfo claim ${claim}`);
    }
    assert.deepEqual([...login.idToken.eduperson_affiliation as string[]].sort(), ['employee', 'member']);
    assert.deepEqual([...login.userinfo.eduperson_affiliation as string[]].sort(), ['employee', 'member']);
    assert.equal(login.idToken.iss, keycloakIssuer);
  });

  test('the realm refuses an affiliation outside eduPerson\'s vocabulary and drops an attribute its profile does not declare', async () => {
    const before = await getUser(userId);
    const refused = await updateUser(userId, { attributes: { ...before?.attributes, eduPersonAffiliation: ['wizard'] } });
    assert.equal(refused.status, 400, await refused.text());
    const dropped = await updateUser(userId, { attributes: { ...before?.attributes, shoeSize: ['44'] } });
    assert.ok(dropped.ok, `${dropped.status}`);
    const user = await getUser(userId);
    assert.equal(user?.attributes?.shoeSize, undefined, 'undeclared attributes are silently dropped: declare every attribute the driver writes');
    assert.deepEqual([...user?.attributes?.eduPersonAffiliation ?? []].sort(), ['employee', 'member']);
  });

  test('a disabled user cannot sign in, and can again once enabled', async () => {
    assert.ok((await updateUser(userId, { enabled: false })).ok);
    await assert.rejects(passwordLogin(username, password), /400.*(disabled|invalid_grant)/i);
    assert.ok((await updateUser(userId, { enabled: true })).ok);
    assert.equal((await passwordLogin(username, password)).idToken.preferred_username, username);
  });
});
