/**
 * Holder diff for the position processor: which employees' ranges in one position changed
 * between the stored copy of the position and the one just fetched from DFØ.
 */
import type { DateRange, Holder } from './model.ts';

/**
 * For every employee whose set of ranges in the position changed (added, updated, or removed →
 * empty array), that employee's complete new set of ranges: sorted by start (open first), then
 * end (open last), exact duplicates collapsed. `before === null` means the position was unknown,
 * so every holder of `after` is reported. Unchanged employees are left out. Input order does not
 * matter; the map iterates employee ids in sorted order. Called by the position processor, which
 * turns each entry into a holder event keyed by employee id.
 */
export function diffHolders(before: readonly Holder[] | null, after: readonly Holder[]): Map<string, DateRange[]> {
  const old = before === null ? null : rangesByEmployee(before);
  const now = rangesByEmployee(after);
  const ids = new Set([...(old?.keys() ?? []), ...now.keys()]);
  const changes = new Map<string, DateRange[]>();
  for (const id of [...ids].sort()) {
    const next = now.get(id) ?? [];
    const prev = old?.get(id);
    // An id missing from `old` comes from `after`, so it is a new holder.
    if (prev === undefined || !sameRanges(prev, next)) {
      changes.set(id, next);
    }
  }
  return changes;
}

/** Canonical form: sorted, exact duplicates removed, fresh objects with only the two dates. */
export function normaliseRanges(ranges: readonly DateRange[]): DateRange[] {
  const byKey = new Map<string, DateRange>();
  for (const r of ranges) byKey.set(rangeKey(r), { startDate: r.startDate, endDate: r.endDate });
  return [...byKey.values()].sort(compareRanges);
}

/** Start ascending (open start first), then end ascending (open end last). */
export function compareRanges(a: DateRange, b: DateRange): number {
  const sa = a.startDate ?? '';
  const sb = b.startDate ?? '';
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (a.endDate === b.endDate) return 0;
  if (a.endDate === null) return 1;
  if (b.endDate === null) return -1;
  return a.endDate < b.endDate ? -1 : 1;
}

function rangesByEmployee(holders: readonly Holder[]): Map<string, DateRange[]> {
  const grouped = new Map<string, DateRange[]>();
  for (const h of holders) {
    const list = grouped.get(h.employeeId) ?? [];
    list.push(h);
    grouped.set(h.employeeId, list);
  }
  for (const [id, list] of grouped) grouped.set(id, normaliseRanges(list));
  return grouped;
}

function sameRanges(a: readonly DateRange[], b: readonly DateRange[]): boolean {
  return a.length === b.length && a.every((r, i) => rangeKey(r) === rangeKey(b[i] as DateRange));
}

function rangeKey(r: DateRange): string {
  return `${r.startDate ?? ''}/${r.endDate ?? ''}`;
}
