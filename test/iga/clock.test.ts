import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManualClock, osloDate, osloInstant, osloMidnightUtc, osloToday, systemClock } from '../../src/iga/clock.ts';
import { addDays, fromEpochDay, toEpochDay } from '../../src/iga/dates.ts';
import { IgaRuleError } from '../../src/iga/errors.ts';

const iso = (d: Date) => d.toISOString();

describe('osloDate', () => {
  const cases: Array<[string, string]> = [
    ['2020-01-15T12:00:00Z', '2020-01-15'],
    ['2020-01-15T22:59:59.999Z', '2020-01-15'], // 23:59:59.999 CET
    ['2020-01-15T23:00:00Z', '2020-01-16'], // midnight CET
    ['2020-01-15T23:30:00Z', '2020-01-16'],
    ['2020-06-30T21:59:59.999Z', '2020-06-30'], // 23:59:59.999 CEST
    ['2020-06-30T22:00:00Z', '2020-07-01'],
    ['2020-06-30T22:30:00Z', '2020-07-01'],
    ['2020-12-31T23:30:00Z', '2021-01-01'], // new year in Oslo first
    ['2025-03-30T00:59:59Z', '2025-03-30'], // just before spring-forward
    ['2025-03-30T01:00:00Z', '2025-03-30'], // 03:00 CEST
    ['2025-03-30T21:59:59Z', '2025-03-30'],
    ['2025-03-30T22:00:00Z', '2025-03-31'],
    ['2025-10-26T00:30:00Z', '2025-10-26'], // 02:30 CEST, first pass
    ['2025-10-26T01:30:00Z', '2025-10-26'], // 02:30 CET, second pass
    ['2025-10-26T22:59:59Z', '2025-10-26'],
    ['2025-10-26T23:00:00Z', '2025-10-27'],
  ];
  for (const [instant, day] of cases) test(`${instant} is ${day} in Oslo`, () => assert.equal(osloDate(new Date(instant)), day));

  test('throws on an invalid Date', () => {
    assert.throws(() => osloDate(new Date('nope')), (e) => e instanceof IgaRuleError && e.code === 'invalid-date');
  });

  test('property: the per-hour offset cache agrees with the time-zone database for any instant 1970–2200', () => {
    const tzdb = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Oslo' });
    fc.assert(fc.property(fc.integer({ min: 0, max: Date.parse('2200-12-31T23:59:59Z') }), (ms) => {
      assert.equal(osloDate(new Date(ms)), tzdb.format(new Date(ms)));
    }), { numRuns: 20_000 });
  });
});

describe('osloMidnightUtc', () => {
  const cases: Array<[string, string]> = [
    ['2020-01-15', '2020-01-14T23:00:00.000Z'],
    ['2020-07-01', '2020-06-30T22:00:00.000Z'],
    ['2025-03-30', '2025-03-29T23:00:00.000Z'], // the 23-hour day starts in winter time
    ['2025-03-31', '2025-03-30T22:00:00.000Z'],
    ['2025-10-26', '2025-10-25T22:00:00.000Z'], // the 25-hour day starts in summer time
    ['2025-10-27', '2025-10-26T23:00:00.000Z'],
    ['2021-01-01', '2020-12-31T23:00:00.000Z'],
  ];
  for (const [day, instant] of cases) test(`${day} starts at ${instant}`, () => assert.equal(iso(osloMidnightUtc(day)), instant));

  test('DST days last 23 and 25 hours', () => {
    const hours = (d: string) => (osloMidnightUtc(addDays(d, 1)).getTime() - osloMidnightUtc(d).getTime()) / 3_600_000;
    assert.equal(hours('2025-03-30'), 23);
    assert.equal(hours('2025-10-26'), 25);
    assert.equal(hours('2025-06-15'), 24);
  });

  test('property: midnight belongs to its day, the millisecond before to the previous day', () => {
    const dayArb = fc.integer({ min: toEpochDay('1980-01-01'), max: toEpochDay('2100-12-31') }).map(fromEpochDay);
    fc.assert(
      fc.property(dayArb, (day) => {
        const midnight = osloMidnightUtc(day);
        assert.equal(osloDate(midnight), day);
        assert.equal(osloDate(new Date(midnight.getTime() - 1)), addDays(day, -1));
      }),
      { numRuns: 200 },
    );
  });

  test('throws on a non-IsoDate', () => {
    assert.throws(() => osloMidnightUtc('2025-02-30'), (e) => e instanceof IgaRuleError && e.code === 'invalid-date');
  });
});

