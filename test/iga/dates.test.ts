import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addDays, compareDates, fromEpochDay, isIsoDate, maxDate, minDate, parseCompactDate, toEpochDay } from '../../src/iga/dates.ts';
import { IgaRuleError } from '../../src/iga/errors.ts';

const isRuleError = (code: string) => (e: unknown) => e instanceof IgaRuleError && e.code === code && e.retriable === false;
/** Days 1900-01-01 .. 2200-12-31 as IsoDates. */
const dayArb = fc.integer({ min: toEpochDay('1900-01-01'), max: toEpochDay('2200-12-31') }).map(fromEpochDay);

describe('isIsoDate', () => {
  for (const ok of ['2020-08-23', '2020-02-29', '2000-02-29', '0001-01-01', '9999-12-31', '0050-03-01']) {
    test(`accepts ${ok}`, () => assert.equal(isIsoDate(ok), true));
  }
  for (const bad of ['2021-02-29', '1900-02-29', '2020-13-01', '2020-00-10', '2020-04-31', '2020-1-01', '20200823', '0000-01-01', ' 2020-08-23', '2020-08-23T00:00:00Z', '']) {
    test(`rejects ${JSON.stringify(bad)}`, () => assert.equal(isIsoDate(bad), false));
  }
  test('rejects non-strings', () => {
    for (const v of [20200823, null, undefined, new Date(), {}]) assert.equal(isIsoDate(v), false);
  });
});

describe('parseCompactDate (gyldigEtter)', () => {
  test('parses YYYYMMDD', () => {
    assert.equal(parseCompactDate('20200823'), '2020-08-23');
    assert.equal(parseCompactDate('20240229'), '2024-02-29');
    assert.equal(parseCompactDate(' 99991231 '), '9999-12-31');
  });
  for (const bad of ['20201340', '20210229', '20200230', '2020082', '202008233', '2020-08-23', 'abcdefgh', '', '00000101']) {
    test(`throws on ${JSON.stringify(bad)}`, () => assert.throws(() => parseCompactDate(bad), isRuleError('invalid-date')));
  }
});

describe('addDays', () => {
  const cases: Array<[string, number, string]> = [
    ['2020-08-23', 0, '2020-08-23'],
    ['2020-08-23', 1, '2020-08-24'],
    ['2020-08-31', 1, '2020-09-01'],
    ['2020-12-31', 1, '2021-01-01'],
    ['2021-01-01', -1, '2020-12-31'],
    ['2020-02-28', 1, '2020-02-29'],
    ['2021-02-28', 1, '2021-03-01'],
    ['2020-03-01', -1, '2020-02-29'],
    ['2020-01-01', 366, '2021-01-01'],
    ['0050-03-01', -1, '0050-02-28'],
    ['2025-03-30', 1, '2025-03-31'],
    ['9999-12-30', 1, '9999-12-31'],
    ['0001-01-02', -1, '0001-01-01'],
  ];
  for (const [d, n, want] of cases) test(`${d} ${n >= 0 ? '+' : ''}${n} = ${want}`, () => assert.equal(addDays(d, n), want));

  test('throws date-out-of-range past 9999-12-31 and before 0001-01-01', () => {
    assert.throws(() => addDays('9999-12-31', 1), isRuleError('date-out-of-range'));
    assert.throws(() => addDays('0001-01-01', -1), isRuleError('date-out-of-range'));
  });
  test('throws invalid-date on a bad date or a fractional count', () => {
    assert.throws(() => addDays('2020-02-30', 1), isRuleError('invalid-date'));
    assert.throws(() => addDays('2020-02-01', 1.5), isRuleError('invalid-date'));
    assert.throws(() => addDays('2020-02-01', Number.NaN), isRuleError('invalid-date'));
  });
  test('property: adding n then -n returns the day; results are valid and ordered', () => {
    fc.assert(
      fc.property(dayArb, fc.integer({ min: -5000, max: 5000 }), (d, n) => {
        const moved = addDays(d, n);
        assert.equal(isIsoDate(moved), true);
        assert.equal(addDays(moved, -n), d);
        assert.equal(Math.sign(compareDates(moved, d)), Math.sign(n));
        assert.equal(toEpochDay(moved) - toEpochDay(d), n);
      }),
    );
  });
});

describe('compareDates, maxDate, minDate', () => {
  test('orders days', () => {
    assert.equal(compareDates('2020-01-01', '2020-01-02'), -1);
    assert.equal(compareDates('2020-01-02', '2020-01-01'), 1);
    assert.equal(compareDates('2020-01-01', '2020-01-01'), 0);
    assert.equal(compareDates('2019-12-31', '2020-01-01'), -1);
  });
  test('max and min of one or several', () => {
    assert.equal(maxDate('2020-01-01'), '2020-01-01');
    assert.equal(maxDate('2020-01-01', '2021-06-01', '2020-12-31'), '2021-06-01');
    assert.equal(minDate('2020-01-01', '2019-06-01', '2020-12-31'), '2019-06-01');
  });
  test('epoch days round-trip', () => {
    assert.equal(toEpochDay('1970-01-01'), 0);
    assert.equal(toEpochDay('1969-12-31'), -1);
    assert.equal(fromEpochDay(18_497), '2020-08-23');
  });
});
