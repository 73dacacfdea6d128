/**
 * Refused sign-ins per client address: after `max` refusals within `windowMs` an address is told
 * to wait (429) until the oldest refusal leaves the window, and those attempts neither check the
 * token nor write an audit record — guessing is slowed, and the audit topic (kept forever) cannot
 * be flooded. A good sign-in is never counted.
 */
export class SignInLimiter {
  readonly #refusals = new Map<string, number[]>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(opts: { max: number; windowMs: number; now?: () => number }) {
    this.#max = opts.max;
    this.#windowMs = opts.windowMs;
    this.#now = opts.now ?? Date.now;
  }

  /** Seconds to wait before `address` may try again, or 0. */
  waitSeconds(address: string): number {
    const recent = this.#recent(address);
    if (recent.length < this.#max) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.#windowMs - this.#now()) / 1000));
  }

  refused(address: string): void {
    const recent = this.#recent(address);
    recent.push(this.#now());
    this.#refusals.set(address, recent);
    // Bound the map: addresses whose refusals all left the window are dropped as others come.
    if (this.#refusals.size > 10_000) for (const a of this.#refusals.keys()) if (this.#recent(a).length === 0) this.#refusals.delete(a);
  }

  #recent(address: string): number[] {
    const since = this.#now() - this.#windowMs;
    return (this.#refusals.get(address) ?? []).filter((t) => t > since);
  }
}
