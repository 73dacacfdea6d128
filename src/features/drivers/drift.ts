/**
 * Drift at a destination: where what a driver's destination holds (Destination.list/read) differs
 * from the account state (the account replica). Pure (no I/O): the caller reads both, this module
 * compares them and says which accounts a re-drive of their latest state repairs.
 *
 * Kinds (repaired by re-driving the account's latest state, with a rewrite of the same version):
 * - missing-entry     the account exists; the destination has no entry for it.
 * - stale-entry       the destination holds an older version of the account (or no version).
 * - wrong-state       same version, but active/blocked differs (unlocked or enabled by hand, …).
 * - wrong-attributes  same version, but a profile value differs (a name, mail, employee number,
 *                     affiliations, username) — changed at the destination behind the driver's back.
 * Reported only, never repaired blindly:
 * - newer-entry       the destination holds a newer version than the account state here (this
 *                     replica is behind, or something else writes there): a re-drive would write nothing.
 * - duplicate-entry   several entries carry one account id: the destination refuses to choose;
 *                     an operator removes all but one.
 * - unknown-entry     an entry carries an account id that no account has: never deleted here (it may
 *                     be another deployment's, or from a restored backup); an operator decides.
 */
import type { DestinationEntry } from '../../../connectors/drivers/destination.ts';
import { destinationAffiliations, type EduPersonAffiliation } from '../../iga/destinationAffiliations.ts';
import type { Account } from '../../iga/model.ts';

export const DESTINATION_DRIFT_KINDS = [
  'missing-entry', 'stale-entry', 'wrong-state', 'wrong-attributes', 'newer-entry', 'duplicate-entry', 'unknown-entry',
] as const;
export type DestinationDriftKind = (typeof DESTINATION_DRIFT_KINDS)[number];

/** The kinds a re-drive of the account's latest state repairs. */
export const REPAIRABLE_KINDS: ReadonlySet<DestinationDriftKind> = new Set(['missing-entry', 'stale-entry', 'wrong-state', 'wrong-attributes']);

export interface DestinationDrift {
  kind: DestinationDriftKind;
  accountId: string;
  /** The account's username, or the entry's when no account has the id. */
  userName: string;
  /** The version of the account here (null: no such account). */
  accountVersion: number | null;
  /** The version the destination holds (null: none, or no entry). */
  entryVersion: number | null;
  /** One line for an operator. */
  detail: string;
}

/**
 * The profile values a destination entry may show (DestinationEntry.attributes, named as in the
 * account); each is compared only when the destination reports it.
 */
const COMPARED = ['givenName', 'familyName', 'displayName', 'mail', 'employeeNumber', 'eduPersonAffiliation'] as const;
/** Compared without regard to case: Keycloak keeps usernames and e-mail in lower case. */
const CASELESS = new Set(['userName', 'mail']);

type Value = string | string[] | null;

/** What an up-to-date entry of this account shows, named as in DestinationEntry. */
export function expectedEntry(account: Readonly<Account>, affiliations: readonly EduPersonAffiliation[]): { userName: string; active: boolean; attributes: Record<(typeof COMPARED)[number], Value> } {
  return {
    userName: account.userName,
    active: account.active,
    attributes: {
      givenName: account.givenName,
      familyName: account.familyName,
      displayName: account.displayName,
      mail: account.userName,
      employeeNumber: account.employeeNumber,
      eduPersonAffiliation: destinationAffiliations(account, affiliations),
    },
  };
}

/** A value as compared: no value and an empty one are the same; lists as sorted sets. */
function normalise(name: string, v: Value | undefined): string {
  if (Array.isArray(v)) return JSON.stringify([...new Set(v)].sort());
  if (v === null || v === undefined || v.trim() === '') return '';
  return CASELESS.has(name) ? v.toLowerCase() : v;
}

const show = (v: Value | undefined): string => (Array.isArray(v) ? `[${[...v].sort().join(', ')}]` : v === null || v === undefined || v === '' ? '(none)' : JSON.stringify(v));
const stateOf = (active: boolean) => (active ? 'active' : 'blocked');

/** The fields of an entry that differ from the account's (username and the reported profile values). */
export function attributeDifferences(account: Readonly<Account>, entry: DestinationEntry, affiliations: readonly EduPersonAffiliation[]): string[] {
  const want = expectedEntry(account, affiliations);
  const out: string[] = [];
  if (normalise('userName', entry.userName) !== normalise('userName', want.userName)) out.push(`userName ${show(entry.userName)} (account: ${show(want.userName)})`);
  for (const name of COMPARED) {
    if (!(name in entry.attributes)) continue;
    const held = entry.attributes[name];
    if (normalise(name, held) !== normalise(name, want.attributes[name])) out.push(`${name} ${show(held)} (account: ${show(want.attributes[name])})`);
  }
  return out;
}

