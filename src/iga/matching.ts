/**
 * One person across sources: which known person a published profile is about, by the matching keys
 * it offers — the national identity number (nin) when both sides have it, else a publisher-supplied
 * link to an existing account id or employee number — in the configured order. Pure: the caller
 * looks each offered key up in its index and passes what it found.
 *
 * Never guessed: a key that finds two persons, two keys that find different persons, or a link that
 * finds nobody is `ambiguous`, held for an operator with the reason. The reasons name the key, never
 * its value, because a nin must never reach a log line or an answer.
 */

export const MATCH_KEYS = ['nin', 'accountId', 'employeeNumber'] as const;
export type MatchKey = (typeof MATCH_KEYS)[number];

/** The keys a profile offers (its `nin`, and its `link`). */
export type OfferedKeys = Partial<Record<MatchKey, string>>;

/** The person ids each offered key found (an offered key that found nobody: an empty list). */
export type KeyLookups = Partial<Record<MatchKey, readonly string[]>>;

export type MatchVerdict =
  | { kind: 'matched'; personId: string; by: MatchKey }
  /** No offered key found anyone and the profile links to no one: a person new to us. */
  | { kind: 'new' }
  | { kind: 'ambiguous'; reason: string; candidates: string[] };

/** A link (accountId, employeeNumber) claims a known person; a nin is only a key. */
const isLink = (k: MatchKey) => k !== 'nin';

/**
 * The person a profile is about. `order`: the keys to try, highest priority first (default nin,
 * accountId, employeeNumber); a key not in it is not used.
 */
export function matchPerson(offered: OfferedKeys, found: KeyLookups, order: readonly MatchKey[] = MATCH_KEYS): MatchVerdict {
  const used = order.filter((k) => offered[k] !== undefined);
  const persons = new Map<MatchKey, string[]>();
  for (const k of used) persons.set(k, [...new Set(found[k] ?? [])].sort());
  for (const k of used) {
    const p = persons.get(k)!;
    if (p.length > 1) return { kind: 'ambiguous', reason: `the ${k} the profile gives belongs to ${p.length} persons`, candidates: p };
  }
  for (const k of used) {
    if (isLink(k) && persons.get(k)!.length === 0) return { kind: 'ambiguous', reason: `the profile links to ${k === 'accountId' ? 'an account' : 'an employee number'} no known person has`, candidates: [] };
  }
  const hits = used.filter((k) => persons.get(k)!.length === 1);
  const distinct = [...new Set(hits.map((k) => persons.get(k)![0]!))].sort();
  if (distinct.length > 1) {
    return { kind: 'ambiguous', reason: `the keys disagree: ${hits.map((k) => `${k} finds ${persons.get(k)![0]}`).join(', ')}`, candidates: distinct };
  }
  if (hits.length === 0) return { kind: 'new' };
  return { kind: 'matched', personId: distinct[0]!, by: hits[0]! };
}
