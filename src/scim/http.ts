/**
 * Small HTTP helpers shared by the SCIM routes: writing SCIM JSON, weak ETag matching and
 * reading a bounded JSON request body.
 */
import type { Context } from 'koa';
import { checkJsonLimits } from '../common/jsonLimits.ts';
import { ScimError, invalidSyntax } from './errors.ts';

export const SCIM_JSON = 'application/scim+json; charset=utf-8';
export const PLAIN_JSON = 'application/json; charset=utf-8';

/**
 * Writes `body` as JSON with the negotiated media type (application/scim+json unless the client
 * asked for application/json only; see `negotiate` in app.ts).
 */
export function sendJson(ctx: Context, status: number, body: unknown): void {
  sendJsonText(ctx, status, JSON.stringify(body));
}

/** Like `sendJson` for a body that is already JSON text. */
export function sendJsonText(ctx: Context, status: number, json: string): void {
  ctx.status = status;
  ctx.set('Content-Type', ctx.state.mediaType === 'json' ? PLAIN_JSON : SCIM_JSON);
  ctx.body = json;
}

/** True when an If-None-Match header matches `etag` by the weak comparison (RFC 9110 §13.1.2). */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  const want = opaque(etag);
  return header.split(',').some((t) => t.trim() === '*' || opaque(t) === want);
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json$/i;

/**
 * Reads and parses a JSON body of at most `limit` bytes, whose shape is checked before parsing (a
 * SearchRequest is a handful of members: nesting, string and array sizes are bounded).
 * Throws 413 when larger, 415 for a non-JSON content type, 400 invalidSyntax for bad JSON or a
 * body past the shape limits, 400 when the client closed the connection before the body was complete.
 */
export async function readJsonBody(ctx: Context, limit: number): Promise<unknown> {
  const type = ctx.get('Content-Type').split(';')[0]?.trim() ?? '';
  if (type && !JSON_TYPE.test(type)) throw new ScimError(415, 'Send the request body as application/scim+json');
  const declared = Number(ctx.get('Content-Length') || 0);
  if (declared > limit) throw new ScimError(413, `Request body larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw new ScimError(413, `Request body larger than ${limit} bytes`);
      chunks.push(chunk);
    }
  } catch (err) {
    // A client that hangs up before its body is complete: its fault, not a failure of ours (no 500, no error log).
    if ((err as { code?: unknown }).code === 'ECONNRESET') throw new ScimError(400, 'The request body ended early: the client closed the connection');
    throw err;
  }
  const body = Buffer.concat(chunks);
  const text = body.toString('utf8');
  if (!text.trim()) throw invalidSyntax('The request body is empty');
  const checked = checkJsonLimits(body, { maxBytes: limit, maxDepth: 16, maxStringBytes: 16 * 1024, maxArrayItems: 1000, maxObjectKeys: 100 });
  if (!checked.ok) throw invalidSyntax(`The request body is refused: ${checked.reason}`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidSyntax('The request body is not valid JSON');
  }
}
