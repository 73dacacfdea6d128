/**
 * Exponential backoff with full jitter, and an abortable sleep. Used by the ingress and egress
 * retry loops (Kafka produce, AMQP reconnect, publish retries). Whether to retry is not decided
 * here: the one policy is `isRetriable` in src/runtime/api/errors.ts.
 */

export interface BackoffOptions {
  /** First delay in ms (default 100). */
  initialMs?: number;
  /** Upper bound in ms (default 30 000). */
  maxMs?: number;
  /** Growth factor per attempt (default 2). */
  factor?: number;
}

/** Delay before retry number `attempt` (1-based): random in [cap/2, cap], cap = min(max, initial·factor^(attempt-1)). */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}): number {
  const initial = opts.initialMs ?? 100;
  const max = opts.maxMs ?? 30_000;
  const factor = opts.factor ?? 2;
  const cap = Math.min(max, initial * factor ** Math.max(0, attempt - 1));
  // Half fixed, half jitter: spreads reconnect storms without ever retrying immediately.
  return Math.round(cap / 2 + Math.random() * (cap / 2));
}

/** Resolves after `ms`, or early (without error) when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
