/**
 * An account as a Keycloak user and back, without I/O: the user representation the Admin REST API
 * takes (username, email, names, `enabled` = active, and the custom attributes the realm's user
 * profile declares), the version verdict that keeps writes idempotent, what a stored user differs
 * in from what was written (Keycloak drops undeclared attributes without a word), what a
 * destination entry says it holds, and Keycloak's error bodies as one readable line.
 */
import type { AccountChange, DestinationEntry } from '../destination.ts';

/** The custom user attributes the driver writes; the realm's user profile must declare each (scripts/keycloak/realm.ts does). */
export const ATTRIBUTES = {
  employeeNumber: 'employeeNumber',
  affiliation: 'eduPersonAffiliation',
  accountId: 'igaAccountId',
  accountVersion: 'igaAccountVersion',
} as const;
export const MANAGED_ATTRIBUTES: readonly string[] = Object.values(ATTRIBUTES);

/** A user as the Admin REST API shows it (other fields are kept as they come). */
export interface KeycloakUser {
  id?: string;
  username?: string;
  email?: string;
  emailVerified?: boolean;
  firstName?: string;
  lastName?: string;
  enabled?: boolean;
  attributes?: Record<string, string[]>;
  [other: string]: unknown;
}

/** What the driver writes: every field it owns, an absent value as an empty list or undefined. */
export interface DesiredUser {
  username: string;
  email: string;
  emailVerified: true;
  firstName: string | undefined;
  lastName: string | undefined;
  enabled: boolean;
  /** Every managed attribute; an empty list removes the attribute. */
  attributes: Record<string, string[]>;
}

const text = (v: string | null | undefined): string | undefined => (v === null || v === undefined || v.trim() === '' ? undefined : v);

/**
 * The user as of this change. The username is the account's userName (`olanor@uib.no`, never
 * changed, never reused), which is also its work e-mail (verified: the institution issued it). A
 * blocked account is disabled and carries no affiliation, whatever the change says.
 */
export function desiredUser(change: AccountChange): DesiredUser {
  const a = change.account;
  return {
    username: a.userName.toLowerCase(),
    email: a.userName.toLowerCase(),
    emailVerified: true,
    firstName: text(a.givenName),
    lastName: text(a.familyName),
    enabled: a.active,
    attributes: {
      [ATTRIBUTES.employeeNumber]: text(a.employeeNumber) === undefined ? [] : [a.employeeNumber!],
      [ATTRIBUTES.affiliation]: a.active ? [...new Set(change.affiliations)] : [],
      [ATTRIBUTES.accountId]: [a.id],
      [ATTRIBUTES.accountVersion]: [String(a.version)],
    },
  };
}

/** The body of a create (POST /users): the desired user, with no empty attribute. */
export function createRepresentation(desired: DesiredUser): KeycloakUser {
  const attributes = Object.fromEntries(Object.entries(desired.attributes).filter(([, v]) => v.length > 0));
  return { ...desired, attributes };
}

/**
 * The body of an update (PUT /users/{id}). Keycloak replaces the whole profile on a PUT that has
 * `attributes` (a field or attribute left out is removed: measured on 26.7.3), so every owned field
 * is sent, and the attributes the driver does not own are sent back as the user has them.
 */
export function updateRepresentation(stored: KeycloakUser, desired: DesiredUser): KeycloakUser {
  const others = Object.fromEntries(Object.entries(stored.attributes ?? {}).filter(([name]) => !MANAGED_ATTRIBUTES.includes(name)));
  return { ...desired, attributes: { ...others, ...desired.attributes } };
}

/** The account version a user reflects (`igaAccountVersion`), or null when it carries none that is a positive whole number. */
export function heldVersion(user: KeycloakUser): number | null {
  const [v] = user.attributes?.[ATTRIBUTES.accountVersion] ?? [];
  return v !== undefined && /^[1-9]\d{0,15}$/.test(v) ? Number(v) : null;
}

/**
 * Whether a change of `incoming` version is written over a user that holds `held`: only a newer
 * version is, or with `rewrite` (a drift repair) the same version too; never an older one.
 */
export function versionVerdict(held: number | null, incoming: number, rewrite = false): 'write' | 'unchanged' {
  return held === null || held < incoming || (rewrite && held === incoming) ? 'write' : 'unchanged';
}

