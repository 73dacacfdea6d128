/**
 * Reads and discards a request body the route did not read, before the answer is written.
 *
 * Why: a server that answers and closes the connection while request bytes are still unread makes
 * the kernel reset it (RST), and the client may lose the end of an answer it had already been
 * sent — found by the SCIM fuzz: a GET /Users with a 270 KB body got a cut-off ListResponse. The
 * same holds for a POST refused with 413 by its declared length. Past `maxBytes` the client is
 * sending far more than any route accepts: reading stops and the connection is closed after the
 * answer (the request timeout bounds a slow sender either way).
 */
import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';

/** Default cap on the bytes read and discarded per request: 1 MiB. */
export const DEFAULT_DISCARD_LIMIT = 1024 * 1024;

/** Outermost middleware: runs after the route (and the error mapping) and before Koa writes the answer. */
export function discardUnreadBody(maxBytes = DEFAULT_DISCARD_LIMIT): Middleware {
  return async (ctx, next) => {
    await next();
    if (!(await drain(ctx.req, maxBytes))) ctx.set('Connection', 'close');
  };
}

/** True when the body was read to its end (or the request is gone); false when it passed `maxBytes`. */
export function drain(req: IncomingMessage, maxBytes: number): Promise<boolean> {
  if (req.readableEnded || req.destroyed) return Promise.resolve(true);
  return new Promise((resolve) => {
    let seen = 0;
    const done = (whole: boolean) => {
      req.off('data', count).off('end', ended).off('close', ended).off('error', ended);
      if (!whole) req.pause();
      resolve(whole);
    };
    const count = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) done(false);
    };
    const ended = () => done(true);
    req.on('data', count).once('end', ended).once('close', ended).once('error', ended);
    req.resume();
  });
}
