/**
 * Time for the IGA rules. Rules never read the wall clock themselves: processors take `now` from a
 * `Clock` (system or manual) and derive "today" as the calendar day in Europe/Oslo, where DFØ's
 * dates live. Oslo is UTC+1 in winter and UTC+2 in summer; DST switches at 01:00 UTC, never at
 * local midnight, so every Oslo day has exactly one midnight.
 */
import type { IsoDate } from './model.ts';
import { addDays, isIsoDate } from './dates.ts';
import { IgaRuleError } from './errors.ts';

/** Source of the current instant. */
export interface Clock {
  now(): Date;
}

/** The real wall clock; the only place outside tests where iga-stream reads the time. */
export const systemClock: Clock = { now: () => new Date() };

const OSLO = 'Europe/Oslo';
const osloParts = new Intl.DateTimeFormat('en-US', {
  timeZone: OSLO,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

interface WallTime {
  year: number;
  month: number;
  day: number;
  /** Milliseconds since local midnight. */
  msOfDay: number;
}

/** The Oslo wall-clock reading at `instant`. */
function osloWallTime(instant: Date): WallTime {
  const t = instant.getTime();
  if (!Number.isFinite(t)) throw new IgaRuleError('invalid-date', 'invalid Date');
  const p: Record<string, number> = {};
  for (const part of osloParts.formatToParts(instant)) {
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  }
  const ms = ((t % 1000) + 1000) % 1000;
  const msOfDay = (((p.hour ?? 0) * 60 + (p.minute ?? 0)) * 60 + (p.second ?? 0)) * 1000 + ms;
  return { year: p.year ?? 0, month: p.month ?? 0, day: p.day ?? 0, msOfDay };
}

/** Oslo's offset from UTC at `instantMs`, in ms (3 600 000 in winter, 7 200 000 in summer). */
function osloOffsetMs(instantMs: number): number {
  const w = osloWallTime(new Date(instantMs));
  const asUtc = new Date(0);
  asUtc.setUTCFullYear(w.year, w.month - 1, w.day);
  return asUtc.getTime() + w.msOfDay - instantMs;
}

/**
 * Oslo's offset for the UTC hour holding `instantMs`. Oslo's offset only changes on whole UTC hours
 * (01:00 UTC), so one lookup per hour serves every instant in it; formatToParts costs microseconds
 * and "today" is asked for on every record.
 */
const offsetByHour = new Map<number, number>();
function hourOffsetMs(instantMs: number): number {
  const hour = Math.floor(instantMs / 3_600_000);
  let offset = offsetByHour.get(hour);
  if (offset === undefined) {
    offset = osloOffsetMs(hour * 3_600_000);
    if (offsetByHour.size >= 4096) offsetByHour.clear();
    offsetByHour.set(hour, offset);
  }
  return offset;
}

/** The calendar day in Europe/Oslo at `now` (e.g. 2020-06-30T22:30Z → '2020-07-01'). */
export function osloDate(now: Date): IsoDate {
  const t = now.getTime();
  if (!Number.isFinite(t)) throw new IgaRuleError('invalid-date', 'invalid Date');
  const wall = new Date(t + hourOffsetMs(t));
  return `${String(wall.getUTCFullYear()).padStart(4, '0')}-${String(wall.getUTCMonth() + 1).padStart(2, '0')}-${String(wall.getUTCDate()).padStart(2, '0')}`;
}

/**
 * The instant the Oslo wall clock reads `msOfDay` on `day`. A reading skipped by the spring DST
 * gap lands one hour later; one repeated in autumn resolves to its second (winter-time) occurrence.
 * @throws IgaRuleError('invalid-date') if `day` is not an IsoDate.
 */
export function osloInstant(day: IsoDate, msOfDay: number): Date {
  if (!isIsoDate(day)) throw new IgaRuleError('invalid-date', `not a YYYY-MM-DD date: ${JSON.stringify(day)}`);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const asUtc = new Date(0);
  asUtc.setUTCFullYear(y, m - 1, d);
  const wallMs = asUtc.getTime() + msOfDay;
  const first = wallMs - osloOffsetMs(wallMs);
  return new Date(wallMs - osloOffsetMs(first));
}

/** The instant the Oslo day `day` starts (22:00 or 23:00 UTC the day before). */
export function osloMidnightUtc(day: IsoDate): Date {
  return osloInstant(day, 0);
}

/** Today in Oslo according to `clock`. */
export function osloToday(clock: Clock): IsoDate {
  return osloDate(clock.now());
}

/** A clock the caller moves by hand; for tests and replays. */
export class ManualClock implements Clock {
  #ms: number;

  /** @throws IgaRuleError('invalid-date') for an unparseable start. */
  constructor(start: Date | string) {
    this.#ms = toMs(start);
  }

  now(): Date {
    return new Date(this.#ms);
  }

  /** Jumps to `d` (backwards too: replays may rewind). */
  set(d: Date | string): void {
    this.#ms = toMs(d);
  }

  /** Moves by `ms` milliseconds of real time. */
  advance(ms: number): void {
    this.#ms += ms;
  }

  /**
   * Moves to the same Oslo wall-clock time `n` calendar days later (or earlier when negative), so
   * the Oslo date moves by exactly `n` even across DST changes (those days last 23 or 25 hours).
   */
  advanceDays(n: number): void {
    const now = new Date(this.#ms);
    const wall = osloWallTime(now);
    this.#ms = osloInstant(addDays(osloDate(now), n), wall.msOfDay).getTime();
  }
}

function toMs(d: Date | string): number {
  const ms = (typeof d === 'string' ? new Date(d) : d).getTime();
  if (!Number.isFinite(ms)) throw new IgaRuleError('invalid-date', `not a timestamp: ${String(d)}`);
  return ms;
}
