import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { nextBoundaries } from '../../src/iga/affiliations.ts';
import { addDays, fromEpochDay } from '../../src/iga/dates.ts';
import { evaluateOn } from '../../src/iga/pointInTime.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { compareUpcoming, upcomingChanges, type UpcomingCandidate } from '../../src/iga/upcoming.ts';
import { sourceBoundaries } from '../../src/iga/sources.ts';
import { ACCOUNT_ID, account, aff, employee } from './accountFixtures.ts';

const TODAY = '2026-03-02';
const D = 'uib.no';
const active = { id: ACCOUNT_ID, userName: 'gisaas@uib.no', active: true };
const inactive = { ...active, active: false };

/** A candidate whose timer days are the ones the person processor would schedule today. */
function candidate(affiliations: UpcomingCandidate['affiliations'], account: UpcomingCandidate['account'], policy = makePolicy()): UpcomingCandidate {
  return { employeeId: '101926', employee: employee(), affiliations, account, days: nextBoundaries(affiliations, TODAY, policy) };
}

describe('upcomingChanges', () => {
  test('exhaustive over early start and grace: the create and the block fall on start - offset and end + grace + 1', () => {
    for (const startOffsetDays of [0, 1, 6]) {
      for (const endGraceDays of [0, 1, 14]) {
        const policy = makePolicy({ startOffsetDays, endGraceDays });
        const start = '2026-03-20';
        const end = '2026-04-10';
        const c = candidate([aff(start, end)], null, policy);
        const got = upcomingChanges(c, TODAY, '2026-12-31', policy, D);
        const label = `offset ${startOffsetDays}, grace ${endGraceDays}`;
        assert.deepEqual(got.map((x) => [x.day, x.change]), [[addDays(start, -startOffsetDays), 'create'], [addDays(end, endGraceDays + 1), 'block']], label);
        assert.equal(got[0]!.rule, 'request-username');
        assert.equal(got[1]!.rule, 'block-not-eligible');
        assert.match(got[1]!.why, /has no affiliation active/);
      }
    }
  });

  test('the window ends on its last day, inclusive', () => {
    const c = candidate([aff('2026-03-09', null)], null);
    assert.deepEqual(upcomingChanges(c, TODAY, '2026-03-09', makePolicy(), D).map((x) => x.day), ['2026-03-09']);
    assert.deepEqual(upcomingChanges(c, TODAY, '2026-03-08', makePolicy(), D), []);
  });

  test('several affiliations: an end covered by another affiliation changes nothing; a gap blocks then reactivates', () => {
    const covered = candidate([aff('2020-01-01', '2026-03-31'), aff('2026-04-01', null, '30004444')], active);
    assert.deepEqual(upcomingChanges(covered, TODAY, '2026-12-31', makePolicy(), D), []);
    const gap = candidate([aff('2020-01-01', '2026-03-31'), aff('2026-05-01', null, '30004444')], active);
    const got = upcomingChanges(gap, TODAY, '2026-12-31', makePolicy(), D);
    assert.deepEqual(got.map((x) => [x.day, x.change, x.accountId, x.userName]), [
      ['2026-04-01', 'block', ACCOUNT_ID, 'gisaas@uib.no'],
      ['2026-05-01', 'reactivate', ACCOUNT_ID, 'gisaas@uib.no'],
    ]);
    // A 31-day grace closes the gap: nothing happens.
    const grace = makePolicy({ endGraceDays: 31 });
    assert.deepEqual(upcomingChanges({ ...gap, days: nextBoundaries(gap.affiliations, TODAY, grace) }, TODAY, '2026-12-31', grace, D), []);
  });

  test('an inactive account is reactivated on the early start of a new affiliation', () => {
    const policy = makePolicy({ startOffsetDays: 6 });
    const c = candidate([aff('2019-01-01', '2025-12-31'), aff('2026-03-16', null, '30005555')], inactive, policy);
    const got = upcomingChanges(c, TODAY, '2026-03-31', policy, D);
    assert.deepEqual(got.map((x) => [x.day, x.change]), [['2026-03-10', 'reactivate']]);
    assert.equal(got[0]!.displayName, 'Gisle Aas');
  });

  test('a timer already due (the service has not fired it yet) counts as today', () => {
    const c: UpcomingCandidate = { employeeId: '101926', employee: employee(), affiliations: [aff('2020-01-01', '2026-02-27')], account: active, days: ['2026-02-28'] };
    assert.deepEqual(upcomingChanges(c, TODAY, TODAY, makePolicy(), D).map((x) => [x.day, x.change]), [[TODAY, 'block']]);
  });

  test('nothing for a person who never becomes eligible (unknown employee, or not eksternbruker under that policy)', () => {
    const strict = makePolicy({ requireExternalUser: true });
    const c = { ...candidate([aff('2026-03-05', null)], null, strict), employee: employee({ externalUser: false }) };
    assert.deepEqual(upcomingChanges(c, TODAY, '2026-12-31', strict, D), []);
    assert.deepEqual(upcomingChanges({ ...c, employee: null }, TODAY, '2026-12-31', makePolicy(), D), []);
  });

  test('compareUpcoming orders by day, then employee number', () => {
    const mk = (day: string, employeeId: string) => ({ day, employeeId }) as Parameters<typeof compareUpcoming>[0];
    const sorted = [mk('2026-03-05', '100010'), mk('2026-03-04', '99'), mk('2026-03-05', '9'), mk('2026-03-05', '100002')].sort(compareUpcoming);
    assert.deepEqual(sorted.map((x) => `${x.day}/${x.employeeId}`), ['2026-03-04/99', '2026-03-05/9', '2026-03-05/100002', '2026-03-05/100010']);
  });

  test('property: the first change agrees with the account decider on that day, and no boundary change is missed', () => {
    const day = fc.integer({ min: -30, max: 90 }).map((n) => fromEpochDay(20_514 + n)); // around 2026-03-02
    const affArb = fc.tuple(fc.option(day), fc.option(day), fc.constantFrom('30001233', '30004444')).map(([s, e, p]) => aff(s, e !== null && s !== null && e < s ? s : e, p));
    fc.assert(fc.property(fc.array(affArb, { maxLength: 3 }), fc.constantFrom<null | boolean>(null, true, false), fc.nat(10), fc.nat(10), (affs, acc, startOffsetDays, endGraceDays) => {
      const policy = makePolicy({ startOffsetDays, endGraceDays });
      const current = acc === null ? null : { ...active, active: acc };
      const c = candidate(affs, current, policy);
      const until = addDays(TODAY, 120);
      const got = upcomingChanges(c, TODAY, until, policy, D);
      const full = acc === null ? null : account({ active: acc, employeeNumber: acc ? '101926' : null });
      // Steady state: the account is what the decider wants today (else the change is due now, not on a timer day).
      fc.pre(!['create', 'block', 'reactivate'].includes(evaluateOn({ day: TODAY, employee: employee(), affiliations: affs, account: full, policy, emailDomain: D }).outcome));
      // Walk every day: the decider's outcome changes the state exactly on the days upcoming names.
      let state = full;
      const walked: Array<[string, string]> = [];
      for (let d = addDays(TODAY, 1); d <= until; d = addDays(d, 1)) {
        const r = evaluateOn({ day: d, employee: employee(), affiliations: affs, account: state, policy, emailDomain: D });
        if (r.outcome === 'create' || r.outcome === 'block' || r.outcome === 'reactivate') {
          walked.push([d, r.outcome]);
          state = account({ active: r.eligible, employeeNumber: r.eligible ? '101926' : null });
        }
      }
      assert.deepEqual(got.map((x) => [x.day, x.change]), walked);
    }), { numRuns: 400 });
  });
});

