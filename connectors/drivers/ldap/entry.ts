/**
 * An account as an LDAP person entry and back, without I/O: the DN (RDN `uid=<username's local
 * part>` under the base), the attributes the driver writes (inetOrgPerson + eduPerson +
 * norEduPerson + igaStream), the modifications that bring an existing entry to a version, and what
 * a destination entry says it holds.
 *
 * Why the RDN is the uid and not the account id: the username never changes and is never reused,
 * so the DN is as stable as the account id would make it, and it is the DN campus systems and
 * Feide expect (`uid=olanor,ou=people,…`). The identity is still the account id: the driver finds an
 * entry by `igaAccountId`, never by its DN, and refuses to take over an entry of another account.
 */
import { Attribute, Change, type Entry } from 'ldapts';
import type { AccountChange, DestinationEntry } from '../destination.ts';

export const OBJECT_CLASSES = ['inetOrgPerson', 'eduPerson', 'norEduPerson', 'igaStream'] as const;

/** The attributes the driver owns on an entry; a modification replaces each (none = delete). */
export const MANAGED_ATTRIBUTES = [
  'cn', 'sn', 'givenName', 'displayName', 'mail', 'eduPersonPrincipalName', 'employeeNumber', 'eduPersonAffiliation', 'igaAccountVersion',
] as const;

export type EntryAttributes = Record<string, string[]>;

/** The local part of a username (`olanor@uib.no` → `olanor`). */
export function uidOf(userName: string): string {
  const at = userName.lastIndexOf('@');
  return at < 0 ? userName : userName.slice(0, at);
}

/** Escapes an RDN value (RFC 4514 section 2.4). */
export function escapeRdnValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ')
    .replace(/\0/g, '\\00');
}

export function entryDn(userName: string, baseDn: string): string {
  return `uid=${escapeRdnValue(uidOf(userName))},${baseDn}`;
}

const one = (v: string | null | undefined): string[] => (v === null || v === undefined || v === '' ? [] : [v]);

/**
 * The managed attributes of the account as of this change. An empty value becomes no value: the
 * directory holds no invented data. (sn and cn are required by `person`: an account without a
 * family name is refused by the directory, and the change is tagged failed with its error.)
 */
export function managedAttributes(change: AccountChange): EntryAttributes {
  const a = change.account;
  return {
    cn: one(a.displayName),
    sn: one(a.familyName),
    givenName: one(a.givenName),
    displayName: one(a.displayName),
    mail: one(a.userName),
    eduPersonPrincipalName: one(a.userName),
    employeeNumber: one(a.employeeNumber),
    eduPersonAffiliation: [...change.affiliations],
    igaAccountVersion: [String(a.version)],
  };
}

/** The whole new entry (add), with the lock when the account is blocked. */
export function newEntry(change: AccountChange, lock: { attribute: string; value: string }): EntryAttributes {
  const attributes: EntryAttributes = {
    objectClass: [...OBJECT_CLASSES],
    uid: [uidOf(change.account.userName)],
    igaAccountId: [change.account.id],
    ...managedAttributes(change),
  };
  if (!change.account.active) attributes[lock.attribute] = [lock.value];
  // An add takes no empty attribute.
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v.length > 0));
}

/** The modifications that bring an existing entry to this change: each managed attribute replaced, the lock set or removed. */
export function modifications(change: AccountChange, lock: { attribute: string; value: string }): Change[] {
  const replace = (type: string, values: string[]) => new Change({ operation: 'replace', modification: new Attribute({ type, values }) });
  return [
    ...Object.entries(managedAttributes(change)).map(([type, values]) => replace(type, values)),
    // Replace with no value deletes the lock, and is ignored where there is none (RFC 4511 4.6).
    replace(lock.attribute, change.account.active ? [] : [lock.value]),
  ];
}

/** The values of an attribute as strings (ldapts gives a string for one value, an array for several). */
export function valuesOf(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  const raw = key === undefined ? undefined : entry[key];
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : [raw]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

/** The version an entry reflects, or null when it carries none (or not a number). */
export function entryVersion(entry: Entry): number | null {
  const [v] = valuesOf(entry, 'igaAccountVersion');
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
}

/** What the directory holds of an account, named as in the account. */
export function toDestinationEntry(entry: Entry, lockAttribute: string): DestinationEntry {
  const first = (a: string) => valuesOf(entry, a)[0] ?? null;
  return {
    accountId: first('igaAccountId') ?? '',
    version: entryVersion(entry),
    userName: first('eduPersonPrincipalName') ?? first('uid') ?? '',
    active: valuesOf(entry, lockAttribute).length === 0,
    attributes: {
      dn: entry.dn,
      givenName: first('givenName'),
      familyName: first('sn'),
      displayName: first('displayName'),
      mail: first('mail'),
      employeeNumber: first('employeeNumber'),
      eduPersonAffiliation: valuesOf(entry, 'eduPersonAffiliation').sort(),
    },
  };
}
