/**
 * startIndex/count (RFC 7644 §3.4.2.4) and the ListResponse envelope. startIndex is 1-based and
 * values below 1 mean 1; a negative count means 0; count=0 returns only totalResults; count is
 * capped at maxResults (the profile's filter.maxResults), so `tooMany` is never needed.
 */
import { invalidValue } from './errors.ts';
import { LIST_RESPONSE_SCHEMA } from './schema/userSchema.ts';

export interface Paging {
  startIndex: number;
  count: number;
}

function toInt(name: string, v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*[+-]?\d{1,15}\s*$/.test(v)) return Number.parseInt(v, 10);
  throw invalidValue(`${name} must be an integer`);
}

/** Clamps the raw parameters. Throws 400 invalidValue for non-integers. */
export function parsePaging(startIndex: unknown, count: unknown, opts: { defaultCount: number; maxResults: number }): Paging {
  const s = toInt('startIndex', startIndex) ?? 1;
  const c = toInt('count', count) ?? opts.defaultCount;
  return { startIndex: Math.max(1, s), count: Math.min(Math.max(0, c), opts.maxResults) };
}

export interface ListResponse<T> {
  schemas: [typeof LIST_RESPONSE_SCHEMA];
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources?: T[];
}

/** The envelope; `Resources` is left out when count=0 (only totalResults is wanted). */
export function listResponse<T>(totalResults: number, resources: T[], paging: Paging): ListResponse<T> {
  const body: ListResponse<T> = {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    startIndex: paging.startIndex,
    itemsPerPage: resources.length,
  };
  if (paging.count > 0) body.Resources = resources;
  return body;
}

/**
 * The same envelope as `listResponse`, built around resources that are already JSON text
 * (cached renderings), so a page costs string joins rather than re-serialising every User.
 */
export function listResponseJson(totalResults: number, resourceJson: string[], paging: Paging): string {
  const head = JSON.stringify({ schemas: [LIST_RESPONSE_SCHEMA], totalResults, startIndex: paging.startIndex, itemsPerPage: resourceJson.length });
  if (paging.count === 0) return head;
  return `${head.slice(0, -1)},"Resources":[${resourceJson.join(',')}]}`;
}
