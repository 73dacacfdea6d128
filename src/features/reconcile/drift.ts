/**
 * Drift: where the stores disagree with what DFØ's collection endpoints say now. Pure (no I/O):
 * the caller reads DFØ (`ansatte`, `stillinger` without an id) and the local replicas of the
 * `positions` and `persons` stores, and this module compares them.
 *
 * Kinds (what was compared → what repairs it, see plan.ts):
 * - missing-position  DFØ lists a position with holders; the `positions` store does not have it.
 * - stale-position    both have it, but the holders (employee + date ranges) differ.
 * - unknown-position  the store has holders for a position DFØ no longer lists.
 * - missing-person    DFØ lists the employee as a holder of some position; no person is stored.
 * - unknown-person    a stored person has an employee record, but DFØ no longer lists the employee.
 * - stale-person      the stored employee record differs from DFØ's (or is empty while DFØ lists
 *                     the employee, who holds a position).
 * - wrong-holders     a stored person's affiliations in some position differ from the holder
 *                     ranges DFØ lists for them there (one drift per person, naming the positions).
 * Employees that DFØ lists but who hold no position are not expected in the stores (the topology
 * learns of people through positions), so they are never drift.
 */
import { applyHolderRanges } from '../../iga/affiliations.ts';
import { isProfilePerson } from '../../topology/contracts/directory.ts';
import { normaliseRanges } from '../../iga/holderDiff.ts';
import type { Affiliation, DateRange, Employee, Holder, Position } from '../../iga/model.ts';