describe('upcomingChanges with the publishers\' affiliations', () => {
  const P = 'p-0b6c1a7e-1111-5222-8333-444455556666';
  const study = (end: string) => ({ kind: 'student' as const, source: 'fs', id: 'BAMAT', startDate: '2025-08-15', endDate: end });
  test('a student\'s account is blocked the day after the study right ends; an employee who studies keeps it', () => {
    const policy = makePolicy({});
    const days = sourceBoundaries([study('2026-06-30')], TODAY, policy);
    const student: UpcomingCandidate = { employeeId: P, employee: null, affiliations: [], account: active, days, sources: { affiliations: [study('2026-06-30')], sponsor: null } };
    assert.deepEqual(upcomingChanges(student, TODAY, '2027-01-01', policy, D).map((c) => [c.day, c.change]), [['2026-07-01', 'block']]);
    const working: UpcomingCandidate = { ...student, employee: employee({ id: '100050' }), affiliations: [aff('2020-01-01', null)] };
    assert.deepEqual(upcomingChanges(working, TODAY, '2027-01-01', policy, D), []);
  });

  test('a guest stay counts from the day its end comes within guestMaxDays, only with an active sponsor', () => {
    const policy = makePolicy({ guestMaxDays: 30 });
    const stay = { kind: 'guest' as const, source: 'guest-portal', id: 'guest', startDate: TODAY, endDate: '2026-06-30' };
    const days = sourceBoundaries([stay], TODAY, policy);
    const guest: UpcomingCandidate = { employeeId: P, employee: null, affiliations: [], account: null, days, sources: { affiliations: [stay], sponsor: { employeeId: '1', active: true } } };
    assert.deepEqual(upcomingChanges(guest, TODAY, '2027-01-01', policy, D).map((c) => [c.day, c.change]), [['2026-05-31', 'create'], ['2026-07-01', 'block']]);
    assert.deepEqual(upcomingChanges({ ...guest, sources: { affiliations: [stay], sponsor: { employeeId: '1', active: false } } }, TODAY, '2027-01-01', policy, D), []);
  });
});
