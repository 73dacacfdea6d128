import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { activeAffiliations, applyHolderRanges, isAffiliationActive, LAST_SCHEDULED_DAY, nextBoundaries } from '../../src/iga/affiliations.ts';
import { addDays, fromEpochDay, toEpochDay } from '../../src/iga/dates.ts';
import { defaultPolicy, makePolicy } from '../../src/iga/policy.ts';
import type { Affiliation, DateRange } from '../../src/iga/model.ts';

const aff = (positionId: string, startDate: string | null, endDate: string | null): Affiliation => ({ positionId, startDate, endDate });
const range = (startDate: string | null, endDate: string | null): DateRange => ({ startDate, endDate });

describe('isAffiliationActive', () => {
  const r = range('2020-09-01', '2020-09-30');
  const cases: Array<[string, string, boolean]> = [
    ['day before start', '2020-08-31', false],
    ['exactly the start', '2020-09-01', true],
    ['inside', '2020-09-15', true],
    ['exactly the end', '2020-09-30', true],
    ['day after end', '2020-10-01', false],
  ];
  for (const [name, today, want] of cases) test(`${name} (${today}) → ${want}`, () => assert.equal(isAffiliationActive(r, today, defaultPolicy), want));

  test('open ends', () => {
    assert.equal(isAffiliationActive(range(null, null), '2020-01-01', defaultPolicy), true);
    assert.equal(isAffiliationActive(range(null, '2020-01-01'), '2020-01-01', defaultPolicy), true);
    assert.equal(isAffiliationActive(range(null, '2020-01-01'), '2020-01-02', defaultPolicy), false);
    assert.equal(isAffiliationActive(range('2020-01-02', null), '2020-01-01', defaultPolicy), false);
    assert.equal(isAffiliationActive(range('2020-01-02', null), '2090-01-01', defaultPolicy), true);
  });
  test('DFØ open end 9999-12-31 and an early start do not overflow', () => {
    const grace = makePolicy({ startOffsetDays: 30, endGraceDays: 30 });
    assert.equal(isAffiliationActive(range('0001-01-01', '9999-12-31'), '2020-01-01', grace), true);
  });
  test('start offset: counts N days before the start, not N+1', () => {
    const p = makePolicy({ startOffsetDays: 6 });
    assert.equal(isAffiliationActive(r, '2020-08-26', p), true);
    assert.equal(isAffiliationActive(r, '2020-08-25', p), false);
  });
  test('end grace: counts M days after the end, not M+1', () => {
    const p = makePolicy({ endGraceDays: 3 });
    assert.equal(isAffiliationActive(r, '2020-10-03', p), true);
    assert.equal(isAffiliationActive(r, '2020-10-04', p), false);
  });
  test('a one-day affiliation is active on that day only', () => {
    const one = range('2020-02-29', '2020-02-29');
    assert.deepEqual(['2020-02-28', '2020-02-29', '2020-03-01'].map((d) => isAffiliationActive(one, d, defaultPolicy)), [false, true, false]);
  });
  test('property: agrees with day arithmetic', () => {
    const day = fc.integer({ min: 0, max: 2000 });
    fc.assert(
      fc.property(fc.option(day), fc.option(day), day, fc.nat(10), fc.nat(10), (s, e, t, offset, grace) => {
        const toDay = (n: number) => fromEpochDay(18_000 + n);
        const a = range(s === null ? null : toDay(s), e === null ? null : toDay(e));
        const want = (s === null || s - offset <= t) && (e === null || t <= e + grace);
        assert.equal(isAffiliationActive(a, toDay(t), makePolicy({ startOffsetDays: offset, endGraceDays: grace })), want);
      }),
      { numRuns: 300 },
    );
  });
});

describe('activeAffiliations', () => {
  test('keeps active ones in input order and never counts ignored positions', () => {
    const affs = [aff('2', '2020-01-01', null), aff('99999999', null, null), aff('1', '2021-01-01', null), aff('3', null, '2020-12-31')];
    assert.deepEqual(activeAffiliations(affs, '2020-06-01', defaultPolicy), [affs[0], affs[3]]);
    assert.deepEqual(activeAffiliations(affs, '2020-06-01', makePolicy({ ignoredPositionIds: [] })), [affs[0], affs[1], affs[3]]);
    assert.deepEqual(activeAffiliations([], '2020-06-01', defaultPolicy), []);
  });
});

