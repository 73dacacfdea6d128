/**
 * Drift at a destination (src/features/drivers/drift.ts), pure: entries that show the accounts as a
 * destination writes them are no drift, whichever destination shows them and in any order; each
 * kind of damage is found as its kind, once, for the right account; the repair plan re-drives
 * exactly the accounts whose drift a re-drive repairs, and never an entry of an unknown account.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DestinationEntry } from '../../connectors/drivers/destination.ts';
import {
  compareDestination, countDriftByKind, driftRepairs, expectedEntry, REPAIRABLE_KINDS, type DestinationDriftKind,
} from '../../src/features/drivers/drift.ts';
import { DEFAULT_EMPLOYEE_AFFILIATIONS } from '../../src/iga/destinationAffiliations.ts';
import type { Account } from '../../src/iga/model.ts';

const AFF = DEFAULT_EMPLOYEE_AFFILIATIONS;

function account(n: number, over: Partial<Account> = {}): Account {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, personId: String(100000 + n), userName: `user${n}@uib.no`, active: true,
    givenName: 'Kari', familyName: `Nordmann${n}`, displayName: `Kari Nordmann${n}`, employeeNumber: String(100000 + n),
    created: '2026-01-01T00:00:00Z', lastModified: '2026-01-01T00:00:00Z', version: 3, ...over,
  };
}

/** The entry a destination shows for an account it holds as written: LDAP (with displayName and a DN) or Keycloak (lower case, empty names absent). */
function entryOf(a: Account, style: 'ldap' | 'keycloak'): DestinationEntry {
  const want = expectedEntry(a, AFF);
  const text = (v: string | null) => (v === null || v === '' ? null : v);
  if (style === 'ldap') {
    return {
      accountId: a.id, version: a.version, userName: a.userName, active: a.active,
      attributes: { dn: `uid=${a.userName.split('@')[0]},ou=people,dc=example,dc=no`, givenName: text(a.givenName), familyName: text(a.familyName), displayName: text(a.displayName), mail: a.userName, employeeNumber: a.employeeNumber, eduPersonAffiliation: [...(want.attributes.eduPersonAffiliation as string[])].sort() },
    };
  }
  return {
    accountId: a.id, version: a.version, userName: a.userName.toLowerCase(), active: a.active,
    attributes: { keycloakId: `kc-${a.id}`, givenName: text(a.givenName), familyName: text(a.familyName), mail: a.userName.toLowerCase(), employeeNumber: a.employeeNumber, eduPersonAffiliation: [...(want.attributes.eduPersonAffiliation as string[])].reverse() },
  };
}

const arbAccount = (n: number) => fc.record({
  active: fc.boolean(),
  givenName: fc.constantFrom('Kari', 'Åse', '', 'Ola Per'),
  familyName: fc.constantFrom('Nordmann', 'Ødegård', ''),
  employeeNumber: fc.option(fc.constantFrom('100001', '00100002'), { nil: null }),
  version: fc.integer({ min: 1, max: 20 }),
  upper: fc.boolean(),
}).map((r) => account(n, {
  active: r.active, givenName: r.givenName, familyName: r.familyName, displayName: `${r.givenName} ${r.familyName}`.trim(),
  employeeNumber: r.active ? r.employeeNumber : null, version: r.version, userName: r.upper ? `User${n}@UiB.no` : `user${n}@uib.no`,
}));
const arbAccounts = fc.integer({ min: 0, max: 12 }).chain((k) => fc.tuple(...Array.from({ length: k }, (_, i) => arbAccount(i + 1))));

type Damage = 'none' | 'remove' | 'older' | 'no-version' | 'newer' | 'flip' | 'rename' | 'affiliations' | 'employee-number' | 'duplicate';
const KIND_OF: Record<Exclude<Damage, 'none'>, DestinationDriftKind> = {
  remove: 'missing-entry', older: 'stale-entry', 'no-version': 'stale-entry', newer: 'newer-entry', flip: 'wrong-state',
  rename: 'wrong-attributes', affiliations: 'wrong-attributes', 'employee-number': 'wrong-attributes', duplicate: 'duplicate-entry',
};

/** Applies one damage to an account's entry; returns the entries the destination then holds for it. */
function damaged(a: Account, e: DestinationEntry, damage: Damage): DestinationEntry[] {
  switch (damage) {
    case 'none': return [e];
    case 'remove': return [];
    case 'older': return a.version > 1 ? [{ ...e, version: a.version - 1 }] : [{ ...e, version: null }];
    case 'no-version': return [{ ...e, version: null }];
    case 'newer': return [{ ...e, version: a.version + 1 }];
    case 'flip': return [{ ...e, active: !e.active }];
    case 'rename': return [{ ...e, attributes: { ...e.attributes, familyName: 'Changed-by-hand' } }];
    case 'affiliations': return [{ ...e, attributes: { ...e.attributes, eduPersonAffiliation: ['affiliate'] } }];
    case 'employee-number': return [{ ...e, attributes: { ...e.attributes, employeeNumber: '999999' } }];
    case 'duplicate': return [e, { ...e, attributes: { ...e.attributes, dn: 'uid=copy,ou=people,dc=example,dc=no', keycloakId: 'kc-copy' } }];
  }
}

