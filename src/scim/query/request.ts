/**
 * Turns GET /Users query parameters or a POST /.search body into a QuerySpec and a projection.
 * Both paths go through `buildQuery`, so they give the same results (RFC 7644 §3.4.3).
 * Sector shortcuts: `?userName=` (exact, case-insensitive) and `?employeeNumber=` (leading zeros
 * stripped); given together with `filter` they are and-ed with it.
 */
import { z } from 'zod';
import { invalidSyntax, invalidValue } from '../errors.ts';
import { parseProjection, type Projection } from '../attributes.ts';
import { rootAccessor } from '../filter/accessor.ts';
import type { Filter } from '../filter/ast.ts';
import { parseAttrPath, parseFilter, type ParseLimits } from '../filter/parser.ts';
import { parsePaging, type Paging } from '../paging.ts';
import { SEARCH_REQUEST_SCHEMA } from '../schema/userSchema.ts';
import { employeeNumberKey } from '../accountIndex.ts';
import type { QuerySpec } from './execute.ts';

export interface QueryInput {
  filter?: string;
  sortBy?: string;
  sortOrder?: string;
  startIndex?: unknown;
  count?: unknown;
  attributes?: string | string[];
  excludedAttributes?: string | string[];
  userName?: string;
  employeeNumber?: string;
}

export interface QueryOptions {
  limits: ParseLimits;
  maxResults: number;
  defaultCount: number;
}

const names = z.union([z.string(), z.array(z.string())]);

/** RFC 7644 §3.4.3 SearchRequest; unknown members are ignored. */
export const searchRequestSchema = z.object({
  schemas: z.array(z.string()).optional(),
  filter: z.string().optional(),
  attributes: names.optional(),
  excludedAttributes: names.optional(),
  sortBy: z.string().optional(),
  sortOrder: z.string().optional(),
  startIndex: z.number().int().optional(),
  count: z.number().int().optional(),
});

/** Validates a .search body. Throws 400 invalidSyntax naming the first bad member. */
export function searchBodyToInput(body: unknown): QueryInput {
  const parsed = searchRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidSyntax(`Invalid SearchRequest${issue?.path.length ? ` member '${issue.path.join('.')}'` : ''}: ${issue?.message ?? 'bad body'}`);
  }
  const s = parsed.data;
  if (s.schemas && !s.schemas.includes(SEARCH_REQUEST_SCHEMA)) throw invalidSyntax(`schemas must contain ${SEARCH_REQUEST_SCHEMA}`);
  return { ...s };
}

/** Reads single-valued query parameters; a repeated parameter is a 400 invalidValue. */
export function queryToInput(query: Record<string, string | string[] | undefined>): QueryInput {
  const one = (name: string): string | undefined => {
    const v = query[name];
    if (Array.isArray(v)) throw invalidValue(`Give '${name}' once`);
    return v;
  };
  return {
    filter: one('filter'), sortBy: one('sortBy'), sortOrder: one('sortOrder'), startIndex: one('startIndex'), count: one('count'),
    attributes: one('attributes'), excludedAttributes: one('excludedAttributes'), userName: one('userName'), employeeNumber: one('employeeNumber'),
  };
}

function shortcutFilters(input: QueryInput): Filter[] {
  const out: Filter[] = [];
  if (input.userName !== undefined) {
    out.push({ kind: 'compare', path: { uri: undefined, attr: 'userName', sub: undefined }, op: 'eq', value: input.userName.trim() });
  }
  if (input.employeeNumber !== undefined) {
    const value = employeeNumberKey(input.employeeNumber);
    out.push({ kind: 'compare', path: { uri: 'no:edu:scim:user', attr: 'employeeNumber', sub: undefined }, op: 'eq', value });
  }
  return out;
}

/** Throws ScimError 400 (invalidFilter / invalidValue) for bad parameters. */
export function buildQuery(input: QueryInput, opts: QueryOptions): { spec: QuerySpec; paging: Paging; projection: Projection | undefined } {
  const parts: Filter[] = [];
  if (input.filter !== undefined) parts.push(parseFilter(input.filter, opts.limits));
  parts.push(...shortcutFilters(input));
  const filter: Filter | undefined = parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { kind: 'and', items: parts };

  let sort: QuerySpec['sort'];
  if (input.sortBy !== undefined) {
    let path;
    try {
      path = parseAttrPath(input.sortBy.trim());
    } catch {
      throw invalidValue(`sortBy '${input.sortBy}' is not an attribute name`);
    }
    const order = (input.sortOrder ?? 'ascending').toLowerCase();
    if (order !== 'ascending' && order !== 'descending') throw invalidValue("sortOrder must be 'ascending' or 'descending'");
    const accessor = rootAccessor(path);
    if (accessor) sort = { accessor, descending: order === 'descending' };
  }
  const paging = parsePaging(input.startIndex, input.count, { defaultCount: opts.defaultCount, maxResults: opts.maxResults });
  const projection = parseProjection(input.attributes, input.excludedAttributes);
  return { spec: { filter, sort, startIndex: paging.startIndex, count: paging.count }, paging, projection };
}
