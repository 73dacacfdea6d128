/**
 * In-memory replica of all accounts with the secondary indexes the SCIM query planner uses.
 * Fed by the accounts-topic consumer (`upsert`/`remove`), read by the SCIM server. Single-threaded:
 * every method is synchronous, so a reader never sees a half-applied update.
 *
 * Secondary indexes: userName (lower-cased, SCIM caseExact=false), employeeNumber (leading zeros
 * stripped, so padded and unpadded numbers meet), personId (the future SCIM externalId) and active.
 * `orderedIds()` returns all ids sorted, so an unsorted page is an O(page) slice. New ids wait in a
 * pending list until the next read: a few are inserted by binary search (one memmove each), many
 * (a bulk restore) are merged with one sort.
 */
import { normaliseDfoId } from '../iga/dfoId.ts';
import type { Account } from '../iga/model.ts';

const EMPTY: ReadonlySet<string> = new Set();

/**
 * The employeeNumber index key: the normalised DFØ id ('00101926' → '101926'), so padded and
 * unpadded numbers meet. A value that is no DFØ id (only a query can hold one) is its own key,
 * trimmed, and finds nothing.
 */
export function employeeNumberKey(value: string): string {
  return normaliseDfoId(value) ?? value.trim();
}

/**
 * A secondary index's entry: one id as itself, more than one as a Set. Nearly every key (userName,
 * employeeNumber, personId) has one account, and a Set of one costs ~100 bytes more than the id it
 * holds (measured with 81,000 accounts: 682 → 226 bytes of heap per account).
 */
type Ids = string | Set<string>;

function addTo(map: Map<string, Ids>, key: string, id: string): void {
  const ids = map.get(key);
  if (ids === undefined) map.set(key, id);
  else if (typeof ids === 'string') { if (ids !== id) map.set(key, new Set([ids, id])); }
  else ids.add(id);
}

function removeFrom(map: Map<string, Ids>, key: string, id: string): void {
  const ids = map.get(key);
  if (ids === undefined) return;
  if (typeof ids === 'string') {
    if (ids === id) map.delete(key);
    return;
  }
  ids.delete(id);
  if (ids.size === 1) map.set(key, ids.values().next().value as string);
}

function idsOf(map: Map<string, Ids>, key: string): ReadonlySet<string> {
  const ids = map.get(key);
  return ids === undefined ? EMPTY : typeof ids === 'string' ? new Set([ids]) : ids;
}

/** Index of the first element >= id in a sorted array. */
function lowerBound(sorted: string[], id: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class AccountIndex {
  #byId = new Map<string, Readonly<Account>>();
  #byUserName = new Map<string, Ids>();
  #byEmployeeNumber = new Map<string, Ids>();
  #byPersonId = new Map<string, Ids>();
  #active = new Set<string>();
  #inactive = new Set<string>();
  #orderedIds: string[] = [];
  #pending: string[] = [];
  #mutations = 0;

  /**
   * Inserts or replaces the account with `account.id`, keeping every secondary index right when
   * values change. Stores a frozen shallow copy: later changes to the caller's object have no effect.
   */
  upsert(account: Account): void {
    const stored = Object.freeze({ ...account });
    const previous = this.#byId.get(account.id);
    if (previous) this.#unindex(previous);
    else this.#pending.push(account.id);
    this.#byId.set(account.id, stored);
    this.#index(stored);
    this.#mutations++;
  }

  /** Removes the account (a tombstone on the accounts topic). Unknown ids are ignored. */
  remove(id: string): void {
    const previous = this.#byId.get(id);
    if (!previous) return;
    this.#unindex(previous);
    this.#byId.delete(id);
    const pendingAt = this.#pending.indexOf(id);
    if (pendingAt >= 0) this.#pending.splice(pendingAt, 1);
    else {
      const at = lowerBound(this.#orderedIds, id);
      if (this.#orderedIds[at] === id) this.#orderedIds.splice(at, 1);
    }
    this.#mutations++;
  }

  /** The account, or undefined when no account has this id (ids are case-sensitive). */
  get(id: string): Readonly<Account> | undefined {
    return this.#byId.get(id);
  }

  get size(): number {
    return this.#byId.size;
  }

  /** Grows by one on every upsert/remove; lets readers cache derived orders. */
  get mutationCount(): number {
    return this.#mutations;
  }

  /** All account ids in ascending code-unit order. Read-only view; do not mutate. */
  orderedIds(): readonly string[] {
    const pending = this.#pending;
    if (pending.length > 0) {
      if (pending.length <= 256) {
        for (const id of pending) this.#orderedIds.splice(lowerBound(this.#orderedIds, id), 0, id);
      } else {
        for (const id of pending) this.#orderedIds.push(id);
        this.#orderedIds.sort(); // default sort is UTF-16 code-unit order, the same as `<`
      }
      this.#pending = [];
    }
    return this.#orderedIds;
  }

  values(): IterableIterator<Readonly<Account>> {
    return this.#byId.values();
  }

  /** Ids whose userName equals `userName` ignoring case. */
  idsByUserName(userName: string): ReadonlySet<string> {
    return idsOf(this.#byUserName, userName.toLowerCase());
  }

  /** Ids whose employeeNumber equals `employeeNumber` after stripping leading zeros on both sides. */
  idsByEmployeeNumber(employeeNumber: string): ReadonlySet<string> {
    return idsOf(this.#byEmployeeNumber, employeeNumberKey(employeeNumber));
  }

  /** Ids of the accounts of one person (SCIM externalId once a person UUID is served). */
  idsByPersonId(personId: string): ReadonlySet<string> {
    return idsOf(this.#byPersonId, personId);
  }

  idsByActive(active: boolean): ReadonlySet<string> {
    return active ? this.#active : this.#inactive;
  }

  #index(a: Readonly<Account>): void {
    addTo(this.#byUserName, a.userName.toLowerCase(), a.id);
    if (a.employeeNumber !== null) addTo(this.#byEmployeeNumber, employeeNumberKey(a.employeeNumber), a.id);
    addTo(this.#byPersonId, a.personId, a.id);
    (a.active ? this.#active : this.#inactive).add(a.id);
  }

  #unindex(a: Readonly<Account>): void {
    removeFrom(this.#byUserName, a.userName.toLowerCase(), a.id);
    if (a.employeeNumber !== null) removeFrom(this.#byEmployeeNumber, employeeNumberKey(a.employeeNumber), a.id);
    removeFrom(this.#byPersonId, a.personId, a.id);
    this.#active.delete(a.id);
    this.#inactive.delete(a.id);
  }
}
