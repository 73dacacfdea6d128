/**
 * Query planner: finds a candidate superset of the accounts a filter can match from the
 * AccountIndex, so filters on indexed attributes never scan all accounts. Candidates are always
 * re-checked with the compiled predicate, so the plan only has to be a superset, never exact.
 *
 * Indexed: `id eq`, `userName eq` (case-insensitive), `no:edu:scim:user:employeeNumber eq`
 * (leading zeros ignored), `active eq true|false`. `and` takes its smallest indexed operand; `or`
 * is indexed when every operand is. A comparison on an attribute the User resource does not have
 * (e.g. `externalId`, which we do not serve) matches nothing, so its plan is the empty set.
 */
import type { AccountIndex } from '../accountIndex.ts';
import type { Filter } from './ast.ts';
import { rootAccessor, valuePathTarget } from './accessor.ts';

/** A candidate id set; `undefined` from `planFilter` means "every account". */
export type Candidates = ReadonlySet<string>;

const EMPTY: Candidates = new Set();

function planCompare(f: Extract<Filter, { kind: 'compare' }>, index: AccountIndex): Candidates | undefined {
  const acc = rootAccessor(f.path);
  if (!acc) return f.op === 'eq' && f.value !== null ? EMPTY : undefined;
  if (f.op !== 'eq' || f.value === null) return undefined;
  const v = f.value;
  switch (acc.canonical) {
    case 'id':
      return typeof v === 'string' && index.get(v) ? new Set([v]) : EMPTY;
    case 'userName':
      return typeof v === 'string' ? index.idsByUserName(v) : undefined;
    case 'no:edu:scim:user:employeeNumber':
      return typeof v === 'string' || typeof v === 'number' ? index.idsByEmployeeNumber(String(v)) : undefined;
    case 'active':
      return typeof v === 'boolean' ? index.idsByActive(v) : undefined;
    default:
      return undefined;
  }
}

/** Candidate ids for `filter`, or undefined when the filter needs a full scan. */
export function planFilter(filter: Filter, index: AccountIndex): Candidates | undefined {
  switch (filter.kind) {
    case 'compare':
      return planCompare(filter, index);
    case 'present':
      return rootAccessor(filter.path) ? undefined : EMPTY;
    case 'valuePath':
      return valuePathTarget(filter.path) ? undefined : EMPTY;
    case 'and': {
      let best: Candidates | undefined;
      for (const item of filter.items) {
        const c = planFilter(item, index);
        if (c && (!best || c.size < best.size)) best = c;
      }
      return best;
    }
    case 'or': {
      const union = new Set<string>();
      for (const item of filter.items) {
        const c = planFilter(item, index);
        if (!c) return undefined;
        for (const id of c) union.add(id);
      }
      return union;
    }
    case 'not':
      return undefined;
  }
}