export const DRIFT_KINDS = [
  'missing-person', 'unknown-person', 'stale-person',
  'missing-position', 'stale-position', 'unknown-position',
  'wrong-holders',
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export interface Drift {
  kind: DriftKind;
  /** `person` drifts are keyed by employee id, `position` drifts by position id. */
  subject: { type: 'person' | 'position'; id: string };
  /** One line for an operator. */
  detail: string;
  /** Positions whose holder event would repair this drift (for person drifts). */
  positions?: string[];
}

/** What DFØ's collection endpoints answered (mapped by the DFØ datasource). */
export interface DfoSnapshot {
  employees: Employee[];
  positions: Position[];
}

/** The stored person as the person processor keeps it (only what is compared). */
export interface StoredPerson { employee: Employee | null; affiliations: Affiliation[] }

/** The stores' view, or a part of it (see `CompareScope`). */
export interface StoredState {
  positions: ReadonlyMap<string, { holders: Holder[] }>;
  persons: ReadonlyMap<string, StoredPerson>;
}

/** Limits the comparison to some subjects (to re-check only what a run repaired). */
export interface CompareScope { positions: ReadonlySet<string>; persons: ReadonlySet<string> }

/** DFØ's side, indexed once: employees by id, positions by id, and each employee's holder ranges per position. */
export interface DfoIndex {
  employees: Map<string, Employee>;
  positions: Map<string, Position>;
  /** employee id → position id → normalised ranges. */
  holdings: Map<string, Map<string, DateRange[]>>;
}

export function indexSnapshot(s: DfoSnapshot): DfoIndex {
  const employees = new Map(s.employees.map((e) => [e.id, e]));
  const positions = new Map(s.positions.map((p) => [p.id, p]));
  const holdings = new Map<string, Map<string, DateRange[]>>();
  for (const p of s.positions) {
    for (const h of p.holders) {
      const byPos = holdings.get(h.employeeId) ?? new Map<string, DateRange[]>();
      byPos.set(p.id, [...(byPos.get(p.id) ?? []), h]);
      holdings.set(h.employeeId, byPos);
    }
  }
  for (const byPos of holdings.values()) for (const [pid, ranges] of byPos) byPos.set(pid, normaliseRanges(ranges));
  return { employees, positions, holdings };
}

/**
 * Every drift between DFØ and the stores, sorted by kind order, then subject id. With `scope`, only
 * the subjects in it are compared (the stored maps need to hold only those).
 */
export function compareState(dfo: DfoIndex, stored: StoredState, scope?: CompareScope): Drift[] {
  const out: Drift[] = [];
  const positionIds = scope ? scope.positions : new Set([...dfo.positions.keys(), ...stored.positions.keys()]);
  for (const id of positionIds) {
    const d = comparePosition(id, dfo.positions.get(id), stored.positions.get(id));
    if (d) out.push(d);
  }
  const personIds = scope ? scope.persons : new Set([...dfo.holdings.keys(), ...stored.persons.keys()]);
  // A person first known from a publisher (`p-…`) is no DFØ employee: its DFØ facts are compared at its DFØ side's own key.
  for (const id of personIds) if (!isProfilePerson(id)) out.push(...comparePerson(id, dfo, stored.persons.get(id)));
  const order = new Map(DRIFT_KINDS.map((k, i) => [k, i]));
  return out.sort((a, b) => order.get(a.kind)! - order.get(b.kind)! || compareIds(a.subject.id, b.subject.id));
}

/** Drift counts per kind, every kind present (0 when none). */
export function countByKind(drifts: readonly Drift[]): Record<DriftKind, number> {
  const counts = Object.fromEntries(DRIFT_KINDS.map((k) => [k, 0])) as Record<DriftKind, number>;
  for (const d of drifts) counts[d.kind]++;
  return counts;
}

function comparePosition(id: string, dfo: Position | undefined, stored: { holders: Holder[] } | undefined): Drift | null {
  const dfoHolders = dfo?.holders ?? [];
  const storedHolders = stored?.holders ?? [];
  const subject = { type: 'position', id } as const;
  if (dfoHolders.length === 0 && storedHolders.length === 0) return null;
  if (!stored || storedHolders.length === 0) {
    return { kind: 'missing-position', subject, detail: `DFØ lists position ${id} with ${plural(distinctHolders(dfoHolders), 'holder')}; the positions store does not have it` };
  }
  if (dfoHolders.length === 0) {
    return { kind: 'unknown-position', subject, detail: `the positions store has ${plural(distinctHolders(storedHolders), 'holder')} of position ${id}; DFØ no longer lists it` };
  }
  const a = holderKey(dfoHolders);
  const b = holderKey(storedHolders);
  if (a === b) return null;
  return { kind: 'stale-position', subject, detail: `holders of position ${id} differ: DFØ ${describeHolders(dfoHolders)}; stored ${describeHolders(storedHolders)}` };
}

function comparePerson(id: string, dfo: DfoIndex, stored: StoredPerson | undefined): Drift[] {
  const holds = dfo.holdings.get(id) ?? new Map<string, DateRange[]>();
  const employee = dfo.employees.get(id);
  const subject = { type: 'person', id } as const;
  const heldPositions = [...holds.keys()].sort(compareIds);
  if (!stored) {
    if (heldPositions.length === 0) return [];
    return [{ kind: 'missing-person', subject, positions: heldPositions, detail: `DFØ lists employee ${id} as a holder of ${heldPositions.join(', ')}; no person is stored` }];
  }
  const out: Drift[] = [];
  if (stored.employee && !employee) {
    out.push({ kind: 'unknown-person', subject, detail: `employee ${id} (${name(stored.employee)}) is stored, but DFØ no longer lists them` });
  } else if (stored.employee && employee && stableJson(stored.employee) !== stableJson(employee)) {
    out.push({ kind: 'stale-person', subject, detail: `the stored record of employee ${id} differs from DFØ's in ${changedFields(stored.employee, employee).join(', ')}` });
  } else if (!stored.employee && employee && heldPositions.length > 0) {
    out.push({ kind: 'stale-person', subject, positions: heldPositions, detail: `employee ${id} (${name(employee)}) is stored without an employee record, but DFØ lists them` });
  }
  const wrong = wrongPositions(stored.affiliations, holds);
  if (wrong.length > 0) {
    out.push({ kind: 'wrong-holders', subject, positions: wrong, detail: `the stored affiliations of employee ${id} differ from DFØ's holders in ${wrong.join(', ')}` });
  }
  return out;
}

/** Positions where the stored affiliations differ from what DFØ's holder ranges would store. */
function wrongPositions(stored: readonly Affiliation[], holds: ReadonlyMap<string, DateRange[]>): string[] {
  const storedBy = groupAffiliations(stored);
  let expected: Affiliation[] = [];
  for (const [pid, ranges] of holds) expected = applyHolderRanges(expected, pid, ranges).next;
  const expectedBy = groupAffiliations(expected);
  const ids = new Set([...storedBy.keys(), ...expectedBy.keys()]);
  return [...ids].filter((pid) => (storedBy.get(pid) ?? '') !== (expectedBy.get(pid) ?? '')).sort(compareIds);
}

function groupAffiliations(list: readonly Affiliation[]): Map<string, string> {
  const by = new Map<string, string[]>();
  for (const a of list) by.set(a.positionId, [...(by.get(a.positionId) ?? []), `${a.startDate ?? ''}/${a.endDate ?? ''}`]);
  return new Map([...by].map(([pid, keys]) => [pid, [...new Set(keys)].sort().join(',')]));
}

function holderKey(holders: readonly Holder[]): string {
  const by = new Map<string, Holder[]>();
  for (const h of holders) by.set(h.employeeId, [...(by.get(h.employeeId) ?? []), h]);
  return [...by.keys()].sort(compareIds).map((id) => `${id}=${normaliseRanges(by.get(id)!).map((r) => `${r.startDate ?? ''}/${r.endDate ?? ''}`).join(',')}`).join(';');
}

/** `100043 [2024-01-22..open], 100301 [2026-12-01..open]`, the way explain shows ranges. */
function describeHolders(holders: readonly Holder[]): string {
  const by = new Map<string, Holder[]>();
  for (const h of holders) by.set(h.employeeId, [...(by.get(h.employeeId) ?? []), h]);
  return [...by.keys()].sort(compareIds).map((id) => `${id} ${normaliseRanges(by.get(id)!).map((r) => `[${r.startDate ?? 'open'}..${r.endDate ?? 'open'}]`).join(' ')}`).join(', ') || 'none';
}

function distinctHolders(holders: readonly Holder[]): number {
  return new Set(holders.map((h) => h.employeeId)).size;
}

function changedFields(a: Employee, b: Employee): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof Employee>;
  return [...keys].filter((k) => stableJson(a[k]) !== stableJson(b[k])).sort();
}

const name = (e: Employee) => `${e.givenName} ${e.familyName}`.trim();
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** Numeric ids sort numerically; anything else as text. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** JSON with object keys sorted, so two equal records compare equal whatever their key order. */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)))
    : x));
}
