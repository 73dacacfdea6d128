/**
 * sortBy/sortOrder (RFC 7644 §3.4.2.3): ascending by default; strings compare lower-cased when
 * the attribute is caseExact=false; resources without a value sort last ascending and first
 * descending (descending is the exact reverse of ascending); ties break on id. A multi-valued
 * attribute sorts by its first value (our only one, emails, has a single primary value).
 */
import type { Account } from '../../iga/model.ts';
import type { Accessor, Resource } from '../filter/accessor.ts';

type Key = string | number | undefined;

/** The sort key of one resource under `acc`. */
export function sortKey(acc: Accessor, resource: Resource): Key {
  const v = acc.values(resource)[0];
  if (v === undefined || v === null) return undefined;
  switch (acc.type) {
    case 'boolean': return v === true ? 1 : 0;
    case 'integer':
    case 'decimal': return typeof v === 'number' ? v : undefined;
    case 'dateTime': {
      const t = typeof v === 'string' ? Date.parse(v) : Number.NaN;
      return Number.isNaN(t) ? undefined : t;
    }
    default:
      if (typeof v !== 'string') return undefined;
      return acc.caseExact ? v : v.toLowerCase();
  }
}

function compareKeys(a: Key, b: Key): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts ascending in place by `acc`, then id; returns the array. */
export function sortAccounts(accounts: Array<Readonly<Account>>, acc: Accessor, render: (a: Readonly<Account>) => Resource): Array<Readonly<Account>> {
  const keyed = accounts.map((a) => ({ a, k: sortKey(acc, render(a)) }));
  keyed.sort((x, y) => compareKeys(x.k, y.k) || (x.a.id < y.a.id ? -1 : x.a.id > y.a.id ? 1 : 0));
  for (let i = 0; i < keyed.length; i++) accounts[i] = (keyed[i] as { a: Readonly<Account> }).a;
  return accounts;
}
