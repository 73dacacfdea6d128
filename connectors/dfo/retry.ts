/**
 * Backoff arithmetic for the DFØ client: exponential backoff with full jitter
 * (delay = random(0, min(max, base · 2^(attempt-1)))) and Retry-After parsing (RFC 9110 §10.2.3).
 * Pure functions; the client owns the loop.
 */

/** How hard the client tries before it gives up with SourceUnavailable. */
export interface RetryPolicy {
  /** Total attempts including the first (≥ 1). */
  attempts: number;
  /** Backoff ceiling of the first retry, in ms. */
  baseDelayMs: number;
  /** Cap of any single wait, in ms. A Retry-After above it ends the attempts at once. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 };

/** Full-jitter delay before retry number `retry` (1 = first retry). */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Parses a Retry-After header (delta-seconds or an HTTP-date) into ms from `nowMs`.
 * @returns null when the header is absent or unreadable; never negative.
 */
export function parseRetryAfter(header: string | null, nowMs: number = Date.now()): number | null {
  if (header == null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

/** Statuses worth another try: request timeout, too early, too many requests, any 5xx. */
export function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || (status >= 500 && status <= 599);
}
