import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { activeAffiliations } from '../../src/iga/affiliations.ts';
import { addDays, fromEpochDay } from '../../src/iga/dates.ts';
import { affiliationOnDay, evaluateOn } from '../../src/iga/pointInTime.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { account, aff, employee } from './accountFixtures.ts';

const S = '2026-03-10';
const E = '2026-06-30';

describe('affiliationOnDay', () => {
  test('exhaustive over start offsets and grace: counts exactly from start - offset to end + grace, both days included', () => {
    for (const startOffsetDays of [0, 1, 6, 30]) {
      for (const endGraceDays of [0, 1, 14, 90]) {
        const policy = makePolicy({ startOffsetDays, endGraceDays });
        const from = addDays(S, -startOffsetDays);
        const until = addDays(E, endGraceDays);
        for (let day = addDays(from, -3); day <= addDays(until, 3); day = addDays(day, 1)) {
          const r = affiliationOnDay(aff(S, E), day, policy);
          const label = `offset ${startOffsetDays}, grace ${endGraceDays}, day ${day}`;
          assert.equal(r.countsFrom, from, label);
          assert.equal(r.countsUntil, until, label);
          assert.equal(r.counts, day >= from && day <= until, label);
          assert.equal(r.standing, day < from ? 'not-started' : day > until ? 'ended' : 'counts', label);
        }
        // The exact boundary days.
        assert.equal(affiliationOnDay(aff(S, E), from, policy).counts, true);
        assert.equal(affiliationOnDay(aff(S, E), addDays(from, -1), policy).counts, false);
        assert.equal(affiliationOnDay(aff(S, E), until, policy).counts, true);
        assert.equal(affiliationOnDay(aff(S, E), addDays(until, 1), policy).counts, false);
      }
    }
  });

  test('says why, naming the policy\'s early start and grace', () => {
    const policy = makePolicy({ startOffsetDays: 6, endGraceDays: 14, version: 'uio-2026' });
    assert.equal(affiliationOnDay(aff(S, E), '2026-03-03', policy).why,
      '30001233 [2026-03-10..2026-06-30] does not count yet on 2026-03-03: it starts 2026-03-10, counts from 2026-03-04, 6 days before the start under policy uio-2026');
    assert.equal(affiliationOnDay(aff(S, E), '2026-03-04', policy).why,
      '30001233 [2026-03-10..2026-06-30] counts on 2026-03-04 (counted 2026-03-04..2026-07-14, 6 days before the start under policy uio-2026, 14 days\' grace after the end under policy uio-2026)');
    assert.equal(affiliationOnDay(aff(S, E), '2026-07-15', policy).why,
      '30001233 [2026-03-10..2026-06-30] no longer counts on 2026-07-15: it ended 2026-06-30, counted until 2026-07-14, 14 days\' grace after the end under policy uio-2026');
    assert.equal(affiliationOnDay(aff(S, E), '2026-07-15', makePolicy()).why,
      '30001233 [2026-03-10..2026-06-30] no longer counts on 2026-07-15: it ended 2026-06-30, counted until 2026-06-30');
    assert.equal(affiliationOnDay(aff(S, E), '2026-04-01', makePolicy()).why, '30001233 [2026-03-10..2026-06-30] counts on 2026-04-01');
  });

  test('open ranges: no start counts since ever, no end (or 9999-12-31 plus grace) counts for ever', () => {
    const policy = makePolicy({ startOffsetDays: 6, endGraceDays: 14 });
    const openStart = affiliationOnDay(aff(null, E), '1900-01-01', policy);
    assert.deepEqual([openStart.counts, openStart.countsFrom], [true, null]);
    const openEnd = affiliationOnDay(aff(S, null), '9999-12-01', policy);
    assert.deepEqual([openEnd.counts, openEnd.countsUntil], [true, null]);
    const dfoOpen = affiliationOnDay(aff(S, '9999-12-31'), '9999-12-01', policy);
    assert.deepEqual([dfoOpen.counts, dfoOpen.countsUntil, dfoOpen.standing], [true, null, 'counts'], 'end + grace beyond the calendar is open, not an error');
    assert.equal(affiliationOnDay(aff('0001-01-03', null), '0001-01-01', policy).countsFrom, null);
  });

  test('an ignored position never counts, even inside its dates', () => {
    const policy = makePolicy({ version: 'p-x' });
    const r = affiliationOnDay(aff('2020-01-01', null, '99999999'), '2026-01-01', policy);
    assert.deepEqual([r.counts, r.standing], [false, 'ignored']);
    assert.match(r.why, /position 99999999 is ignored by policy p-x/);
  });

  test('property: `counts` is the rule itself (activeAffiliations), and the standing agrees with the window', () => {
    const day = fc.integer({ min: 0, max: 400 }).map((n) => fromEpochDay(20_500 + n));
    fc.assert(fc.property(fc.option(day), fc.option(day), day, fc.nat(20), fc.nat(20), fc.boolean(), (s, e, t, startOffsetDays, endGraceDays, ignored) => {
      const policy = makePolicy({ startOffsetDays, endGraceDays, ignoredPositionIds: ignored ? ['30001233'] : [] });
      const a = aff(s, e);
      const r = affiliationOnDay(a, t, policy);
      assert.equal(r.counts, activeAffiliations([a], t, policy).length === 1);
      if (r.standing === 'not-started') assert.ok(r.countsFrom !== null && t < r.countsFrom);
      if (r.standing === 'ended') assert.ok(r.countsUntil !== null && t > r.countsUntil);
      assert.equal(r.standing === 'counts', r.counts);
    }), { numRuns: 2000 });
  });
});

