/**
 * The admin API's one error type. Handlers throw `AdminError`; the error middleware (server.ts)
 * writes `{ "error": message, "status": n }`. Anything else becomes a bare 500 (logged, never shown).
 */
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
