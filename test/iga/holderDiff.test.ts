import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { diffHolders, normaliseRanges } from '../../src/iga/holderDiff.ts';
import type { DateRange, Holder } from '../../src/iga/model.ts';

const h = (employeeId: string, startDate: string | null, endDate: string | null): Holder => ({ employeeId, startDate, endDate });
const r = (startDate: string | null, endDate: string | null): DateRange => ({ startDate, endDate });

describe('diffHolders', () => {
  test('unknown position (before = null) reports every holder', () => {
    const after = [h('2', '2020-01-01', null), h('1', '2020-02-01', '2020-12-31'), h('1', '2019-01-01', '2019-06-30')];
    assert.deepEqual([...diffHolders(null, after)], [
      ['1', [r('2019-01-01', '2019-06-30'), r('2020-02-01', '2020-12-31')]],
      ['2', [r('2020-01-01', null)]],
    ]);
  });
  test('unknown position without holders reports nothing', () => {
    assert.equal(diffHolders(null, []).size, 0);
  });
  test('unchanged holders, in another order, are not reported', () => {
    const before = [h('1', '2020-01-01', null), h('2', null, '2020-12-31'), h('1', '2018-01-01', '2018-12-31')];
    const after = [h('1', '2018-01-01', '2018-12-31'), h('2', null, '2020-12-31'), h('1', '2020-01-01', null)];
    assert.equal(diffHolders(before, after).size, 0);
  });
  test('added, updated and removed holders; untouched ones left out', () => {
    const before = [h('1', '2020-01-01', null), h('2', '2020-01-01', null), h('3', '2020-01-01', null)];
    const after = [h('1', '2020-01-01', '2020-10-31'), h('3', '2020-01-01', null), h('4', '2020-09-01', null)];
    assert.deepEqual([...diffHolders(before, after)], [
      ['1', [r('2020-01-01', '2020-10-31')]],
      ['2', []],
      ['4', [r('2020-09-01', null)]],
    ]);
  });
  test('one of several ranges removed reports the remaining set', () => {
    const before = [h('1', '2018-01-01', '2018-12-31'), h('1', '2020-01-01', null)];
    assert.deepEqual([...diffHolders(before, [h('1', '2020-01-01', null)])], [['1', [r('2020-01-01', null)]]]);
  });
  test('duplicate entries collapse and are not a change', () => {
    const before = [h('1', '2020-01-01', null)];
    const after = [h('1', '2020-01-01', null), h('1', '2020-01-01', null)];
    assert.equal(diffHolders(before, after).size, 0);
    assert.deepEqual([...diffHolders(null, after)], [['1', [r('2020-01-01', null)]]]);
  });
  test('returned ranges carry only the dates', () => {
    const out = diffHolders(null, [h('1', '2020-01-01', null)]).get('1');
    assert.deepEqual(Object.keys(out?.[0] ?? {}).sort(), ['endDate', 'startDate']);
  });
  test('property: applying the diff to the before grouping gives the after grouping', () => {
    const day = fc.option(fc.integer({ min: 1, max: 28 }).map((d) => `2020-01-${String(d).padStart(2, '0')}`));
    const holder = fc.record({ employeeId: fc.constantFrom('1', '2', '3', '4'), startDate: day, endDate: day });
    const group = (hs: Holder[]) => {
      const m = new Map<string, DateRange[]>();
      for (const x of hs) m.set(x.employeeId, [...(m.get(x.employeeId) ?? []), x]);
      return new Map([...m].map(([k, v]) => [k, normaliseRanges(v)]));
    };
    fc.assert(
      fc.property(fc.option(fc.array(holder, { maxLength: 8 })), fc.array(holder, { maxLength: 8 }), (before, after) => {
        const diff = diffHolders(before, after);
        const result = before === null ? new Map<string, DateRange[]>() : group(before);
        for (const [id, ranges] of diff) {
          if (before !== null) assert.notDeepEqual(result.get(id) ?? [], ranges, `unchanged ${id} reported`);
          if (ranges.length === 0) result.delete(id);
          else result.set(id, ranges);
        }
        const want = group(after);
        assert.deepEqual(new Map([...result].sort()), new Map([...want].sort()));
        // shuffled input gives the same answer
        assert.deepEqual(diffHolders(before === null ? null : [...before].reverse(), [...after].reverse()), diff);
      }),
      { numRuns: 300 },
    );
  });
});

describe('normaliseRanges', () => {
  test('sorts by start (open first) then end (open last) and removes exact duplicates', () => {
    const out = normaliseRanges([r('2020-01-01', null), r('2020-01-01', '2020-06-30'), r(null, null), r('2020-01-01', null), r(null, '2019-01-01')]);
    assert.deepEqual(out, [r(null, '2019-01-01'), r(null, null), r('2020-01-01', '2020-06-30'), r('2020-01-01', null)]);
  });
});
