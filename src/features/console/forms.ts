/**
 * Reads an `application/x-www-form-urlencoded` body (the console's forms), at most 16 KiB, into a
 * plain object for a zod schema. Anything else is refused with a clear 4xx.
 */
import type { Context } from 'koa';
import { AdminError } from '../adminApi/index.ts';

const LIMIT = 16 * 1024;

export async function readForm(ctx: Context): Promise<Record<string, string>> {
  const type = ctx.get('Content-Type').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new AdminError(415, 'expected a form (application/x-www-form-urlencoded)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > LIMIT) throw new AdminError(413, `form larger than ${LIMIT} bytes`);
    chunks.push(chunk);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}
