/**
 * The LDAP destination against the real slapd (scripts/slapd.sh): a create becomes an entry with
 * every attribute, the same or an older version changes nothing, a block locks the entry (the
 * person can no longer bind) and drops its affiliations, a reactivation unlocks the same entry; a
 * value the directory rejects is refused, a directory that does not answer is unavailable; the
 * entry of another account is never taken over; StartTLS and ldaps with the test CA.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Attribute, Change } from 'ldapts';
import { DestinationRefused, DestinationUnavailable, type AccountChange } from '../../../connectors/drivers/destination.ts';
import { LdapDestination } from '../../../connectors/drivers/ldap/ldapDestination.ts';
import type { LdapSettings } from '../../../connectors/drivers/ldap/settings.ts';
import { rootLogger } from '../../../src/common/log.ts';
import { testCaFile } from '../../support/brokers.ts';
import { canBind, deletePeople, ldapDriver, ldapRoot, ldapsUrl, ldapUrl, peopleDn, readEntry, requireLdap, values, withLdap } from '../../support/ldapServer.ts';

const run = `t${randomBytes(3).toString('hex')}`;
const settings: LdapSettings = {
  url: ldapUrl, bindDn: ldapDriver.dn, bindPassword: ldapDriver.password, baseDn: peopleDn, startTls: false, caPem: null,
  lock: { attribute: 'pwdAccountLockedTime', value: '000001010000Z' }, timeoutMs: 5_000,
};

function change(id: string, local: string, version: number, over: Partial<AccountChange['account']> = {}): AccountChange {
  const account = {
    id, personId: '100001', userName: `${local}@uib.no`, active: true, givenName: 'Kari', familyName: 'Nordmann', displayName: 'Kari Nordmann',
    employeeNumber: '100001', created: '2026-01-01T00:00:00Z', lastModified: '2026-01-01T00:00:00Z', version, ...over,
  };
  return { changeId: `${id}:v${version}`, account, affiliations: account.active ? ['staff', 'member', 'employee'] : [], cause: null };
}

describe('the LDAP destination on the real slapd', () => {
  const ldap = new LdapDestination(settings, rootLogger);
  const id = randomUUID();
  const uid = `${run}kari`;
  const dn = `uid=${uid},${peopleDn}`;

  beforeAll(async () => { await requireLdap(); });
  afterAll(async () => {
    await ldap.close();
    await deletePeople(`(uid=${run}*)`).catch(() => undefined);
  });

  test('a create becomes an entry with every attribute; the same version again changes nothing', async () => {
    assert.equal(await ldap.apply(change(id, uid, 1)), 'applied');
    const e = await readEntry(dn);
    assert.deepEqual(values(e, 'objectClass').sort(), ['eduPerson', 'igaStream', 'inetOrgPerson', 'norEduPerson']);
    for (const [a, v] of Object.entries({ uid, cn: 'Kari Nordmann', sn: 'Nordmann', givenName: 'Kari', displayName: 'Kari Nordmann', mail: `${uid}@uib.no`, eduPersonPrincipalName: `${uid}@uib.no`, employeeNumber: '100001', igaAccountId: id, igaAccountVersion: '1' })) {
      assert.deepEqual(values(e, a), [v], a);
    }
    assert.deepEqual(values(e, 'eduPersonAffiliation').sort(), ['employee', 'member', 'staff']);
    assert.deepEqual(values(e, 'pwdAccountLockedTime'), []);
    const modified = values(e, 'modifyTimestamp')[0] ?? values(e, 'createTimestamp')[0];
    assert.equal(await ldap.apply(change(id, uid, 1)), 'unchanged');
    assert.equal(values(await readEntry(dn), 'modifyTimestamp')[0] ?? values(await readEntry(dn), 'createTimestamp')[0], modified, 'not written again');
    const read = await ldap.read(id);
    assert.equal(read?.version, 1);
    assert.equal(read?.active, true);
    assert.equal(read?.userName, `${uid}@uib.no`);
  });

  test('a block locks the entry and drops its affiliations; an older version never lands over it; reactivation unlocks the same entry', async () => {
    const password = `pw-${randomBytes(6).toString('hex')}`;
    await withLdap(ldapDriver, (c) => c.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'userPassword', values: [password] }) })));
    assert.equal(await canBind(dn, password), true);
    assert.equal(await ldap.apply(change(id, uid, 3, { active: false, employeeNumber: null })), 'applied');
    let e = await readEntry(dn);
    assert.deepEqual(values(e, 'pwdAccountLockedTime'), ['000001010000Z']);
    assert.deepEqual(values(e, 'eduPersonAffiliation'), []);
    assert.deepEqual(values(e, 'employeeNumber'), []);
    assert.equal(await canBind(dn, password), false, 'a blocked person cannot bind');
    assert.equal(await ldap.apply(change(id, uid, 2, { givenName: 'Older' })), 'unchanged', 'version 2 after version 3');
    assert.deepEqual(values(await readEntry(dn), 'givenName'), ['Kari']);
    assert.equal(await ldap.apply(change(id, uid, 4)), 'applied');
    e = await readEntry(dn);
    assert.equal(e?.dn, dn, 'the same entry');
    assert.deepEqual(values(e, 'pwdAccountLockedTime'), []);
    assert.deepEqual(values(e, 'eduPersonAffiliation').sort(), ['employee', 'member', 'staff']);
    assert.deepEqual(values(e, 'igaAccountVersion'), ['4']);
    assert.equal(await canBind(dn, password), true, 'reactivated: binds again');
  });

  test('a rewrite (drift repair) writes the same version over an entry changed by hand, and never an older one', async () => {
    await withLdap(ldapRoot, (c) => c.modify(dn, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'pwdAccountLockedTime', values: ['000001010000Z'] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'givenName', values: ['Tampered'] }) }),
    ]));
    assert.equal(await ldap.apply(change(id, uid, 4)), 'unchanged', 'the version alone says it is up to date');
    assert.equal(await ldap.apply(change(id, uid, 3), { rewrite: true }), 'unchanged', 'an older version is never rewritten');
    assert.deepEqual(values(await readEntry(dn), 'givenName'), ['Tampered']);
    assert.equal(await ldap.apply(change(id, uid, 4), { rewrite: true }), 'applied');
    const e = await readEntry(dn);
    assert.deepEqual(values(e, 'givenName'), ['Kari']);
    assert.deepEqual(values(e, 'pwdAccountLockedTime'), []);
    assert.deepEqual(values(e, 'igaAccountVersion'), ['4']);
  });

  test('a blocked account that is new to the directory is added locked', async () => {
    const other = randomUUID();
    assert.equal(await ldap.apply(change(other, `${run}blk`, 2, { active: false })), 'applied');
    assert.deepEqual(values(await readEntry(`uid=${run}blk,${peopleDn}`), 'pwdAccountLockedTime'), ['000001010000Z']);
  });

  test('an account without a family name is refused by the directory (person requires sn), with its error', async () => {
    const err = await ldap.apply(change(randomUUID(), `${run}nosn`, 1, { familyName: '', displayName: 'Kari' })).catch((e: unknown) => e);
    assert.ok(err instanceof DestinationRefused, String(err));
    assert.match(err.message, /objectClassViolation \(65\).*sn/);
    assert.equal(await readEntry(`uid=${run}nosn,${peopleDn}`), undefined);
  });

  test('two writers of one new account at once (the old owner of a partition finishing during a rebalance) both succeed: one entry, nothing refused', async () => {
    const writers = [new LdapDestination(settings, rootLogger), new LdapDestination(settings, rootLogger)];
    try {
      for (let i = 0; i < 5; i++) {
        const other = randomUUID();
        // Both connections are bound before the race, so both searches come before either add.
        await Promise.all(writers.map((w) => w.read(other)));
        const outcomes = await Promise.all(writers.map((w) => w.apply(change(other, `${run}race${i}`, 1))));
        assert.deepEqual([...outcomes].sort(), ['applied', 'unchanged'], `round ${i}: ${outcomes.join(', ')}`);
        assert.deepEqual(values(await readEntry(`uid=${run}race${i},${peopleDn}`), 'igaAccountId'), [other]);
      }
    } finally {
      for (const w of writers) await w.close();
    }
  });

  test('the entry of another account (same uid) is never taken over', async () => {
    const err = await ldap.apply(change(randomUUID(), uid, 1)).catch((e: unknown) => e);
    assert.ok(err instanceof DestinationRefused);
    assert.match(err.message, new RegExp(`belongs to account ${id}`));
    assert.deepEqual(values(await readEntry(dn), 'igaAccountId'), [id]);
  });

  test('list yields every entry under the base with its account id and version', async () => {
    const mine = [];
    for await (const e of ldap.list()) if (e.userName.startsWith(run) && !e.userName.startsWith(`${run}race`)) mine.push(e);
    assert.deepEqual(mine.map((e) => [e.userName, e.version, e.active]).sort(), [[`${run}blk@uib.no`, 2, false], [`${uid}@uib.no`, 4, true]]);
  });

  test('a directory that does not answer is unavailable (retry), not refused', async () => {
    const down = new LdapDestination({ ...settings, url: 'ldap://127.0.0.1:1', timeoutMs: 2_000 }, rootLogger);
    try {
      const err = await down.apply(change(randomUUID(), `${run}x`, 1)).catch((e: unknown) => e);
      assert.ok(err instanceof DestinationUnavailable, String(err));
      assert.match(err.message, /ECONNREFUSED/);
    } finally {
      await down.close();
    }
    const wrong = new LdapDestination({ ...settings, bindPassword: 'wrong' }, rootLogger);
    try {
      assert.ok(await wrong.apply(change(randomUUID(), `${run}y`, 1)).catch((e: unknown) => e) instanceof DestinationUnavailable, 'a refused bind is the deployment\'s to fix: retried');
    } finally {
      await wrong.close();
    }
  });

  test('StartTLS and ldaps with the test CA; an unknown CA is unavailable', async () => {
    const ca = readFileSync(testCaFile, 'utf8');
    for (const s of [{ ...settings, startTls: true, caPem: ca }, { ...settings, url: ldapsUrl, caPem: ca }]) {
      const d = new LdapDestination(s, rootLogger);
      try {
        assert.equal((await d.read(id))?.version, 4, s.url);
      } finally {
        await d.close();
      }
    }
    const untrusted = new LdapDestination({ ...settings, startTls: true }, rootLogger);
    try {
      const err = await untrusted.read(id).catch((e: unknown) => e);
      assert.ok(err instanceof DestinationUnavailable);
      assert.match(err.message, /certificate/i);
    } finally {
      await untrusted.close();
    }
  });
});
