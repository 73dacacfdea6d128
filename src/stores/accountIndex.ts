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
import type { Account } from '../iga/model.ts';

const EMPTY: ReadonlySet<string> = new Set();

/** '00101926' → '101926'; keeps '0' for all-zero input. Used for the employeeNumber index key. */
export function normaliseEmployeeNumber(value: string): string {
  const trimmed = value.trim();
  const stripped = trimmed.replace(/^0+(?=.)/, '');
  return stripped;
}

function addTo(map: Map<string, Set<string>>, key: string, id: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(id);
}

function removeFrom(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(id);
  if (set.size === 0) map.delete(key);
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
  #byUserName = new Map<string, Set<string>>();
  #byEmployeeNumber = new Map<string, Set<string>>();
  #byPersonId = new Map<string, Set<string>>();
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
    return this.#byUserName.get(userName.toLowerCase()) ?? EMPTY;
  }

  /** Ids whose employeeNumber equals `employeeNumber` after stripping leading zeros on both sides. */
  idsByEmployeeNumber(employeeNumber: string): ReadonlySet<string> {
    return this.#byEmployeeNumber.get(normaliseEmployeeNumber(employeeNumber)) ?? EMPTY;
  }

  /** Ids of the accounts of one person (SCIM externalId once a person UUID is served). */
  idsByPersonId(personId: string): ReadonlySet<string> {
    return this.#byPersonId.get(personId) ?? EMPTY;
  }

  idsByActive(active: boolean): ReadonlySet<string> {
    return active ? this.#active : this.#inactive;
  }

  #index(a: Readonly<Account>): void {
    addTo(this.#byUserName, a.userName.toLowerCase(), a.id);
    if (a.employeeNumber !== null) addTo(this.#byEmployeeNumber, normaliseEmployeeNumber(a.employeeNumber), a.id);
    addTo(this.#byPersonId, a.personId, a.id);
    (a.active ? this.#active : this.#inactive).add(a.id);
  }

  #unindex(a: Readonly<Account>): void {
    removeFrom(this.#byUserName, a.userName.toLowerCase(), a.id);
    if (a.employeeNumber !== null) removeFrom(this.#byEmployeeNumber, normaliseEmployeeNumber(a.employeeNumber), a.id);
    removeFrom(this.#byPersonId, a.personId, a.id);
    this.#active.delete(a.id);
    this.#inactive.delete(a.id);
  }
}
