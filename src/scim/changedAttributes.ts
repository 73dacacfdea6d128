/**
 * Which SCIM attributes differ between two versions of an account, named in notify style
 * (RFC 7644 §3.10 paths: `name.givenName`, `no:edu:scim:user:employeeNumber`). Called by the
 * notify-event producer for MODIFY events. Compares renderings, so the names always match what
 * GET /Users/{id} shows.
 */
import type { Account } from '../iga/model.ts';
import { renderUser, type ScimUser } from './render.ts';

const paths: Array<[string, (u: ScimUser) => unknown]> = [
  ['active', (u) => u.active],
  ['displayName', (u) => u.displayName],
  ['name.givenName', (u) => u.name.givenName],
  ['name.familyName', (u) => u.name.familyName],
  ['name.formatted', (u) => u.name.formatted],
  ['emails', (u) => JSON.stringify(u.emails)],
  ['userName', (u) => u.userName],
  ['no:edu:scim:user:employeeNumber', (u) => u['no:edu:scim:user'].employeeNumber],
  ['no:edu:scim:user:eduPersonPrincipalName', (u) => u['no:edu:scim:user'].eduPersonPrincipalName],
];

/** The attribute paths, in this fixed order, whose values differ; [] when nothing SCIM-visible changed. */
export function changedScimAttributes(before: Account, after: Account): string[] {
  const opts = { resourceUriPrefix: '' };
  const a = renderUser(before, opts);
  const b = renderUser(after, opts);
  return paths.filter(([, get]) => get(a) !== get(b)).map(([path]) => path);
}

/** Every attribute path `changedScimAttributes` can return. */
export const notifyAttributePaths: readonly string[] = paths.map(([p]) => p);