describe('applyHolderRanges', () => {
  const other = aff('20000001', '2019-01-01', null);

  test('adds a new position', () => {
    const change = applyHolderRanges([other], '30001233', [range('2020-09-01', null)]);
    assert.deepEqual(change, {
      next: [other, aff('30001233', '2020-09-01', null)],
      added: [aff('30001233', '2020-09-01', null)],
      removed: [],
      updated: [],
    });
  });
  test('several ranges in one position are several affiliations, sorted', () => {
    const change = applyHolderRanges([], '30001233', [range('2021-01-01', null), range('2020-01-01', '2020-06-30'), range(null, '2019-01-01')]);
    assert.deepEqual(change.next, [aff('30001233', null, '2019-01-01'), aff('30001233', '2020-01-01', '2020-06-30'), aff('30001233', '2021-01-01', null)]);
    assert.deepEqual(change.added, change.next);
  });
  test('a new end date on the same start is an update', () => {
    const current = [aff('30001233', '2020-01-01', null), other];
    const change = applyHolderRanges(current, '30001233', [range('2020-01-01', '2020-12-31')]);
    assert.deepEqual(change.updated, [aff('30001233', '2020-01-01', '2020-12-31')]);
    assert.deepEqual(change.added, []);
    assert.deepEqual(change.removed, []);
    assert.deepEqual(change.next, [other, aff('30001233', '2020-01-01', '2020-12-31')]);
  });
  test('a new start date is a removal plus an addition', () => {
    const change = applyHolderRanges([aff('30001233', '2020-01-01', null)], '30001233', [range('2020-02-01', null)]);
    assert.deepEqual(change.removed, [aff('30001233', '2020-01-01', null)]);
    assert.deepEqual(change.added, [aff('30001233', '2020-02-01', null)]);
  });
  test('no ranges removes every affiliation in the position and keeps the rest', () => {
    const current = [aff('30001233', '2020-01-01', null), aff('30001233', '2018-01-01', '2018-12-31'), other];
    const change = applyHolderRanges(current, '30001233', []);
    assert.deepEqual(change.next, [other]);
    assert.deepEqual(change.removed, [aff('30001233', '2018-01-01', '2018-12-31'), aff('30001233', '2020-01-01', null)]);
  });
  test('same ranges again change nothing (idempotent)', () => {
    const first = applyHolderRanges([other], '30001233', [range('2020-01-01', null), range(null, '2019-01-01')]);
    const again = applyHolderRanges(first.next, '30001233', [range(null, '2019-01-01'), range('2020-01-01', null)]);
    assert.deepEqual(again, { next: first.next, added: [], removed: [], updated: [] });
  });
  test('duplicates collapse; a same-start conflict keeps the longer range (open end wins)', () => {
    const dup = applyHolderRanges([], '1', [range('2020-01-01', '2020-06-30'), range('2020-01-01', '2020-06-30')]);
    assert.deepEqual(dup.next, [aff('1', '2020-01-01', '2020-06-30')]);
    const conflict = applyHolderRanges([], '1', [range('2020-01-01', '2020-06-30'), range('2020-01-01', null), range('2020-01-01', '2021-01-01')]);
    assert.deepEqual(conflict.next, [aff('1', '2020-01-01', null)]);
    const longer = applyHolderRanges([], '1', [range('2020-01-01', '2021-01-01'), range('2020-01-01', '2020-06-30')]);
    assert.deepEqual(longer.next, [aff('1', '2020-01-01', '2021-01-01')]);
  });
  test('does not modify its input', () => {
    const current = [aff('30001233', '2020-01-01', null)];
    const ranges = [range('2020-01-01', '2020-05-01')];
    const copy = structuredClone(current);
    applyHolderRanges(current, '30001233', ranges);
    assert.deepEqual(current, copy);
    assert.deepEqual(ranges, [range('2020-01-01', '2020-05-01')]);
  });
  test('property: next is exactly the other positions plus the new ranges, and the lists partition the change', () => {
    const dayArb = fc.option(fc.integer({ min: 0, max: 40 }).map((n) => fromEpochDay(18_000 + n)));
    const rangeArb = fc.record({ startDate: dayArb, endDate: dayArb });
    const affArb = fc.record({ positionId: fc.constantFrom('1', '2', '3'), startDate: dayArb, endDate: dayArb });
    fc.assert(
      fc.property(fc.array(affArb, { maxLength: 6 }), fc.array(rangeArb, { maxLength: 5 }), (raw, ranges) => {
        // a valid current list has unique (positionId, startDate)
        const current = [...new Map(raw.map((a) => [`${a.positionId}/${a.startDate}`, a])).values()];
        const { next, added, removed, updated } = applyHolderRanges(current, '2', ranges);
        assert.deepEqual(next.filter((a) => a.positionId !== '2'), current.filter((a) => a.positionId !== '2').sort((a, b) => (a.positionId < b.positionId ? -1 : a.positionId > b.positionId ? 1 : (a.startDate ?? '') < (b.startDate ?? '') ? -1 : 1)));
        const starts = new Set(ranges.map((r) => r.startDate));
        assert.deepEqual(new Set(next.filter((a) => a.positionId === '2').map((a) => a.startDate)), starts);
        const oldStarts = new Set(current.filter((a) => a.positionId === '2').map((a) => a.startDate));
        assert.deepEqual(new Set(added.map((a) => a.startDate)), new Set([...starts].filter((s) => !oldStarts.has(s))));
        assert.deepEqual(new Set(removed.map((a) => a.startDate)), new Set([...oldStarts].filter((s) => !starts.has(s))));
        for (const u of updated) assert.ok(oldStarts.has(u.startDate) && next.includes(u));
      }),
      { numRuns: 300 },
    );
  });
});

