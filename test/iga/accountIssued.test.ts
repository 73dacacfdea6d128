import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { decideAccount, evolve, type AccountDecision, type AccountState } from '../../src/iga/accountDecision.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { IgaRuleError } from '../../src/iga/errors.ts';
import type { Account } from '../../src/iga/model.ts';
import { account, aff, employee, input, NOW } from './accountFixtures.ts';

const issued = (overrides: Partial<Account> = {}): AccountState => ({ status: 'issued', account: account(overrides) });
const blocked = (overrides: Partial<Account> = {}) => issued({ active: false, employeeNumber: null, ...overrides });
const ended = [aff('2020-01-01', '2020-09-14')];

function expectKind<K extends AccountDecision['kind']>(d: AccountDecision, kind: K): Extract<AccountDecision, { kind: K }> {
  assert.equal(d.kind, kind, `expected ${kind}, got ${d.kind} (${d.reason.rule}: ${d.reason.detail})`);
  return d as Extract<AccountDecision, { kind: K }>;
}

/** The decision applied twice: the second decision must be 'none'. */
function assertIdempotent(state: AccountState, d: AccountDecision, inp = input()): void {
  const next = evolve(state, d);
  const again = decideAccount(next, { ...inp, now: '2020-09-15T09:00:00.000Z' });
  assert.equal(again.kind, 'none', `second decision: ${again.reason.detail}`);
  assert.equal(evolve(next, again), next);
}

describe('issued account, nothing changed', () => {
  test('active and eligible → none; version untouched', () => {
    const state = issued();
    const d = expectKind(decideAccount(state, input()), 'none');
    assert.equal(d.reason.rule, 'up-to-date');
    assert.equal(evolve(state, d), state);
  });
  test('blocked and not eligible → none', () => {
    assert.equal(decideAccount(blocked(), input({ affiliations: ended })).kind, 'none');
  });
  test('surrounding whitespace in DFØ names is not a change', () => {
    assert.equal(decideAccount(issued(), input({ employee: employee({ givenName: ' Gisle ', familyName: 'Aas  ' }) })).kind, 'none');
  });
});

describe('block', () => {
  test('end date passed → active false, employeeNumber null, version + 1', () => {
    const state = issued();
    const d = expectKind(decideAccount(state, input({ affiliations: ended })), 'block');
    assert.deepEqual(d.changed, ['active', 'no:edu:scim:user:employeeNumber']);
    assert.deepEqual(d.account, account({ active: false, employeeNumber: null, lastModified: NOW, version: 2 }));
    assert.deepEqual(d.previous, state.status === 'issued' ? state.account : null);
    assert.equal(d.reason.rule, 'block-not-eligible');
    assert.deepEqual(d.reason.activeAffiliations, []);
    assertIdempotent(state, d, input({ affiliations: ended }));
  });
  test('the last affiliation removed → block', () => {
    assert.equal(decideAccount(issued(), input({ affiliations: [] })).kind, 'block');
  });
  test('end exactly today keeps the account; grace keeps it M more days', () => {
    assert.equal(decideAccount(issued(), input({ affiliations: [aff('2020-01-01', '2020-09-15')] })).kind, 'none');
    const policy = makePolicy({ endGraceDays: 1 });
    assert.equal(decideAccount(issued(), input({ policy, affiliations: ended })).kind, 'none');
    assert.equal(decideAccount(issued(), input({ policy, affiliations: [aff('2020-01-01', '2020-09-13')] })).kind, 'block');
  });
  test('requireExternalUser with an active affiliation: blocked, employeeNumber kept', () => {
    const inp = input({ policy: makePolicy({ requireExternalUser: true }), employee: employee({ externalUser: false }) });
    const d = expectKind(decideAccount(issued(), inp), 'block');
    assert.deepEqual(d.changed, ['active']);
    assert.equal(d.account.employeeNumber, '101926');
    assertIdempotent(issued(), d, inp);
  });
  test('employee no longer known → block, names kept', () => {
    const inp = input({ employee: null, affiliations: [] });
    const d = expectKind(decideAccount(issued(), inp), 'block');
    assert.equal(d.account.displayName, 'Gisle Aas');
    assert.deepEqual(d.changed, ['active', 'no:edu:scim:user:employeeNumber']);
    assertIdempotent(issued(), d, inp);
  });
  test('block together with a name change lists every changed attribute', () => {
    const inp = input({ affiliations: ended, employee: employee({ familyName: 'Aas-Berg' }) });
    const d = expectKind(decideAccount(issued(), inp), 'block');
    assert.deepEqual(d.changed, ['active', 'displayName', 'name.familyName', 'name.formatted', 'no:edu:scim:user:employeeNumber']);
    assert.equal(d.account.displayName, 'Gisle Aas-Berg');
  });
});

