/**
 * Affiliation rules: when an affiliation counts as active, how a position's holder ranges replace
 * a person's affiliations, and on which future days activity changes (for the timer store).
 * An affiliation is identified by (positionId, startDate).
 */
import type { Affiliation, DateRange, IsoDate } from './model.ts';
import type { Policy } from './policy.ts';
import { addDays } from './dates.ts';

/** Boundaries later than this are not scheduled (Cerebrum: "dates past 2200 are ignored"). */
export const LAST_SCHEDULED_DAY: IsoDate = '2200-12-31';

type ActivityPolicy = Pick<Policy, 'startOffsetDays' | 'endGraceDays'>;

/**
 * Active iff (start == null || start - startOffsetDays <= today) && (end == null || today <= end + endGraceDays).
 * Both ends inclusive. Computed on `today` so open-ended dates like 9999-12-31 never overflow.
 */
export function isAffiliationActive(a: DateRange, today: IsoDate, policy: ActivityPolicy): boolean {
  const startsInTime = a.startDate === null || a.startDate <= addDays(today, policy.startOffsetDays);
  const notEnded = a.endDate === null || addDays(today, -policy.endGraceDays) <= a.endDate;
  return startsInTime && notEnded;
}

/**
 * The affiliations active on `today`, in input order. Affiliations in `policy.ignoredPositionIds`
 * never count.
 */
export function activeAffiliations(
  affs: readonly Affiliation[],
  today: IsoDate,
  policy: ActivityPolicy & Pick<Policy, 'ignoredPositionIds'>,
): Affiliation[] {
  return affs.filter((a) => !policy.ignoredPositionIds.includes(a.positionId) && isAffiliationActive(a, today, policy));
}

/** Orders affiliations by positionId, then startDate (open start first), then endDate (open last). */
export function compareAffiliations(a: Affiliation, b: Affiliation): number {
  return cmp(a.positionId, b.positionId) || cmpStart(a.startDate, b.startDate) || cmpEnd(a.endDate, b.endDate);
}

/** Result of `applyHolderRanges`; every list sorted by `compareAffiliations`. */
export interface HolderRangesChange {
  /** The person's complete new affiliation list. */
  next: Affiliation[];
  /** New (positionId, startDate) keys. */
  added: Affiliation[];
  /** Keys that disappeared (the old affiliation). */
  removed: Affiliation[];
  /** Same key, new end date (the new affiliation). */
  updated: Affiliation[];
}

/**
 * Replaces all of one person's affiliations in `positionId` with `ranges` (an employee can hold one
 * position several times); affiliations in other positions are kept. Exact duplicate ranges
 * collapse; two ranges with the same start but different ends collapse into the longer one
 * (open end wins), since the start date is the identity. Pure: `current` is not modified.
 */
export function applyHolderRanges(current: readonly Affiliation[], positionId: string, ranges: readonly DateRange[]): HolderRangesChange {
  const before = new Map(current.filter((a) => a.positionId === positionId).map((a) => [keyOf(a.startDate), a]));
  const after = new Map<string, Affiliation>();
  for (const r of ranges) {
    const key = keyOf(r.startDate);
    const seen = after.get(key);
    if (seen === undefined || cmpEnd(r.endDate, seen.endDate) > 0) {
      after.set(key, { positionId, startDate: r.startDate, endDate: r.endDate });
    }
  }
  const added: Affiliation[] = [];
  const updated: Affiliation[] = [];
  for (const [key, a] of after) {
    const old = before.get(key);
    if (old === undefined) added.push(a);
    else if (old.endDate !== a.endDate) updated.push(a);
  }
  const removed = [...before].filter(([key]) => !after.has(key)).map(([, a]) => a);
  const next = [...current.filter((a) => a.positionId !== positionId), ...after.values()];
  return {
    next: next.sort(compareAffiliations),
    added: added.sort(compareAffiliations),
    removed: removed.sort(compareAffiliations),
    updated: updated.sort(compareAffiliations),
  };
}

/**
 * Future days (> today) on which some affiliation's activity changes: its effective start
 * (start - startOffsetDays) and the day after its effective end (end + endGraceDays + 1).
 * Sorted, unique; days after LAST_SCHEDULED_DAY (e.g. from 9999-12-31) are left out. Ignored
 * positions never change anything and give no boundaries. The caller schedules a re-decision on each.
 */
export function nextBoundaries(
  affs: readonly Affiliation[],
  today: IsoDate,
  policy: ActivityPolicy & Pick<Policy, 'ignoredPositionIds'>,
): IsoDate[] {
  const days = new Set<IsoDate>();
  for (const a of affs) {
    if (policy.ignoredPositionIds.includes(a.positionId)) continue;
    // start <= today means the effective start (earlier still) is not in the future.
    if (a.startDate !== null && a.startDate > today && a.startDate <= LAST_SCHEDULED_DAY) {
      days.add(addDays(a.startDate, -policy.startOffsetDays));
    }
    if (a.endDate !== null && a.endDate <= LAST_SCHEDULED_DAY) {
      days.add(addDays(a.endDate, policy.endGraceDays + 1));
    }
  }
  return [...days].filter((d) => d > today && d <= LAST_SCHEDULED_DAY).sort();
}

function keyOf(start: IsoDate | null): string {
  return start ?? '';
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpStart(a: IsoDate | null, b: IsoDate | null): number {
  return cmp(a ?? '', b ?? '');
}

/** Open end (null) sorts after every date. */
function cmpEnd(a: IsoDate | null, b: IsoDate | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return cmp(a, b);
}
