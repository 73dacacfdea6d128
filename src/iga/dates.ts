/**
 * Calendar-day arithmetic on `IsoDate` ('YYYY-MM-DD', years 0001–9999). Days are plain calendar
 * days (no time zone): the Oslo "today" comes from `clock.ts`. `YYYY-MM-DD` strings order
 * lexicographically like the days they name, which the comparisons rely on.
 */
import type { IsoDate } from './model.ts';
import { IgaRuleError } from './errors.ts';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const DAY_MS = 86_400_000;

/** True iff `value` is a real calendar day written 'YYYY-MM-DD' (year 0001–9999). */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE.exec(value);
  return m !== null && isRealDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

/**
 * Parses DFØ's `gyldigEtter` ('YYYYMMDD', e.g. '20200823') into an IsoDate.
 * @throws IgaRuleError('invalid-date') for anything else, including impossible days like 20201340.
 */
export function parseCompactDate(value: string): IsoDate {
  const m = COMPACT_DATE.exec(value.trim());
  if (m === null || !isRealDay(Number(m[1]), Number(m[2]), Number(m[3]))) {
    throw new IgaRuleError('invalid-date', `not a YYYYMMDD date: ${JSON.stringify(value)}`);
  }
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/**
 * The day `n` days after `d` (n may be negative).
 * @throws IgaRuleError('invalid-date') when `d` is not an IsoDate or `n` not an integer;
 *   IgaRuleError('date-out-of-range') when the result leaves years 0001–9999.
 */
export function addDays(d: IsoDate, n: number): IsoDate {
  assertIsoDate(d);
  if (!Number.isSafeInteger(n)) throw new IgaRuleError('invalid-date', `not a whole number of days: ${n}`);
  if (n === 0) return d;
  return fromEpochDay(toEpochDay(d) + n);
}

/** Negative if a < b, 0 if equal, positive if a > b. Both must be IsoDates. */
export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The latest of the given days. */
export function maxDate(first: IsoDate, ...rest: IsoDate[]): IsoDate {
  return rest.reduce((acc, d) => (d > acc ? d : acc), first);
}

/** The earliest of the given days. */
export function minDate(first: IsoDate, ...rest: IsoDate[]): IsoDate {
  return rest.reduce((acc, d) => (d < acc ? d : acc), first);
}

/** Whole days from 1970-01-01 to `d` (negative before). @throws IgaRuleError on a non-IsoDate. */
export function toEpochDay(d: IsoDate): number {
  assertIsoDate(d);
  const [y, m, day] = d.split('-').map(Number) as [number, number, number];
  return Math.round(utcMs(y, m, day) / DAY_MS);
}

/** The IsoDate `epochDay` days after 1970-01-01. @throws IgaRuleError outside years 0001–9999. */
export function fromEpochDay(epochDay: number): IsoDate {
  const date = new Date(epochDay * DAY_MS);
  const y = date.getUTCFullYear();
  if (!Number.isFinite(y) || y < 1 || y > 9999) {
    throw new IgaRuleError('date-out-of-range', `day ${epochDay} is outside years 0001-9999`);
  }
  return `${String(y).padStart(4, '0')}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
}

function assertIsoDate(d: unknown): asserts d is IsoDate {
  if (!isIsoDate(d)) throw new IgaRuleError('invalid-date', `not a YYYY-MM-DD date: ${JSON.stringify(d)}`);
}

function isRealDay(y: number, m: number, d: number): boolean {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const date = new Date(utcMs(y, m, d));
  return date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not. */
function utcMs(y: number, m: number, d: number): number {
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return date.getTime();
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