describe('drift at a destination', () => {
  test('property: entries that show every account as written are no drift, for LDAP and Keycloak, in any order', () => {
    fc.assert(fc.property(arbAccounts, fc.constantFrom<'ldap' | 'keycloak'>('ldap', 'keycloak'), fc.infiniteStream(fc.nat()), (accounts, style, order) => {
      const entries = accounts.map((a) => entryOf(a, style));
      const it = order[Symbol.iterator]();
      const shuffled = entries.map((e) => [it.next().value as number, e] as const).sort((x, y) => x[0] - y[0]).map(([, e]) => e);
      assert.deepEqual(compareDestination(style, accounts, shuffled, AFF), []);
    }), { numRuns: 300 });
  });

  test('property: each damage is found as its kind, once, for its account; the repairs are exactly the repairable ones; unknown entries are reported, never repaired', () => {
    const damages = fc.constantFrom<Damage>('none', 'remove', 'older', 'no-version', 'newer', 'flip', 'rename', 'affiliations', 'employee-number', 'duplicate');
    fc.assert(fc.property(arbAccounts.chain((accounts) => fc.tuple(fc.constant(accounts), fc.array(damages, { minLength: accounts.length, maxLength: accounts.length }), fc.integer({ min: 0, max: 3 }), fc.constantFrom<'ldap' | 'keycloak'>('ldap', 'keycloak'))),
      ([accounts, harm, strays, style]) => {
        const entries = accounts.flatMap((a, i) => damaged(a, entryOf(a, style), harm[i]!));
        const unknown = Array.from({ length: strays }, (_, i) => entryOf(account(900 + i), style));
        const drifts = compareDestination(style, accounts, [...unknown, ...entries], AFF);
        const expected = new Map<string, DestinationDriftKind>();
        accounts.forEach((a, i) => { if (harm[i] !== 'none') expected.set(a.id, KIND_OF[harm[i] as Exclude<Damage, 'none'>]); });
        for (const u of unknown) expected.set(u.accountId, 'unknown-entry');
        assert.deepEqual(new Map(drifts.map((d) => [d.accountId, d.kind])), expected);
        assert.equal(drifts.length, expected.size, 'one drift per damaged account or stray entry');
        const repairs = driftRepairs(drifts);
        assert.deepEqual(new Set(repairs), new Set([...expected].filter(([, k]) => REPAIRABLE_KINDS.has(k)).map(([id]) => id)));
        assert.equal(new Set(repairs).size, repairs.length, 'each account re-driven once');
        for (const u of unknown) assert.ok(!repairs.includes(u.accountId), 'an unknown account\'s entry is never re-driven');
        const counts = countDriftByKind(drifts);
        assert.equal(Object.values(counts).reduce((x, y) => x + y, 0), drifts.length);
      }), { numRuns: 500 });
  });

  test('what each drift says, for an operator', () => {
    const a = account(1);
    const b = account(2, { active: false, employeeNumber: null });
    const c = account(3);
    const d = account(4);
    const drifts = compareDestination('ldap', [a, b, c, d], [
      { ...entryOf(b, 'ldap'), active: true },
      { ...entryOf(c, 'ldap'), version: 2 },
      { ...entryOf(d, 'ldap'), attributes: { ...entryOf(d, 'ldap').attributes, givenName: 'Kåre', eduPersonAffiliation: [] } },
      entryOf(account(9), 'ldap'),
    ], AFF);
    assert.deepEqual(drifts.map((x) => [x.kind, x.userName]), [
      ['missing-entry', 'user1@uib.no'], ['stale-entry', 'user3@uib.no'], ['wrong-state', 'user2@uib.no'], ['wrong-attributes', 'user4@uib.no'], ['unknown-entry', 'user9@uib.no'],
    ]);
    assert.equal(drifts[0]!.detail, `user1@uib.no (account ${a.id}) version 3 (active) has no entry at ldap`);
    assert.equal(drifts[1]!.detail, `user3@uib.no (account ${c.id}): ldap holds version 2, the account is at version 3`);
    assert.equal(drifts[2]!.detail, `user2@uib.no (account ${b.id}) version 3: ldap holds it active, the account is blocked`);
    assert.equal(drifts[3]!.detail, `user4@uib.no (account ${d.id}) version 3 at ldap differs in givenName "Kåre" (account: "Kari"), eduPersonAffiliation [] (account: [employee, member, staff])`);
    assert.match(drifts[4]!.detail, /^ldap holds user9@uib\.no \(uid=user9,ou=people,dc=example,dc=no\) for account .* \(version 3\), which no account here has; left alone$/);
    const both = compareDestination('ldap', [a], [{ ...entryOf(a, 'ldap'), active: false, attributes: { ...entryOf(a, 'ldap').attributes, familyName: 'Other' } }], AFF);
    assert.equal(both[0]!.detail, `user1@uib.no (account ${a.id}) version 3: ldap holds it blocked, the account is active; it also differs in familyName "Other" (account: "Nordmann1")`);
  });

  test('a blocked account carries no affiliation; an attribute the destination does not report is not compared', () => {
    const blocked = account(1, { active: false, employeeNumber: null });
    const e = entryOf(blocked, 'keycloak');
    assert.deepEqual(e.attributes.eduPersonAffiliation, []);
    assert.deepEqual(compareDestination('keycloak', [blocked], [e], AFF), []);
    // Keycloak reports no displayName: a different one in the account is no drift there.
    assert.deepEqual(compareDestination('keycloak', [{ ...blocked, displayName: 'Another' }], [e], AFF), []);
    assert.equal(compareDestination('ldap', [{ ...blocked, displayName: 'Another' }], [entryOf(blocked, 'ldap')], AFF)[0]?.kind, 'wrong-attributes');
  });
});
