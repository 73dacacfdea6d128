/**
 * Per-client token buckets. Each authenticated client may make `burst` requests at once and
 * `perSecond` on average; beyond that the request gets 429 with Retry-After. Buckets exist only
 * for configured client names, so memory is bounded by the client list.
 */

export interface RateLimitOptions {
  /** Sustained requests per second per client. */
  perSecond: number;
  /** Bucket size: requests allowed in a burst. */
  burst: number;
}

export const defaultRateLimit: RateLimitOptions = { perSecond: 100, burst: 200 };

export class RateLimiter {
  readonly #opts: RateLimitOptions;
  readonly #now: () => number;
  #buckets = new Map<string, { tokens: number; at: number }>();

  /** `now` returns milliseconds; injectable for tests. */
  constructor(opts: RateLimitOptions, now: () => number = () => performance.now()) {
    if (!(opts.perSecond > 0) || !(opts.burst >= 1)) throw new Error('rate limit needs perSecond > 0 and burst >= 1');
    this.#opts = opts;
    this.#now = now;
  }

  /** Takes one token for `client`. Returns 0 when allowed, else the seconds to wait (>= 1). */
  take(client: string): number {
    const now = this.#now();
    const b = this.#buckets.get(client) ?? { tokens: this.#opts.burst, at: now };
    b.tokens = Math.min(this.#opts.burst, b.tokens + ((now - b.at) / 1000) * this.#opts.perSecond);
    b.at = now;
    this.#buckets.set(client, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.#opts.perSecond));
  }
}
