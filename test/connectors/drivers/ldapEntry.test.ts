/** The LDAP driver's pure parts: an account as an entry (DN, attributes, modifications) and LDAP errors as retry or refuse. */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DestinationRefused, DestinationUnavailable, type AccountChange } from '../../../connectors/drivers/destination.ts';
import { entryDn, escapeRdnValue, managedAttributes, modifications, newEntry, uidOf } from '../../../connectors/drivers/ldap/entry.ts';
import { ldapError, REFUSED_RESULT_CODES } from '../../../connectors/drivers/ldap/errors.ts';

const lock = { attribute: 'pwdAccountLockedTime', value: '000001010000Z' };
function change(over: Partial<AccountChange['account']> = {}, affiliations = ['staff', 'member', 'employee']): AccountChange {
  const account = {
    id: '5f0c2b1e-0000-4000-8000-000000000001', personId: '100001', userName: 'karnor@uib.no', active: true, givenName: 'Kari', familyName: 'Nordmann',
    displayName: 'Kari Nordmann', employeeNumber: '100001', created: '2026-01-01T00:00:00Z', lastModified: '2026-01-01T00:00:00Z', version: 3, ...over,
  };
  return { changeId: `${account.id}:v${account.version}`, account, affiliations: account.active ? affiliations : [], cause: null };
}

describe('an account as an LDAP entry', () => {
  test('the DN is uid=<local part> under the base', () => {
    assert.equal(uidOf('karnor@uib.no'), 'karnor');
    assert.equal(entryDn('karnor2@uib.no', 'ou=people,dc=example,dc=no'), 'uid=karnor2,ou=people,dc=example,dc=no');
    assert.equal(escapeRdnValue('a,b+c "d" #e'), 'a\\,b\\+c \\"d\\" #e');
    assert.equal(escapeRdnValue('#x '), '\\#x\\ ');
  });

  test('a new active entry has the four object classes, the identity and every attribute, and no lock', () => {
    assert.deepEqual(newEntry(change(), lock), {
      objectClass: ['inetOrgPerson', 'eduPerson', 'norEduPerson', 'igaStream'], uid: ['karnor'], igaAccountId: ['5f0c2b1e-0000-4000-8000-000000000001'],
      cn: ['Kari Nordmann'], sn: ['Nordmann'], givenName: ['Kari'], displayName: ['Kari Nordmann'], mail: ['karnor@uib.no'],
      eduPersonPrincipalName: ['karnor@uib.no'], employeeNumber: ['100001'], eduPersonAffiliation: ['staff', 'member', 'employee'], igaAccountVersion: ['3'],
    });
  });

  test('a blocked account\'s new entry is locked and carries no affiliation or employee number', () => {
    const e = newEntry(change({ active: false, employeeNumber: null }), lock);
    assert.deepEqual(e.pwdAccountLockedTime, ['000001010000Z']);
    assert.equal(e.eduPersonAffiliation, undefined);
    assert.equal(e.employeeNumber, undefined);
  });

  test('empty values are left out: no invented names (an empty family name leaves sn out, which the directory refuses)', () => {
    const e = newEntry(change({ familyName: '', displayName: 'Kari' }), lock);
    assert.equal(e.sn, undefined);
    assert.deepEqual(e.cn, ['Kari']);
    fc.assert(fc.property(fc.record({ givenName: fc.string(), familyName: fc.string(), displayName: fc.string() }), (names) =>
      Object.values(newEntry(change(names), lock)).every((values) => values.length > 0 && values.every((v) => v !== ''))));
  });

  test('modifications replace every managed attribute (none = delete) and set or remove the lock', () => {
    const active = modifications(change({ employeeNumber: null }), lock);
    const byType = new Map(active.map((c) => [c.modification.type, c]));
    assert.ok(active.every((c) => c.operation === 'replace'));
    assert.deepEqual([...byType.keys()].sort(), [...Object.keys(managedAttributes(change())), 'pwdAccountLockedTime'].sort());
    assert.deepEqual(byType.get('employeeNumber')!.modification.values, [], 'employee number removed');
    assert.deepEqual(byType.get('pwdAccountLockedTime')!.modification.values, [], 'unlocked');
    assert.deepEqual(byType.get('igaAccountVersion')!.modification.values, ['3']);
    const blocked = new Map(modifications(change({ active: false }), lock).map((c) => [c.modification.type, c.modification.values]));
    assert.deepEqual(blocked.get('pwdAccountLockedTime'), ['000001010000Z']);
    assert.deepEqual(blocked.get('eduPersonAffiliation'), []);
    assert.ok(!blocked.has('uid') && !blocked.has('igaAccountId') && !blocked.has('objectClass'), 'the identity and the RDN are never modified');
  });
});

describe('LDAP errors', () => {
  const withCode = (code: number) => Object.assign(new Error(`code ${code}`), { code });

  test('syntax, constraint, schema and naming errors refuse the change', () => {
    for (const code of [19, 21, 65, 64, 34, 17]) assert.ok(REFUSED_RESULT_CODES.has(code), `code ${code}`);
    for (const code of REFUSED_RESULT_CODES.keys()) {
      const e = ldapError(withCode(code), 'apply');
      assert.ok(e instanceof DestinationRefused, `code ${code}`);
      assert.match(e.message, new RegExp(`${REFUSED_RESULT_CODES.get(code)} \\(${code}\\)`));
    }
  });

  test('busy, unavailable, time limit, access, bind and transport errors are retried', () => {
    for (const code of [3, 11, 32, 49, 50, 51, 52, 53, 80]) assert.ok(ldapError(withCode(code), 'apply') instanceof DestinationUnavailable, `code ${code}`);
    assert.ok(ldapError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'apply') instanceof DestinationUnavailable);
    assert.ok(ldapError(new Error('Connection timeout after 3000'), 'apply') instanceof DestinationUnavailable);
    const refused = new DestinationRefused('mine');
    assert.equal(ldapError(refused, 'apply'), refused, 'already mapped errors pass through');
  });
});
