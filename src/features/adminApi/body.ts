/**
 * An admin request's JSON body, read with the limits an operator's request needs (a few options at
 * most), checked before it is parsed.
 */
import type { Context } from 'koa';
import { checkJsonLimits, type JsonLimits } from '../../common/jsonLimits.ts';
import { AdminError } from './errors.ts';

/** Limits of an admin request body (a few options at most), checked before it is parsed. */
const ADMIN_BODY_LIMITS: JsonLimits = { maxBytes: 64 * 1024, maxDepth: 16, maxStringBytes: 8 * 1024, maxArrayItems: 1000, maxObjectKeys: 100 };

/** The JSON body (empty → {}); 400 when it is not JSON or breaks the limits, 413 when it is too large. */
export async function readJsonBody(ctx: Context): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > ADMIN_BODY_LIMITS.maxBytes) throw new AdminError(413, `request body larger than ${ADMIN_BODY_LIMITS.maxBytes} bytes`);
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  if (body.toString('utf8').trim() === '') return {};
  const checked = checkJsonLimits(body, ADMIN_BODY_LIMITS);
  if (!checked.ok) throw new AdminError(400, `request body refused: ${checked.reason}`);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new AdminError(400, 'request body is not valid JSON');
  }
}
