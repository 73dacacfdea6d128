/**
 * Typed errors of the SCIM edge and their RFC 7644 §3.12 wire form.
 * One error middleware (`app.ts`) turns every thrown error into the Error body built here;
 * handlers throw `ScimError`, never write error bodies themselves.
 */

/** Echoes client input in an error detail, cut to 64 characters. */
export function echo(value: string): string {
  return value.length > 64 ? `${value.slice(0, 61)}...` : value;
}

/** RFC 7644 §3.12 Table 9 detail error keywords. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive';

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/**
 * An error with an HTTP status that is safe to show to the client (`expose`).
 * `retriable` tells a caller whether repeating the same request may succeed (429, 503).
 */
export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly expose = true;
  readonly retriable: boolean;
  /** Extra response headers (WWW-Authenticate, Retry-After). */
  readonly headers: Record<string, string>;

  constructor(status: number, detail: string, opts: { scimType?: ScimType; headers?: Record<string, string>; retriable?: boolean } = {}) {
    super(detail);
    this.name = 'ScimError';
    this.status = status;
    this.scimType = opts.scimType;
    this.headers = opts.headers ?? {};
    this.retriable = opts.retriable ?? (status === 429 || status === 503);
  }
}

/** 400 invalidFilter: bad filter syntax or an unsupported attribute/operator combination. */
export function invalidFilter(detail: string): ScimError {
  return new ScimError(400, detail, { scimType: 'invalidFilter' });
}

/** 400 invalidValue: a query parameter or body field with a value we cannot use. */
export function invalidValue(detail: string): ScimError {
  return new ScimError(400, detail, { scimType: 'invalidValue' });
}

/** 400 invalidSyntax: a request body that is not the JSON we expect. */
export function invalidSyntax(detail: string): ScimError {
  return new ScimError(400, detail, { scimType: 'invalidSyntax' });
}

export function notFound(detail = 'Resource not found'): ScimError {
  return new ScimError(404, detail);
}

export function notImplemented(detail = 'Operation not supported by this read-only service provider'): ScimError {
  return new ScimError(501, detail);
}

/** The RFC 7644 §3.12 JSON body; `status` is a string as the RFC requires. */
export interface ScimErrorBody {
  schemas: [typeof ERROR_SCHEMA];
  status: string;
  scimType?: ScimType;
  detail?: string;
}

export function errorBody(status: number, detail: string | undefined, scimType?: ScimType): ScimErrorBody {
  const body: ScimErrorBody = { schemas: [ERROR_SCHEMA], status: String(status) };
  if (scimType) body.scimType = scimType;
  if (detail) body.detail = detail;
  return body;
}
