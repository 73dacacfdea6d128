/**
 * Compiles a filter AST into a predicate over rendered SCIM resources, following RFC 7644
 * §3.4.2.2 with each attribute's type and caseExact from the schema table:
 * - strings (and references) compare lexicographically, lower-cased when caseExact=false; a number
 *   given for a string attribute is compared as its JSON text (the sector mock sends
 *   `employeeNumber` as a number);
 * - dateTime values compare by instant for eq/ne/gt/ge/lt/le, as strings for co/sw/ew;
 * - booleans accept only eq/ne; gt/ge/lt/le/co/sw/ew on booleans or binaries → 400 invalidFilter;
 * - a complex attribute without sub-attribute means its `value` (`emails co "x"`); `name eq ...`
 *   (no `value` to compare) → 400 invalidFilter;
 * - multi-valued attributes match when any value matches; `ne` is the negation of `eq`;
 * - an attribute the resource type does not have has no value: `pr`/`eq`/`co`/... are false
 *   (and so `ne` is true);
 * - `eq null` means "not present", `ne null` means "present".
 * All type checks happen at compile time, so an invalid filter fails whatever the data.
 */
import { invalidFilter } from '../errors.ts';
import type { CompValue, CompareOp, Filter } from './ast.ts';
import { elementAccessor, rootAccessor, valuePathTarget, type Accessor, type Resource } from './accessor.ts';

export type Predicate = (resource: Resource) => boolean;

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;
const never: Predicate = () => false;

/** Non-empty value per §3.4.2.2 `pr`: not null, not "", not an empty object or array. */
export function hasValue(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.some(hasValue);
  if (typeof v === 'object') return Object.values(v as object).some(hasValue);
  return true;
}

function compileCompare(acc: Accessor | undefined, op: CompareOp, value: CompValue): Predicate {
  if (value === null) {
    if (op !== 'eq' && op !== 'ne') throw invalidFilter(`Operator '${op}' cannot compare with null`);
    if (!acc) return op === 'eq' ? () => true : never;
    const pr = (r: Resource) => acc.values(r).some(hasValue);
    return op === 'eq' ? (r) => !pr(r) : pr;
  }
  if (op === 'ne') {
    const eq = compileCompare(acc, 'eq', value);
    return (r) => !eq(r);
  }
  if (!acc) return never;
  switch (acc.type) {
    case 'boolean':
      if (op !== 'eq') throw invalidFilter(`Operator '${op}' is not supported on the Boolean attribute '${acc.canonical}'`);
      if (typeof value !== 'boolean') throw invalidFilter(`'${acc.canonical}' is Boolean; compare it with true or false`);
      return (r) => acc.values(r).some((v) => v === value);
    case 'binary':
      throw invalidFilter(`Filtering on the binary attribute '${acc.canonical}' is not supported`);
    case 'complex':
      throw invalidFilter(`'${acc.canonical}' is complex; name a sub-attribute`);
    case 'integer':
    case 'decimal': {
      if (typeof value !== 'number') throw invalidFilter(`'${acc.canonical}' is numeric; compare it with a number`);
      if (op === 'co' || op === 'sw' || op === 'ew') throw invalidFilter(`Operator '${op}' is not supported on numbers`);
      const cmp = ordering(op);
      return (r) => acc.values(r).some((v) => typeof v === 'number' && cmp(v - value));
    }
    case 'dateTime':
      if (op === 'eq' || op === 'gt' || op === 'ge' || op === 'lt' || op === 'le') {
        if (typeof value !== 'string' || !ISO_DATE_TIME.test(value)) throw invalidFilter(`'${acc.canonical}' is a DateTime; compare it with an ISO 8601 string`);
        const t = Date.parse(value);
        if (Number.isNaN(t)) throw invalidFilter(`'${value}' is not a valid DateTime`);
        const cmp = ordering(op);
        return (r) => acc.values(r).some((v) => typeof v === 'string' && cmp(Date.parse(v) - t));
      }
      return compileString({ ...acc, caseExact: true }, op, value);
    default:
      return compileString(acc, op, value);
  }
}

function compileString(acc: Accessor, op: Exclude<CompareOp, 'ne'>, value: Exclude<CompValue, null>): Predicate {
  if (typeof value === 'boolean') throw invalidFilter(`'${acc.canonical}' is a string; compare it with a string`);
  const fold = acc.caseExact ? (s: string) => s : (s: string) => s.toLowerCase();
  const c = fold(String(value));
  let test: (s: string) => boolean;
  switch (op) {
    case 'eq': test = (s) => s === c; break;
    case 'co': test = (s) => s.includes(c); break;
    case 'sw': test = (s) => s.startsWith(c); break;
    case 'ew': test = (s) => s.endsWith(c); break;
    case 'gt': test = (s) => s > c; break;
    case 'ge': test = (s) => s >= c; break;
    case 'lt': test = (s) => s < c; break;
    case 'le': test = (s) => s <= c; break;
  }
  return (r) => acc.values(r).some((v) => typeof v === 'string' && test(fold(v)));
}

function ordering(op: 'eq' | 'gt' | 'ge' | 'lt' | 'le' | 'co' | 'sw' | 'ew'): (diff: number) => boolean {
  switch (op) {
    case 'gt': return (d) => d > 0;
    case 'ge': return (d) => d >= 0;
    case 'lt': return (d) => d < 0;
    case 'le': return (d) => d <= 0;
    default: return (d) => d === 0;
  }
}

type Resolve = (path: import('./ast.ts').AttrPath) => Accessor | undefined;

function compileWith(filter: Filter, resolve: Resolve, inValuePath: boolean): Predicate {
  switch (filter.kind) {
    case 'present': {
      const acc = resolve(filter.path);
      return acc ? (r) => acc.values(r).some(hasValue) : never;
    }
    case 'compare':
      return compileCompare(resolve(filter.path), filter.op, filter.value);
    case 'not': {
      const p = compileWith(filter.item, resolve, inValuePath);
      return (r) => !p(r);
    }
    case 'and': {
      const ps = filter.items.map((f) => compileWith(f, resolve, inValuePath));
      return (r) => ps.every((p) => p(r));
    }
    case 'or': {
      const ps = filter.items.map((f) => compileWith(f, resolve, inValuePath));
      return (r) => ps.some((p) => p(r));
    }
    case 'valuePath': {
      if (inValuePath) throw invalidFilter('Nested value filters are not allowed');
      const target = valuePathTarget(filter.path);
      if (!target) {
        compileWith(filter.item, () => undefined, true); // still reject bad operator/value combinations
        return never;
      }
      if (target.def.type !== 'complex') throw invalidFilter(`'${target.def.name}[...]' needs a complex attribute`);
      const inner = compileWith(filter.item, (p) => elementAccessor(target.def, p), true);
      return (r) => target.elements(r).some(inner);
    }
  }
}

/**
 * Compiles `filter` for the User resource. Throws ScimError 400 invalidFilter for operator/type
 * combinations the RFC forbids or we do not support. The predicate never throws.
 */
export function compileFilter(filter: Filter): Predicate {
  return compileWith(filter, rootAccessor, false);
}
