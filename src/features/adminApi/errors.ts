/**
 * The admin API's one error type. Handlers throw `AdminError`; the error middleware
 * (`adminErrors`, used by the operations port and the publisher's change view) writes
 * `{ "error": message, "status": n }`. Anything else becomes a bare 500 (logged, never shown).
 */
import type { Middleware } from 'koa';
import type { Logger } from '../../common/log.ts';

export class AdminError extends Error {
  readonly status: number;
  readonly expose = true;
  /** True when repeating the same request later may succeed (503, 409 while busy). */
  readonly retriable: boolean;
  readonly headers: Record<string, string>;

  constructor(status: number, message: string, opts: { retriable?: boolean; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'AdminError';
    this.status = status;
    this.retriable = opts.retriable ?? (status === 503 || status === 429);
    this.headers = opts.headers ?? {};
  }
}

/** 400 naming every bad field of a zod parse of query or body. */
export function badRequest(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): AdminError {
  return new AdminError(400, issues.map((i) => `${i.path.map(String).join('.') || 'request'}: ${i.message}`).join('; '));
}

/**
 * Maps a thrown AdminError to its status, headers and `{ error, status }` body, and an unmatched
 * path to 404; anything else is logged as `<what> request failed` and answered as a bare 500.
 */
export function adminErrors(log: Logger, what: string): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AdminError(404, `No endpoint ${ctx.method} ${ctx.path.slice(0, 80)}`);
    } catch (err) {
      const known = err instanceof AdminError;
      if (!known) log.error({ err, path: ctx.path, method: ctx.method }, `${what} request failed`);
      if (known) for (const [k, v] of Object.entries(err.headers)) ctx.set(k, v);
      ctx.status = known ? err.status : 500;
      ctx.body = { error: known ? err.message : 'Internal error', status: ctx.status };
    }
  };
}
