/**
 * Account → SCIM User (core schema + `no:edu:scim:user`). `userLocation` builds `meta.location`;
 * the notify record's resourceUri is built by the same rule (src/topology/contracts/notify.ts
 * `resourceUri`, which the SCIM API cannot share as a sibling room; a test holds the two equal),
 * so a notify event's `resourceUris` and the account's `meta.location` are the same string.
 *
 * externalId: the sector profile wants the person's UH-ID (a person UUID). We only know the DFØ
 * employee number, so externalId is left out of the rendering; the index keeps `idsByPersonId`
 * ready for the day a person UUID exists.
 */
import type { Account, AffiliationKind } from '../iga/model.ts';
import { CORE_USER_SCHEMA, EDU_USER_SCHEMA } from './schema/userSchema.ts';

export interface RenderOptions {
  /** Gateway URL the resource URIs start with, e.g. `https://gw-uib.intark.uh-it.no/iga/scim/v2`. */
  resourceUriPrefix: string;
}

export interface ScimUser {
  schemas: string[];
  id: string;
  userName: string;
  active: boolean;
  displayName?: string;
  name: { formatted?: string; givenName?: string; familyName?: string };
  emails: Array<{ value: string; type: 'work'; primary: true }>;
  'no:edu:scim:user': { accountType: 'primary'; employeeNumber?: string; studentNumber?: string; eduPersonAffiliation?: string[]; eduPersonPrincipalName: string };
  meta: { resourceType: 'User'; created: string; lastModified: string; location: string; version: string };
}

/** `${prefix}/Users/${id}`; a trailing slash on the prefix is ignored. */
export function userLocation(resourceUriPrefix: string, id: string): string {
  return `${resourceUriPrefix.replace(/\/+$/, '')}/Users/${encodeURIComponent(id)}`;
}

/** The weak ETag of an account version: `W/"<version>"`. */
export function userETag(account: Pick<Account, 'version'>): string {
  return `W/"${account.version}"`;
}

/** eduPerson's value for each kind of affiliation an account holds (a guest is an `affiliate`). */
function scimAffiliations(kinds: readonly AffiliationKind[]): string[] {
  return kinds.map((k) => (k === 'guest' ? 'affiliate' : k));
}

/** Renders the full SCIM User; empty name parts are left out rather than sent as "". */
export function renderUser(account: Readonly<Account>, opts: RenderOptions): ScimUser {
  const name: ScimUser['name'] = {};
  const formatted = [account.givenName, account.familyName].filter((s) => s && s.trim()).join(' ');
  if (formatted) name.formatted = formatted;
  if (account.givenName) name.givenName = account.givenName;
  if (account.familyName) name.familyName = account.familyName;
  const edu: ScimUser['no:edu:scim:user'] = {
    accountType: 'primary',
    ...(account.employeeNumber !== null ? { employeeNumber: account.employeeNumber } : {}),
    ...(account.studentNumber !== undefined ? { studentNumber: account.studentNumber } : {}),
    ...(account.affiliationKinds !== undefined ? { eduPersonAffiliation: scimAffiliations(account.affiliationKinds) } : {}),
    eduPersonPrincipalName: account.userName,
  };
  const user: ScimUser = {
    schemas: [CORE_USER_SCHEMA, EDU_USER_SCHEMA],
    id: account.id,
    userName: account.userName,
    active: account.active,
    name,
    emails: [{ value: account.userName, type: 'work', primary: true }],
    [EDU_USER_SCHEMA]: edu,
    meta: {
      resourceType: 'User',
      created: account.created,
      lastModified: account.lastModified,
      location: userLocation(opts.resourceUriPrefix, account.id),
      version: userETag(account),
    },
  };
  if (account.displayName) user.displayName = account.displayName;
  return user;
}

/**
 * Caches renderings per stored account object. The index stores a new frozen object on every
 * upsert, so an entry can never go stale; replaced accounts are collected with their object.
 */
export class RenderCache {
  #cache = new WeakMap<object, ScimUser>();
  #json = new WeakMap<object, string>();
  readonly #opts: RenderOptions;

  constructor(opts: RenderOptions) {
    this.#opts = opts;
  }

  /** The rendered user; callers must not mutate the returned object. */
  get(account: Readonly<Account>): ScimUser {
    let user = this.#cache.get(account);
    if (!user) {
      user = renderUser(account, this.#opts);
      this.#cache.set(account, user);
    }
    return user;
  }

  /** The full rendering as JSON text, cached like `get` (most responses need no projection). */
  json(account: Readonly<Account>): string {
    let text = this.#json.get(account);
    if (text === undefined) {
      text = JSON.stringify(this.get(account));
      this.#json.set(account, text);
    }
    return text;
  }
}
