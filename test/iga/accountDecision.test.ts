import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { decideAccount, evolve, type AccountDecision, type AccountState } from '../../src/iga/accountDecision.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { aff, employee, input, LATER, NOW, TODAY } from './accountFixtures.ts';

const none: AccountState = { status: 'none' };
const pending: AccountState = { status: 'pending', stem: 'gisaas', since: NOW };

function expectKind<K extends AccountDecision['kind']>(d: AccountDecision, kind: K): Extract<AccountDecision, { kind: K }> {
  assert.equal(d.kind, kind, `expected ${kind}, got ${d.kind} (${d.reason.rule}: ${d.reason.detail})`);
  return d as Extract<AccountDecision, { kind: K }>;
}

describe('no account yet', () => {
  test('eligible → request-username with the stem, and a reason naming the facts', () => {
    const d = expectKind(decideAccount(none, input()), 'request-username');
    assert.equal(d.stem, 'gisaas');
    // Where the registry goes on when gisaas has no free name left (usernameNamespaces.ts).
    assert.deepEqual(d.fallbacks, [{ stem: 'gislaas', scheme: 'counter' }, { stem: 'gisleaas', scheme: 'counter' }, { stem: 'g', scheme: 'employee-id' }]);
    assert.equal(d.requestedAt, NOW);
    assert.equal(d.preferredUserName, undefined);
    assert.deepEqual(d.reason.activeAffiliations, [aff('2020-01-01', null)]);
    assert.equal(d.reason.rule, 'request-username');
    assert.equal(d.reason.today, TODAY);
    assert.equal(d.reason.now, NOW);
    assert.equal(d.reason.policyVersion, input().policy.version);
    assert.match(d.reason.detail, /employee 101926 has 1 affiliation active on 2020-09-15: 30001233 \[2020-01-01\.\.open\]/);
  });

  const dateCases: Array<[string, string | null, string | null, boolean]> = [
    ['start exactly today', TODAY, null, true],
    ['start tomorrow', '2020-09-16', null, false],
    ['end exactly today', '2020-01-01', TODAY, true],
    ['end yesterday', '2020-01-01', '2020-09-14', false],
    ['one-day affiliation today', TODAY, TODAY, true],
    ['open both ends', null, null, true],
  ];
  for (const [name, start, end, eligible] of dateCases) {
    test(`${name} → ${eligible ? 'request-username' : 'none'}`, () => {
      const d = decideAccount(none, input({ affiliations: [aff(start, end)] }));
      assert.equal(d.kind, eligible ? 'request-username' : 'none');
      if (!eligible) assert.equal(d.reason.rule, 'not-eligible');
    });
  }

  test('start offset: counts startOffsetDays before the start, not one more', () => {
    const policy = makePolicy({ startOffsetDays: 6 });
    assert.equal(decideAccount(none, input({ policy, affiliations: [aff('2020-09-21', null)] })).kind, 'request-username');
    assert.equal(decideAccount(none, input({ policy, affiliations: [aff('2020-09-22', null)] })).kind, 'none');
  });
  test('end grace: counts endGraceDays after the end, not one more', () => {
    const policy = makePolicy({ endGraceDays: 3 });
    assert.equal(decideAccount(none, input({ policy, affiliations: [aff('2020-01-01', '2020-09-12')] })).kind, 'request-username');
    assert.equal(decideAccount(none, input({ policy, affiliations: [aff('2020-01-01', '2020-09-11')] })).kind, 'none');
  });
  test('unknown employee → none even with active affiliations', () => {
    const d = expectKind(decideAccount(none, input({ employee: null })), 'none');
    assert.equal(d.reason.rule, 'not-eligible');
    assert.match(d.reason.detail, /not known/);
  });
  test('no affiliations at all → none', () => {
    const d = expectKind(decideAccount(none, input({ affiliations: [] })), 'none');
    assert.match(d.reason.detail, /no affiliation active on 2020-09-15 \(none at all\)/);
  });
  test('only the ignored placeholder position → none', () => {
    assert.equal(decideAccount(none, input({ affiliations: [aff(null, null, '99999999')] })).kind, 'none');
  });
  test('requireExternalUser: only external users get an account', () => {
    const strict = makePolicy({ requireExternalUser: true });
    const internal = employee({ externalUser: false });
    const d = expectKind(decideAccount(none, input({ policy: strict, employee: internal })), 'none');
    assert.match(d.reason.detail, /eksternbruker/);
    assert.equal(d.reason.policyVersion, strict.version);
    assert.equal(decideAccount(none, input({ policy: strict })).kind, 'request-username');
    assert.equal(decideAccount(none, input({ employee: internal })).kind, 'request-username');
  });
  test('stem falls back to "user" for names without letters', () => {
    const d = expectKind(decideAccount(none, input({ employee: employee({ givenName: '李', familyName: '王' }) })), 'request-username');
    assert.equal(d.stem, 'user');
  });
  test('a reserved name from an earlier grant is preferred', () => {
    const d = expectKind(decideAccount({ status: 'none', reservedUserName: 'gisaas@uib.no' }, input()), 'request-username');
    assert.equal(d.preferredUserName, 'gisaas@uib.no');
    assert.deepEqual(evolve({ status: 'none', reservedUserName: 'gisaas@uib.no' }, d), {
      status: 'pending', stem: 'gisaas', since: NOW, preferredUserName: 'gisaas@uib.no',
    });
  });
  test('idempotent: after evolve the claim is pending and deciding again does nothing', () => {
    const first = decideAccount(none, input());
    const state = evolve(none, first);
    assert.deepEqual(state, { status: 'pending', stem: 'gisaas', since: NOW });
    const second = expectKind(decideAccount(state, input({ now: LATER })), 'none');
    assert.equal(second.reason.rule, 'awaiting-username');
    assert.equal(evolve(state, second), state);
  });
  test('none when not eligible keeps the state object', () => {
    const d = decideAccount(none, input({ affiliations: [] }));
    assert.equal(evolve(none, d), none);
  });
});

describe('username claim in flight', () => {
  test('eligible → none, waiting for the grant', () => {
    const d = expectKind(decideAccount(pending, input()), 'none');
    assert.equal(d.reason.rule, 'awaiting-username');
    assert.match(d.reason.detail, /in flight since/);
    assert.equal(evolve(pending, d), pending);
  });
  test('no longer eligible → still none; the grant handler decides', () => {
    const d = expectKind(decideAccount(pending, input({ affiliations: [] })), 'none');
    assert.equal(d.reason.rule, 'awaiting-username-not-eligible');
    assert.equal(evolve(pending, d), pending);
  });
  test('unknown employee → none', () => {
    assert.equal(decideAccount(pending, input({ employee: null })).kind, 'none');
  });
});