describe('nextBoundaries', () => {
  const today = '2020-09-15';
  test('future start and the day after the end', () => {
    assert.deepEqual(nextBoundaries([aff('1', '2020-10-01', '2020-12-31')], today, defaultPolicy), ['2020-10-01', '2021-01-01']);
  });
  test('only days after today; an end today gives tomorrow', () => {
    assert.deepEqual(nextBoundaries([aff('1', '2020-09-15', '2020-09-15')], today, defaultPolicy), ['2020-09-16']);
    assert.deepEqual(nextBoundaries([aff('1', '2020-01-01', '2020-09-14')], today, defaultPolicy), []);
    assert.deepEqual(nextBoundaries([aff('1', '2020-09-16', null)], today, defaultPolicy), ['2020-09-16']);
  });
  test('applies offset and grace', () => {
    const p = makePolicy({ startOffsetDays: 6, endGraceDays: 3 });
    assert.deepEqual(nextBoundaries([aff('1', '2020-10-01', '2020-10-31')], today, p), ['2020-09-25', '2020-11-04']);
    // effective start already reached: no start boundary
    assert.deepEqual(nextBoundaries([aff('1', '2020-09-20', null)], today, p), []);
    // effective start is today: not a future boundary
    assert.deepEqual(nextBoundaries([aff('1', '2020-09-21', null)], today, p), []);
    assert.deepEqual(nextBoundaries([aff('1', '2020-09-22', null)], today, p), ['2020-09-16']);
  });
  test('sorted and unique across affiliations', () => {
    const affs = [aff('2', '2021-01-01', null), aff('1', '2020-10-01', '2020-12-31'), aff('3', null, '2020-12-31'), aff('4', '2020-10-01', null)];
    assert.deepEqual(nextBoundaries(affs, today, defaultPolicy), ['2020-10-01', '2021-01-01']);
  });
  test('open dates, 9999-12-31 and days past 2200 give nothing', () => {
    const affs = [aff('1', null, null), aff('2', '2020-01-01', '9999-12-31'), aff('3', '2300-01-01', null), aff('4', '2020-01-01', '2200-12-31')];
    assert.deepEqual(nextBoundaries(affs, today, makePolicy({ endGraceDays: 5 })), []);
    assert.deepEqual(nextBoundaries([aff('4', '2020-01-01', '2200-12-30')], today, defaultPolicy), [LAST_SCHEDULED_DAY]);
  });
  test('ignored positions give no boundaries', () => {
    assert.deepEqual(nextBoundaries([aff('99999999', '2020-10-01', '2020-12-31')], today, defaultPolicy), []);
  });
  test('property: a day in the next 60 is a boundary iff some activity changes on it', () => {
    const dayArb = fc.option(fc.integer({ min: -20, max: 80 }).map((n) => addDays(today, n)));
    const affArb = fc.record({ positionId: fc.constantFrom('1', '2'), startDate: dayArb, endDate: dayArb });
    fc.assert(
      fc.property(fc.array(affArb, { maxLength: 5 }), fc.nat(7), fc.nat(7), (affs, offset, grace) => {
        const p = makePolicy({ startOffsetDays: offset, endGraceDays: grace });
        const boundaries = new Set(nextBoundaries(affs, today, p));
        for (let n = 1; n <= 60; n++) {
          const d = addDays(today, n);
          const changes = affs.some((a) => isAffiliationActive(a, d, p) !== isAffiliationActive(a, addDays(d, -1), p));
          // an inverted range (end before start) is never active, so its "boundaries" change nothing
          if (changes) assert.ok(boundaries.has(d), `missing boundary ${d}`);
          if (boundaries.has(d) && !changes) {
            assert.ok(affs.some((a) => a.startDate !== null && a.endDate !== null && toEpochDay(a.endDate) + grace < toEpochDay(a.startDate) - offset), `spurious boundary ${d}`);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
