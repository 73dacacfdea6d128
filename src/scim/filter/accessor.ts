/**
 * Turns an attribute path into an accessor over a rendered SCIM resource: the attribute's type,
 * caseExact and a function returning its values (multi-valued attributes flattened; a complex
 * attribute without sub-attribute means its `value` sub-attribute, so `emails co "x"` reads
 * `emails.value`). Shared by the filter compiler and the sorter.
 */
import { EDU_USER_SCHEMA, resolveAttribute, type AttributeDef, type AttributeType } from '../schema/userSchema.ts';
import type { AttrPath } from './ast.ts';

export type Resource = Record<string, unknown>;

export interface Accessor {
  canonical: string;
  type: AttributeType;
  caseExact: boolean;
  multiValued: boolean;
  /** Values present on the resource (null/undefined removed); [] when absent. */
  values(resource: Resource): unknown[];
}

const asArray = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const present = (v: unknown) => v !== undefined && v !== null;

function container(resource: Resource, ext: boolean): Resource | undefined {
  if (!ext) return resource;
  const c = resource[EDU_USER_SCHEMA];
  return isObject(c) ? c : undefined;
}

/** Builds an accessor for a sub-attribute list, reading `name` on each element. */
function subAccessor(canonical: string, sub: AttributeDef, read: (r: Resource) => unknown[]): Accessor {
  return {
    canonical, type: sub.type, caseExact: sub.caseExact, multiValued: false,
    values: (r) => read(r).map((e) => (isObject(e) ? e[sub.name] : undefined)).filter(present),
  };
}

/**
 * Resolves a path (case-insensitively) against the User schema table.
 * Returns undefined when the User resource has no such attribute.
 */
export function rootAccessor(path: AttrPath): Accessor | undefined {
  const res = resolveAttribute(path.uri, path.attr, path.sub);
  if (!res) return undefined;
  const { def, sub, canonical } = res;
  const ext = res.container === 'ext';
  const raw = (r: Resource) => asArray(container(r, ext)?.[def.name]);
  if (sub) return { ...subAccessor(canonical, sub, raw), multiValued: def.multiValued };
  const implied = def.type === 'complex' ? def.subAttributes?.find((s) => s.name === 'value') : undefined;
  if (implied) return { ...subAccessor(`${canonical}.value`, implied, raw), multiValued: def.multiValued };
  return { canonical, type: def.type, caseExact: def.caseExact, multiValued: def.multiValued, values: (r) => raw(r).filter(present) };
}

/** The definition behind a valuePath's attribute, or undefined when the resource has no such attribute. */
export function valuePathTarget(path: AttrPath): { def: AttributeDef; elements: (r: Resource) => Resource[] } | undefined {
  const res = resolveAttribute(path.uri, path.attr, undefined);
  if (!res) return undefined;
  const ext = res.container === 'ext';
  const name = res.def.name;
  return { def: res.def, elements: (r) => asArray(container(r, ext)?.[name]).filter(isObject) };
}

/** Accessor for a sub-attribute named inside `attr[...]`; undefined when the complex type has no such sub-attribute. */
export function elementAccessor(parent: AttributeDef, path: AttrPath): Accessor | undefined {
  if (path.uri !== undefined || path.sub !== undefined) return undefined;
  const n = path.attr.toLowerCase();
  const sub = parent.subAttributes?.find((s) => s.name.toLowerCase() === n);
  if (!sub) return undefined;
  return { canonical: `${parent.name}.${sub.name}`, type: sub.type, caseExact: sub.caseExact, multiValued: false, values: (e) => (present(e[sub.name]) ? [e[sub.name]] : []) };
}