describe('reactivate', () => {
  test('blocked and eligible again → active, same id and userName, employeeNumber back', () => {
    const state = blocked({ version: 2 });
    const d = expectKind(decideAccount(state, input()), 'reactivate');
    assert.deepEqual(d.changed, ['active', 'no:edu:scim:user:employeeNumber']);
    assert.deepEqual(d.account, account({ active: true, employeeNumber: '101926', lastModified: NOW, version: 3 }));
    assert.equal(d.reason.rule, 'reactivate-eligible');
    assertIdempotent(state, d);
  });
  test('a start date reached with the offset reactivates early', () => {
    const inp = input({ policy: makePolicy({ startOffsetDays: 6 }), affiliations: [aff('2020-09-21', null)] });
    assert.equal(decideAccount(blocked(), inp).kind, 'reactivate');
  });
  test('external user flag set again under requireExternalUser → reactivate with only active changed', () => {
    const inp = input({ policy: makePolicy({ requireExternalUser: true }) });
    const d = expectKind(decideAccount(blocked({ employeeNumber: '101926' }), inp), 'reactivate');
    assert.deepEqual(d.changed, ['active']);
  });
});

describe('modify', () => {
  test('given name change on an active account', () => {
    const inp = input({ employee: employee({ givenName: 'Gisle Johan' }) });
    const d = expectKind(decideAccount(issued(), inp), 'modify');
    assert.deepEqual(d.changed, ['displayName', 'name.givenName', 'name.formatted']);
    assert.deepEqual(d.account, account({ givenName: 'Gisle Johan', displayName: 'Gisle Johan Aas', lastModified: NOW, version: 2 }));
    assert.equal(d.reason.rule, 'modify-attributes');
    assertIdempotent(issued(), d, inp);
  });
  test('family name change', () => {
    const d = expectKind(decideAccount(issued(), input({ employee: employee({ familyName: 'Ås' }) })), 'modify');
    assert.deepEqual(d.changed, ['displayName', 'name.familyName', 'name.formatted']);
  });
  test('name change while blocked is still a modify (displayName is SCIM-visible)', () => {
    const inp = input({ affiliations: ended, employee: employee({ givenName: 'Gisle J.' }) });
    const d = expectKind(decideAccount(blocked(), inp), 'modify');
    assert.equal(d.account.active, false);
    assert.deepEqual(d.changed, ['displayName', 'name.givenName', 'name.formatted']);
    assertIdempotent(blocked(), d, inp);
  });
  test('a stale employeeNumber on a blocked account is removed', () => {
    const inp = input({ affiliations: [] });
    const d = expectKind(decideAccount(blocked({ employeeNumber: '101926' }), inp), 'modify');
    assert.deepEqual(d.changed, ['no:edu:scim:user:employeeNumber']);
    assert.equal(d.account.employeeNumber, null);
  });
  test('blocked by requireExternalUser but affiliated: employeeNumber is exposed', () => {
    const inp = input({ policy: makePolicy({ requireExternalUser: true }), employee: employee({ externalUser: false }) });
    const d = expectKind(decideAccount(blocked(), inp), 'modify');
    assert.deepEqual(d.changed, ['no:edu:scim:user:employeeNumber']);
    assert.equal(d.account.employeeNumber, '101926');
  });
  test('userName, emails and eppn never change', () => {
    const inp = input({ employee: employee({ givenName: 'Per', familyName: 'Hansen' }) });
    const d = expectKind(decideAccount(issued(), inp), 'modify');
    assert.equal(d.account.userName, 'gisaas@uib.no');
    assert.equal(d.account.id, account().id);
    assert.equal(d.account.created, account().created);
    for (const never of ['userName', 'emails', 'no:edu:scim:user:eduPersonPrincipalName']) assert.ok(!(d.changed as string[]).includes(never));
  });
});

describe('guards', () => {
  test('an employee who does not own the account is a caller bug', () => {
    assert.throws(
      () => decideAccount(issued(), input({ employee: employee({ id: '999' }) })),
      (e) => e instanceof IgaRuleError && e.code === 'person-mismatch' && e.retriable === false,
    );
  });
  test('decisions never modify the state they were given', () => {
    const state = issued();
    const copy = structuredClone(state);
    const d = decideAccount(state, input({ affiliations: ended, employee: employee({ givenName: 'X' }) }));
    evolve(state, d);
    assert.deepEqual(state, copy);
  });
});