describe('osloInstant', () => {
  test('maps a wall-clock time to UTC in winter and summer', () => {
    assert.equal(iso(osloInstant('2020-01-15', 9 * 3_600_000)), '2020-01-15T08:00:00.000Z');
    assert.equal(iso(osloInstant('2020-07-15', 9 * 3_600_000)), '2020-07-15T07:00:00.000Z');
  });
  test('a time in the spring DST gap lands one hour later', () => {
    assert.equal(iso(osloInstant('2025-03-30', 2.5 * 3_600_000)), '2025-03-30T01:30:00.000Z'); // 03:30 CEST
  });
  test('a repeated autumn time resolves to its winter-time occurrence', () => {
    assert.equal(iso(osloInstant('2025-10-26', 2.5 * 3_600_000)), '2025-10-26T01:30:00.000Z'); // 02:30 CET
  });
});

describe('ManualClock', () => {
  test('starts at a string or a Date and returns copies', () => {
    const c = new ManualClock('2020-09-15T10:00:00Z');
    const t = c.now();
    t.setTime(0);
    assert.equal(iso(c.now()), '2020-09-15T10:00:00.000Z');
    const d = new Date('2020-01-01T00:00:00Z');
    const c2 = new ManualClock(d);
    d.setTime(0);
    assert.equal(iso(c2.now()), '2020-01-01T00:00:00.000Z');
  });
  test('rejects an invalid start or set', () => {
    assert.throws(() => new ManualClock('not a date'), (e) => e instanceof IgaRuleError && e.code === 'invalid-date');
    const c = new ManualClock('2020-01-01T00:00:00Z');
    assert.throws(() => c.set(new Date(Number.NaN)), IgaRuleError);
    assert.equal(iso(c.now()), '2020-01-01T00:00:00.000Z');
  });
  test('set jumps, also backwards; advance moves by milliseconds', () => {
    const c = new ManualClock('2020-09-15T10:00:00Z');
    c.set('2019-01-01T00:00:00Z');
    assert.equal(iso(c.now()), '2019-01-01T00:00:00.000Z');
    c.advance(90_000);
    assert.equal(iso(c.now()), '2019-01-01T00:01:30.000Z');
    c.advance(-30_000);
    assert.equal(iso(c.now()), '2019-01-01T00:01:00.000Z');
  });
  test('advanceDays keeps the Oslo wall-clock time across spring-forward', () => {
    const c = new ManualClock('2025-03-29T22:30:00Z'); // 23:30 CET on 2025-03-29
    c.advanceDays(1);
    assert.equal(osloToday(c), '2025-03-30');
    assert.equal(iso(c.now()), '2025-03-30T21:30:00.000Z'); // 23:30 CEST
    c.advanceDays(1);
    assert.equal(osloToday(c), '2025-03-31');
  });
  test('advanceDays keeps the Oslo wall-clock time across fall-back, and goes backwards', () => {
    const c = new ManualClock('2025-10-25T22:15:00Z'); // 00:15 CEST on 2025-10-26
    assert.equal(osloToday(c), '2025-10-26');
    c.advanceDays(1);
    assert.equal(iso(c.now()), '2025-10-26T23:15:00.000Z'); // 00:15 CET on 2025-10-27
    c.advanceDays(-2);
    assert.equal(iso(c.now()), '2025-10-24T22:15:00.000Z');
    assert.equal(osloToday(c), '2025-10-25');
  });
  test('property: advanceDays(n) moves the Oslo date by exactly n', () => {
    const start = fc.integer({ min: Date.parse('1990-01-01T00:00:00Z'), max: Date.parse('2090-01-01T00:00:00Z') });
    fc.assert(
      fc.property(start, fc.integer({ min: -800, max: 800 }), (ms, n) => {
        const c = new ManualClock(new Date(ms));
        const before = osloToday(c);
        c.advanceDays(n);
        assert.equal(osloToday(c), addDays(before, n));
      }),
      { numRuns: 200 },
    );
  });
});

test('systemClock returns a valid Date', () => {
  const now = systemClock.now();
  assert.ok(now instanceof Date);
  assert.ok(Number.isFinite(now.getTime()));
  assert.match(osloToday(systemClock), /^\d{4}-\d{2}-\d{2}$/);
});
