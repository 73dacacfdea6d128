/**
 * The person directory (README "One person across sources"): which person a matching key belongs
 * to, so that one human being is one person and one account however many sources know them.
 *
 *   topic personDirectory  `<app>-person-directory-repartition`, key a directory key, value DirectoryRecord.
 *                          Writers: the profile-keys step (F: a valid profile, keyed by the key it
 *                          is matched by), the account step (B: a DFØ person's registration of its
 *                          nin, and the account id and employee number of an issued account, as
 *                          links). Reader: the person directory (G, store `person-directory`).
 *
 * Directory keys: `nin:<keyed hash>` (HMAC-SHA-256 of the nin under IGA_NIN_HASH_KEY: the nin itself
 * is never in a key, a value, a log line or an answer), `emp:<employee number>`, `acct:<account id>`,
 * and `src:<publisher>:<sourceId>` for a profile that offers no key at all (a person new to us).
 *
 * Person keys: DFØ persons keep their employee id; a person first known from a publisher gets
 * `p-<UUID v5 of its directory key>`, so a replay of the same profiles gives the same key.
 */
import { createHash, createHmac } from 'node:crypto';
import type { MatchKey } from '../../iga/matching.ts';
import type { SourceFacts } from '../../iga/sources.ts';
import type { Cause } from './messages.ts';

/** A valid profile on its way to the directory: what matching needs and the facts to keep; never the nin. */
export interface DirectoryProfile {
  type: 'profile';
  publisher: string;
  /** The key the profile is matched by (the record's key is made of it); `source`: it offers none. */
  by: MatchKey | 'source';
  /** The publisher's link, when it gave one (checked against what the directory knows of the nin). */
  link?: { accountId?: string; employeeNumber?: string };
  facts: SourceFacts;
  cause: Cause;
}

/** A DFØ person registers its nin (key `nin:<hash>`) before claiming a username, or at its next event when it has an account already. */
export interface DirectoryDfoRegistration {
  type: 'dfo';
  employeeId: string;
  hasAccount: boolean;
  cause: Cause;
}

/** An issued account's links (key `acct:<id>` or `emp:<n>`): the person they lead to. */
export interface DirectoryLink {
  type: 'link';
  person: string;
}

/**
 * An operator's release of a held profile (from the admin API; key the held profile's directory key,
 * sent to every partition, so the task that holds it sees it): to a person, or as a new person.
 */
export interface DirectoryRelease {
  type: 'release';
  messageId: string;
  to: { person: string } | { newPerson: true };
  /** `admin client <name>`. */
  by: string;
  at: string;
}

export type DirectoryRecord = DirectoryProfile | DirectoryDfoRegistration | DirectoryLink | DirectoryRelease;

/** `held-matches`: a profile the directory could not match on its own, waiting for an operator (key its message id). */
export interface HeldMatch {
  messageId: string;
  publisher: string;
  sourceId: string;
  /** The directory key it came under (a keyed hash for a nin, never the nin). */
  directoryKey: string;
  reason: string;
  candidates: string[];
  heldAt: string;
  profile: DirectoryProfile;
}

/** The person key of a held profile released as a new person. */
export function releasedPersonKey(messageId: string): string {
  return profilePersonKey(`held:${messageId}`);
}

/** A person key: an employee id (digits) or `p-<uuid>` (the audit topic's keys of persons' decisions). */
export const PERSON_KEY = /^(\d+|p-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Whether a person key is of a person first known from a publisher. */
export function isProfilePerson(personKey: string): boolean {
  return personKey.startsWith('p-');
}

/** The directory key of a nin: a keyed hash, so the key reveals nothing without IGA_NIN_HASH_KEY. */
export function ninDirectoryKey(hashKey: string, nin: string): string {
  return `nin:${createHmac('sha256', hashKey).update(nin).digest('base64url')}`;
}

export const employeeDirectoryKey = (employeeNumber: string) => `emp:${employeeNumber}`;
export const accountDirectoryKey = (accountId: string) => `acct:${accountId}`;

/** The directory key a profile is matched by: the first key in `order` it offers, else its own source id. */
export function profileDirectoryKey(
  hashKey: string,
  p: { publisher: string; sourceId: string; nin?: string; link?: { accountId?: string; employeeNumber?: string } },
  order: readonly MatchKey[],
): { key: string; by: MatchKey | 'source' } {
  for (const k of order) {
    if (k === 'nin' && p.nin !== undefined) return { key: ninDirectoryKey(hashKey, p.nin), by: k };
    if (k === 'employeeNumber' && p.link?.employeeNumber !== undefined) return { key: employeeDirectoryKey(p.link.employeeNumber), by: k };
    if (k === 'accountId' && p.link?.accountId !== undefined) return { key: accountDirectoryKey(p.link.accountId), by: k };
  }
  return { key: `src:${p.publisher}:${p.sourceId}`, by: 'source' };
}

/** RFC 4122 namespace of our person keys (a fixed random UUID). */
const PERSON_NAMESPACE = '5b0f3c1e-8f5d-4a7e-9c61-2d7a4b9e0f13';

/** The person key of a person first known from a publisher: `p-` and a UUID v5 of its directory key. */
export function profilePersonKey(directoryKey: string): string {
  const ns = Buffer.from(PERSON_NAMESPACE.replaceAll('-', ''), 'hex');
  const h = createHash('sha1').update(ns).update(directoryKey).digest().subarray(0, 16);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.toString('hex');
  return `p-${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
