/**
 * attributes / excludedAttributes (RFC 7644 §3.4.2.5, §3.9, §3.10): names are matched
 * case-insensitively, may carry the core or extension URN, and may name a sub-attribute
 * (`name.givenName`, `emails.value`) or the whole extension (`no:edu:scim:user`).
 * `id` and `schemas` are returned always and cannot be excluded. Unknown names are ignored.
 */
import { invalidValue } from './errors.ts';
import { parseAttrPath } from './filter/parser.ts';
import { EDU_USER_SCHEMA, resolveAttribute } from './schema/userSchema.ts';

/** Top-level key → whole attribute (true) or the set of sub-attribute keys selected. */
export type Selection = Map<string, true | Set<string>>;

export interface Projection {
  mode: 'include' | 'exclude';
  selection: Selection;
}

const ALWAYS = new Set(['id', 'schemas']);

function select(sel: Selection, key: string, sub: string | undefined): void {
  const existing = sel.get(key);
  if (existing === true) return;
  if (sub === undefined) sel.set(key, true);
  else if (existing) existing.add(sub);
  else sel.set(key, new Set([sub]));
}

function addName(sel: Selection, raw: string): void {
  const name = raw.trim();
  if (!name) return;
  if (name.toLowerCase() === EDU_USER_SCHEMA) return select(sel, EDU_USER_SCHEMA, undefined);
  let path;
  try {
    path = parseAttrPath(name);
  } catch {
    throw invalidValue(`'${name}' is not an attribute name`);
  }
  const res = resolveAttribute(path.uri, path.attr, path.sub);
  if (!res) return;
  if (res.container === 'ext') select(sel, EDU_USER_SCHEMA, res.def.name);
  else select(sel, res.def.name, res.sub?.name);
}

/**
 * Builds a projection from the two parameters (comma-separated strings or arrays of names).
 * Returns undefined when neither is given. Throws 400 invalidValue when both are given.
 */
export function parseProjection(attributes: string | string[] | undefined, excluded: string | string[] | undefined): Projection | undefined {
  const split = (v: string | string[]) => (Array.isArray(v) ? v : v.split(','));
  if (attributes !== undefined && excluded !== undefined) throw invalidValue('attributes and excludedAttributes are mutually exclusive');
  const given = attributes ?? excluded;
  if (given === undefined) return undefined;
  const selection: Selection = new Map();
  for (const n of split(given)) addName(selection, n);
  return { mode: attributes !== undefined ? 'include' : 'exclude', selection };
}

function pick(value: unknown, subs: Set<string>, keep: boolean): unknown {
  const one = (o: unknown) => {
    if (typeof o !== 'object' || o === null) return o;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (subs.has(k) === keep) out[k] = v;
    return out;
  };
  return Array.isArray(value) ? value.map(one) : one(value);
}

const isEmpty = (v: unknown) =>
  (Array.isArray(v) && v.every((e) => typeof e === 'object' && e !== null && Object.keys(e).length === 0)) ||
  (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

/** Applies the projection to a rendered resource, keeping key order. Does not mutate `resource`. */
export function project<T extends object>(resource: T, projection: Projection | undefined): Partial<T> {
  if (!projection) return resource;
  const out: Record<string, unknown> = {};
  const include = projection.mode === 'include';
  for (const [key, value] of Object.entries(resource)) {
    const sel = projection.selection.get(key);
    let v: unknown;
    if (ALWAYS.has(key)) v = value;
    else if (sel === undefined) v = include ? undefined : value;
    else if (sel === true) v = include ? value : undefined;
    else v = pick(value, sel, include);
    if (v !== undefined && !isEmpty(v)) out[key] = v;
  }
  return out as Partial<T>;
}