describe('evaluateOn', () => {
  const policy = makePolicy({ startOffsetDays: 6, endGraceDays: 14, version: 'uio' });
  const base = { employee: employee(), policy, emailDomain: 'uib.no' };

  test('no account: create from the first day an affiliation counts (6 days early), nothing the day before', () => {
    const affiliations = [aff(S, E)];
    assert.equal(evaluateOn({ ...base, affiliations, account: null, day: '2026-03-03' }).outcome, 'no change');
    const first = evaluateOn({ ...base, affiliations, account: null, day: '2026-03-04' });
    assert.deepEqual([first.outcome, first.eligible, first.rule, first.policyVersion], ['create', true, 'request-username', 'uio']);
    assert.match(first.detail, /1 affiliation active on 2026-03-04/);
  });

  test('an active account is blocked only after the grace; an inactive one is reactivated when a new affiliation counts', () => {
    const affiliations = [aff('2020-01-01', E)];
    assert.equal(evaluateOn({ ...base, affiliations, account: account(), day: '2026-07-14' }).outcome, 'no change');
    const blocked = evaluateOn({ ...base, affiliations, account: account(), day: '2026-07-15' });
    assert.deepEqual([blocked.outcome, blocked.eligible, blocked.rule], ['block', false, 'block-not-eligible']);
    assert.deepEqual(blocked.affiliations.map((a) => a.standing), ['ended']);
    const again = [...affiliations, aff('2026-09-01', null, '30009999')];
    const inactive = account({ active: false, employeeNumber: null });
    assert.equal(evaluateOn({ ...base, affiliations: again, account: inactive, day: '2026-08-25' }).outcome, 'no change');
    const back = evaluateOn({ ...base, affiliations: again, account: inactive, day: '2026-08-26' });
    assert.deepEqual([back.outcome, back.rule], ['reactivate', 'reactivate-eligible']);
    assert.deepEqual(back.affiliations.map((a) => [a.positionId, a.standing]), [['30001233', 'ended'], ['30009999', 'counts']]);
  });

  test('several affiliations: the account stays while one counts; a changed name is a modify', () => {
    const affiliations = [aff('2020-01-01', '2026-01-31'), aff('2025-06-01', null, '30004444')];
    const r = evaluateOn({ ...base, affiliations, account: account(), day: '2026-03-01' });
    assert.deepEqual([r.outcome, r.eligible], ['no change', true]);
    assert.deepEqual(r.affiliations.map((a) => a.counts), [false, true]);
    const renamed = evaluateOn({ ...base, employee: employee({ familyName: 'Aas-Berg' }), affiliations, account: account(), day: '2026-03-01' });
    assert.deepEqual([renamed.outcome, renamed.rule], ['modify', 'modify-attributes']);
  });

  test('the eksternbruker requirement: no account for a non-external employee, whatever the dates', () => {
    const strict = makePolicy({ requireExternalUser: true, version: 'strict' });
    const r = evaluateOn({ ...base, policy: strict, employee: employee({ externalUser: false }), affiliations: [aff('2020-01-01', null)], account: null, day: '2026-03-01' });
    assert.deepEqual([r.outcome, r.eligible], ['no change', false]);
    assert.match(r.detail, /not an external user .* policy strict requires it/);
    const active = evaluateOn({ ...base, policy: strict, employee: employee({ externalUser: false }), affiliations: [aff('2020-01-01', null)], account: account(), day: '2026-03-01' });
    assert.equal(active.outcome, 'block');
  });
});