/** The account id a user carries, or null. */
export function accountIdOf(user: KeycloakUser): string | null {
  return user.attributes?.[ATTRIBUTES.accountId]?.[0] ?? null;
}

/** One field that Keycloak did not keep as written. */
export interface Difference {
  field: string;
  wrote: string | string[] | boolean | undefined;
  holds: string | string[] | boolean | undefined;
}

const sameText = (a: string | undefined, b: string | undefined, caseless = false): boolean =>
  (caseless ? a?.toLowerCase() : a) === (caseless ? b?.toLowerCase() : b) || (text(a) === undefined && text(b) === undefined);
const sortedValues = (v: string[] | undefined): string[] => [...new Set(v ?? [])].sort();

/**
 * Where the stored user differs from what was written (empty when Keycloak kept it all). Names
 * and e-mail compare as Keycloak stores them (username and e-mail in lower case; a multi-valued
 * attribute as a set).
 */
export function differences(desired: DesiredUser, stored: KeycloakUser): Difference[] {
  const found: Difference[] = [];
  if (!sameText(desired.username, stored.username, true)) found.push({ field: 'username', wrote: desired.username, holds: stored.username });
  if (!sameText(desired.email, stored.email, true)) found.push({ field: 'email', wrote: desired.email, holds: stored.email });
  if (!sameText(desired.firstName, stored.firstName)) found.push({ field: 'firstName', wrote: desired.firstName, holds: stored.firstName });
  if (!sameText(desired.lastName, stored.lastName)) found.push({ field: 'lastName', wrote: desired.lastName, holds: stored.lastName });
  if (desired.enabled !== stored.enabled) found.push({ field: 'enabled', wrote: desired.enabled, holds: stored.enabled });
  for (const [name, wrote] of Object.entries(desired.attributes)) {
    const holds = stored.attributes?.[name];
    if (sortedValues(wrote).join('\n') !== sortedValues(holds).join('\n')) found.push({ field: name, wrote, holds });
  }
  return found;
}

export function describeDifferences(found: Difference[]): string {
  const show = (v: Difference['wrote']) => (v === undefined ? 'nothing' : JSON.stringify(v));
  return found.map((d) => `${d.field}: wrote ${show(d.wrote)}, Keycloak holds ${show(d.holds)}`).join('; ');
}

/** What the realm holds of an account, named as in the account (for drift checks). */
export function toDestinationEntry(user: KeycloakUser): DestinationEntry {
  const first = (name: string) => user.attributes?.[name]?.[0] ?? null;
  return {
    accountId: accountIdOf(user) ?? '',
    version: heldVersion(user),
    userName: user.username ?? '',
    active: user.enabled === true,
    attributes: {
      keycloakId: user.id ?? null,
      givenName: user.firstName ?? null,
      familyName: user.lastName ?? null,
      mail: user.email ?? null,
      employeeNumber: first(ATTRIBUTES.employeeNumber),
      eduPersonAffiliation: sortedValues(user.attributes?.[ATTRIBUTES.affiliation]),
    },
  };
}

/**
 * Keycloak's error body as one line: `{"errorMessage":"User exists with same email"}`,
 * `{"field":"firstName","errorMessage":"error-person-name-invalid-character","params":[…]}`, a list
 * of those under `errors`, or OAuth's `{"error","error_description"}`. A field's line shows the
 * value that was sent for it, when `sent` has one, so the message says which data was refused.
 */
export function keycloakErrorText(body: string, sent?: KeycloakUser): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return body.trim().slice(0, 300) || '(no message)';
  }
  const one = (e: Record<string, unknown>): string => {
    const field = typeof e.field === 'string' ? e.field : null;
    const message = [e.errorMessage, e.error_description, e.error].find((m) => typeof m === 'string') as string | undefined;
    const value = field === null || !sent ? undefined : field in sent ? sent[field] : sent.attributes?.[field];
    return `${field ? `${field}: ` : ''}${message ?? JSON.stringify(e)}${value === undefined ? '' : ` (sent ${JSON.stringify(value)})`}`;
  };
  if (parsed && typeof parsed === 'object') {
    const errors = (parsed as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) return errors.filter((e) => e && typeof e === 'object').map((e) => one(e as Record<string, unknown>)).join('; ');
    return one(parsed as Record<string, unknown>);
  }
  return String(parsed);
}