/**
 * Every drift between the accounts and the destination's entries, sorted by kind, then username.
 * `destination` names it in the details. Entries without an account id are not the driver's and
 * are skipped.
 */
export function compareDestination(
  destination: string,
  accounts: Iterable<Readonly<Account>>,
  entries: Iterable<DestinationEntry>,
  affiliations: readonly EduPersonAffiliation[],
): DestinationDrift[] {
  const byAccount = new Map<string, DestinationEntry[]>();
  for (const e of entries) {
    if (e.accountId === '') continue;
    byAccount.set(e.accountId, [...(byAccount.get(e.accountId) ?? []), e]);
  }
  const out: DestinationDrift[] = [];
  const known = new Set<string>();
  for (const account of accounts) {
    known.add(account.id);
    const held = byAccount.get(account.id) ?? [];
    const d = compareAccount(destination, account, held, affiliations);
    if (d) out.push(d);
  }
  for (const [accountId, held] of byAccount) {
    if (known.has(accountId)) continue;
    for (const e of held) {
      out.push({
        kind: 'unknown-entry', accountId, userName: e.userName, accountVersion: null, entryVersion: e.version,
        detail: `${destination} holds ${e.userName || '(no username)'}${where(e)} for account ${accountId} (version ${e.version ?? 'none'}), which no account here has; left alone`,
      });
    }
  }
  const order = new Map(DESTINATION_DRIFT_KINDS.map((k, i) => [k, i]));
  return out.sort((a, b) => order.get(a.kind)! - order.get(b.kind)! || a.userName.localeCompare(b.userName) || a.accountId.localeCompare(b.accountId));
}

/** The drift of one account given the entries that carry its id (none, one, or several), or null. */
export function compareAccount(destination: string, account: Readonly<Account>, held: readonly DestinationEntry[], affiliations: readonly EduPersonAffiliation[]): DestinationDrift | null {
  const base = { accountId: account.id, userName: account.userName, accountVersion: account.version };
  const who = `${account.userName} (account ${account.id})`;
  if (held.length === 0) {
    return { ...base, kind: 'missing-entry', entryVersion: null, detail: `${who} version ${account.version} (${stateOf(account.active)}) has no entry at ${destination}` };
  }
  if (held.length > 1) {
    return { ...base, kind: 'duplicate-entry', entryVersion: Math.max(...held.map((e) => e.version ?? 0)) || null, detail: `${held.length} entries at ${destination} carry account id ${account.id}: ${held.map((e) => `${e.userName}${where(e)}`).join('; ')}; remove all but one` };
  }
  const entry = held[0]!;
  const v = entry.version;
  if (v === null || v < account.version) {
    return { ...base, kind: 'stale-entry', entryVersion: v, detail: `${who}: ${destination} holds ${v === null ? 'no version' : `version ${v}`}, the account is at version ${account.version}` };
  }
  if (v > account.version) {
    return { ...base, kind: 'newer-entry', entryVersion: v, detail: `${who}: ${destination} holds version ${v}, the account state here is at version ${account.version} (this instance's replica is behind, or something else writes there)` };
  }
  const differs = attributeDifferences(account, entry, affiliations);
  if (entry.active !== account.active) {
    const also = differs.length > 0 ? `; it also differs in ${differs.join(', ')}` : '';
    return { ...base, kind: 'wrong-state', entryVersion: v, detail: `${who} version ${v}: ${destination} holds it ${stateOf(entry.active)}, the account is ${stateOf(account.active)}${also}` };
  }
  if (differs.length > 0) {
    return { ...base, kind: 'wrong-attributes', entryVersion: v, detail: `${who} version ${v} at ${destination} differs in ${differs.join(', ')}` };
  }
  return null;
}

/** The accounts whose latest state a repair re-drives: one per repairable drift, each once, in drift order. */
export function driftRepairs(drifts: readonly DestinationDrift[]): string[] {
  return [...new Set(drifts.filter((d) => REPAIRABLE_KINDS.has(d.kind)).map((d) => d.accountId))];
}

/** Drift counts per kind, every kind present (0 when none). */
export function countDriftByKind(drifts: readonly DestinationDrift[]): Record<DestinationDriftKind, number> {
  const counts = Object.fromEntries(DESTINATION_DRIFT_KINDS.map((k) => [k, 0])) as Record<DestinationDriftKind, number>;
  for (const d of drifts) counts[d.kind]++;
  return counts;
}

/** ` (uid=olanor,ou=people,…)` or ` (Keycloak id …)`: where an entry is, when the destination says. */
function where(e: DestinationEntry): string {
  const dn = e.attributes.dn;
  const id = e.attributes.keycloakId;
  return typeof dn === 'string' ? ` (${dn})` : typeof id === 'string' ? ` (id ${id})` : '';
}
