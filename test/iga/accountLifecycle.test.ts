/**
 * The decider over time: a ManualClock walks day by day while the person's affiliations come and
 * go, checking that decisions fire exactly on the boundary days `nextBoundaries` predicts, and a
 * fast-check model test checks the account invariants over random histories.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decideAccount, evolve, onUsernameGranted, type AccountDecision, type AccountState } from '../../src/iga/accountDecision.ts';
import { activeAffiliations, nextBoundaries } from '../../src/iga/affiliations.ts';
import { ManualClock, osloToday } from '../../src/iga/clock.ts';
import { addDays } from '../../src/iga/dates.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { candidateName } from '../../src/iga/username.ts';
import type { Affiliation } from '../../src/iga/model.ts';
import { aff, employee, input } from './accountFixtures.ts';

/** Runs decide + evolve, answering a username request with an immediate grant. */
function step(state: AccountState, inp: ReturnType<typeof input>, nextId: () => string): { state: AccountState; decisions: AccountDecision[] } {
  const decisions: AccountDecision[] = [];
  let d = decideAccount(state, inp);
  decisions.push(d);
  let s = evolve(state, d);
  if (d.kind === 'request-username') {
    d = onUsernameGranted(s, inp, { userName: `${candidateName(d.stem, 1)}@uib.no`, accountId: nextId() });
    decisions.push(d);
    s = evolve(s, d);
  }
  return { state: s, decisions };
}

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('a September appointment, walked day by day in Oslo time', () => {
  test('create on the first day, block on the day after the end, nothing in between', () => {
    const clock = new ManualClock('2020-08-30T21:30:00Z'); // 23:30 in Oslo on 2020-08-30
    const affiliations = [aff('2020-09-01', '2020-09-30')];
    const policy = makePolicy();
    assert.deepEqual(nextBoundaries(affiliations, osloToday(clock), policy), ['2020-09-01', '2020-10-01']);
    let state: AccountState = { status: 'none' };
    let ids = 0;
    const log: string[] = [];
    for (let i = 0; i < 34; i++) {
      const today = osloToday(clock);
      const r = step(state, input({ affiliations, today, now: clock.now().toISOString(), policy }), () => uuid(++ids));
      state = r.state;
      for (const d of r.decisions) if (d.kind !== 'none') log.push(`${today} ${d.kind}`);
      clock.advanceDays(1);
    }
    assert.deepEqual(log, ['2020-09-01 request-username', '2020-09-01 create', '2020-10-01 block']);
    assert.equal(state.status === 'issued' && state.account.version, 2);
    assert.equal(ids, 1);
  });
});

describe('model test: random histories', () => {
  test('identity is stable, versions step by one, active follows eligibility, decisions are idempotent', () => {
    const day = fc.integer({ min: -10, max: 10 }).map((n) => addDays('2020-09-15', n));
    const affArb = fc.record({ positionId: fc.constantFrom('1', '2', '99999999'), startDate: fc.option(day), endDate: fc.option(day) });
    const event = fc.record({
      affiliations: fc.array(affArb, { maxLength: 3 }),
      givenName: fc.constantFrom('Gisle', 'Per', 'Åse'),
      familyName: fc.constantFrom('Aas', 'Hansen'),
      externalUser: fc.boolean(),
      known: fc.boolean(),
      daysLater: fc.nat(3),
    });
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 12 }), fc.nat(3), fc.boolean(), (events, offset, requireExternalUser) => {
        const policy = makePolicy({ startOffsetDays: offset, requireExternalUser });
        let state: AccountState = { status: 'none' };
        let today = '2020-09-10';
        let ids = 0;
        let identity: { id: string; userName: string } | null = null;
        for (const [i, e] of events.entries()) {
          today = addDays(today, e.daysLater);
          const now = `${today}T08:00:${String(i).padStart(2, '0')}.000Z`;
          const emp = e.known ? employee({ givenName: e.givenName, familyName: e.familyName, externalUser: e.externalUser }) : null;
          const inp = input({ employee: emp, affiliations: e.affiliations as Affiliation[], today, now, policy });
          const before: AccountState = state;
          const r = step(state, inp, () => uuid(++ids));
          state = r.state;
          const eligible = emp !== null && (!requireExternalUser || emp.externalUser) && activeAffiliations(inp.affiliations, today, policy).length > 0;
          if (state.status === 'issued') {
            const acc = state.account;
            identity ??= { id: acc.id, userName: acc.userName };
            assert.deepEqual({ id: acc.id, userName: acc.userName }, identity);
            assert.equal(acc.active, eligible);
            assert.equal(acc.employeeNumber, activeAffiliations(inp.affiliations, today, policy).length > 0 ? '101926' : null);
            const prevVersion: number = before.status === 'issued' ? before.account.version : 0;
            const changedNow = r.decisions.some((d) => d.kind !== 'none' && d.kind !== 'request-username');
            assert.equal(acc.version, prevVersion + (changedNow ? 1 : 0));
            if (changedNow) assert.equal(acc.lastModified, now);
          } else {
            assert.equal(eligible, false, 'an eligible person ends a step with an account');
          }
          const again = decideAccount(state, { ...inp, now: `${today}T09:00:00.000Z` });
          assert.equal(again.kind, 'none', again.reason.detail);
          for (const d of r.decisions) {
            if ('changed' in d) assert.ok(d.changed.length > 0 && !d.changed.some((a) => ['userName', 'emails', 'no:edu:scim:user:eduPersonPrincipalName'].includes(a)));
          }
        }
        assert.ok(ids <= 1, 'at most one account id is ever used');
      }),
      { numRuns: 200 },
    );
  });
});
