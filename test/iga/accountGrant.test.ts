import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { decideAccount, evolve, onUsernameGranted, type AccountDecision, type AccountState } from '../../src/iga/accountDecision.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { IgaRuleError } from '../../src/iga/errors.ts';
import { account, ACCOUNT_ID, aff, employee, input, LATER, NOW } from './accountFixtures.ts';

const pending: AccountState = { status: 'pending', stem: 'gisaas', since: NOW };
const grant = { userName: 'gisaas2@uib.no', accountId: ACCOUNT_ID };
const invalidGrant = (e: unknown) => e instanceof IgaRuleError && e.code === 'invalid-grant' && e.retriable === false;

function expectKind<K extends AccountDecision['kind']>(d: AccountDecision, kind: K): Extract<AccountDecision, { kind: K }> {
  assert.equal(d.kind, kind, `expected ${kind}, got ${d.kind} (${d.reason.rule}: ${d.reason.detail})`);
  return d as Extract<AccountDecision, { kind: K }>;
}

describe('onUsernameGranted', () => {
  test('pending and eligible → create with version 1, the granted name and the caller-given id', () => {
    const d = expectKind(onUsernameGranted(pending, input({ now: LATER }), grant), 'create');
    assert.deepEqual(d.account, {
      id: ACCOUNT_ID,
      personId: '101926',
      userName: 'gisaas2@uib.no',
      active: true,
      givenName: 'Gisle',
      familyName: 'Aas',
      displayName: 'Gisle Aas',
      employeeNumber: '101926',
      created: LATER,
      lastModified: LATER,
      version: 1,
    });
    assert.equal(d.reason.rule, 'create-granted');
    assert.deepEqual(d.reason.activeAffiliations, [aff('2020-01-01', null)]);
  });
  test('after create the state is issued and deciding again does nothing', () => {
    const d = onUsernameGranted(pending, input(), grant);
    const state = evolve(pending, d);
    assert.equal(state.status, 'issued');
    const again = decideAccount(state, input({ now: LATER }));
    assert.equal(again.kind, 'none');
    assert.equal(again.reason.rule, 'up-to-date');
  });
  test('the granted name need not match the pending stem (name changed meanwhile)', () => {
    const d = expectKind(onUsernameGranted(pending, input({ employee: employee({ givenName: 'Per' }) }), grant), 'create');
    assert.equal(d.account.userName, 'gisaas2@uib.no');
    assert.equal(d.account.displayName, 'Per Aas');
  });
  test('no longer eligible → none; the name stays reserved and the claim is resolved', () => {
    const d = expectKind(onUsernameGranted(pending, input({ affiliations: [aff('2020-01-01', '2020-09-14')] }), grant), 'none');
    assert.equal(d.reservedUserName, 'gisaas2@uib.no');
    assert.equal(d.reason.rule, 'grant-not-needed');
    const state = evolve(pending, d);
    assert.deepEqual(state, { status: 'none', reservedUserName: 'gisaas2@uib.no' });
    // later eligible again: the reserved name is claimed first
    const next = expectKind(decideAccount(state, input()), 'request-username');
    assert.equal(next.preferredUserName, 'gisaas2@uib.no');
  });
  test('unknown employee or not external under the policy → none with the name reserved', () => {
    assert.equal(onUsernameGranted(pending, input({ employee: null }), grant).kind, 'none');
    const strict = input({ policy: makePolicy({ requireExternalUser: true }), employee: employee({ externalUser: false }) });
    assert.equal(expectKind(onUsernameGranted(pending, strict, grant), 'none').reservedUserName, 'gisaas2@uib.no');
  });
  test('a grant without a claim in flight still creates when eligible (state rebuilt from the name owner)', () => {
    assert.equal(onUsernameGranted({ status: 'none' }, input(), grant).kind, 'create');
  });
  test('grant for a person who already has that account: duplicate, nothing changes', () => {
    const state: AccountState = { status: 'issued', account: account({ userName: 'gisaas2@uib.no' }) };
    const d = expectKind(onUsernameGranted(state, input(), grant), 'none');
    assert.equal(d.reason.rule, 'grant-already-issued');
    assert.equal(d.reservedUserName, undefined);
    assert.equal(evolve(state, d), state);
  });
  test('grant of another name to a person with an account: reported reserved, account unchanged', () => {
    const state: AccountState = { status: 'issued', account: account() };
    const d = expectKind(onUsernameGranted(state, input(), grant), 'none');
    assert.equal(d.reservedUserName, 'gisaas2@uib.no');
    assert.equal(evolve(state, d), state);
  });
  test('hex ids without dashes are accepted (the BOTT example uses them)', () => {
    const d = expectKind(onUsernameGranted(pending, input(), { ...grant, accountId: '362ff2749bfb11eabbd5600308a4105a' }), 'create');
    assert.equal(d.account.id, '362ff2749bfb11eabbd5600308a4105a');
  });
  test('malformed grants are rejected', () => {
    for (const bad of [
      { ...grant, userName: 'gisaas2@uio.no' },
      { ...grant, userName: 'gisaas2' },
      { ...grant, userName: 'Gisaas2@uib.no' },
      { ...grant, userName: 'gisaas2@UIB.NO' },
      { ...grant, userName: 'toolongusername1@uib.no' },
      { ...grant, accountId: 'not-a-uuid' },
      { ...grant, accountId: '' },
    ]) {
      assert.throws(() => onUsernameGranted(pending, input(), bad), invalidGrant, JSON.stringify(bad));
    }
  });
  test('the configured domain is compared case-insensitively', () => {
    assert.equal(onUsernameGranted(pending, input({ emailDomain: 'UiB.no' }), grant).kind, 'create');
  });
});
