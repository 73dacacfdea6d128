/**
 * Fault injection for the simulator's DFØ endpoints. A rule fires for the next `count` requests
 * and/or for a `share` (probability, seeded PRNG) of requests. Checked in this order per request:
 * timeout (hold the socket, never answer), gateway 404 (no DFØ body), 429 (Retry-After), 5xx.
 * `latencyMs` delays every answer, faulty or not. `only` limits the faults to one resource, `ids`
 * to requests for these objects (one employee or position failing while every other one answers).
 */
import { z } from 'zod';
import { requireDfoId } from '../../connectors/dfo/ids.ts';
import type { Rng } from './prng.ts';

const rule = {
  /** The next N matching requests get this fault. */
  count: z.number().int().min(0).optional(),
  /** Probability per request once `count` is used up. */
  share: z.number().min(0).max(1).optional(),
};

export const faultsSchema = z.object({
  latencyMs: z.number().int().min(0).optional(),
  only: z.enum(['ansatte', 'stillinger']).optional(),
  /** Object ids (normalised: `00100001` is `100001`); requests for other ids and collections get no fault. */
  ids: z.array(z.string().regex(/^\d+$/).transform((id) => requireDfoId(id))).optional(),
  timeout: z.object(rule).optional(),
  gateway404: z.object(rule).optional(),
  rateLimit: z.object({ ...rule, retryAfterSeconds: z.number().int().min(0).optional() }).optional(),
  serverError: z.object({ ...rule, status: z.number().int().min(500).max(599).optional() }).optional(),
});
export type Faults = z.infer<typeof faultsSchema>;

/** What to do with one request. */
export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'timeout' }
  | { kind: 'gateway404' }
  | { kind: 'rateLimit'; retryAfterSeconds: number }
  | { kind: 'serverError'; status: number };

/** Holds the current fault settings and consumes their counts. */
export class FaultInjector {
  #faults: Faults = {};
  readonly #rng: Rng;

  constructor(rng: Rng) {
    this.#rng = rng;
  }

  /** Replaces every fault setting; `{}` clears them. Throws a ZodError on bad input. */
  set(faults: Faults): void {
    this.#faults = structuredClone(faultsSchema.parse(faults));
  }

  get latencyMs(): number {
    return this.#faults.latencyMs ?? 0;
  }

  /** Decides (and counts down) the fault for one request to `resource` (`id`: normalised; none for a collection). */
  decide(resource: 'ansatte' | 'stillinger', id?: string): FaultDecision {
    const f = this.#faults;
    if (f.only !== undefined && f.only !== resource) return { kind: 'none' };
    if (f.ids !== undefined && (id === undefined || !f.ids.includes(id))) return { kind: 'none' };
    if (this.#fires(f.timeout)) return { kind: 'timeout' };
    if (this.#fires(f.gateway404)) return { kind: 'gateway404' };
    if (this.#fires(f.rateLimit)) return { kind: 'rateLimit', retryAfterSeconds: f.rateLimit?.retryAfterSeconds ?? 1 };
    if (this.#fires(f.serverError)) return { kind: 'serverError', status: f.serverError?.status ?? 503 };
    return { kind: 'none' };
  }

  #fires(r: { count?: number | undefined; share?: number | undefined } | undefined): boolean {
    if (!r) return false;
    if (r.count !== undefined && r.count > 0) {
      r.count -= 1;
      return true;
    }
    return r.share !== undefined && this.#rng.chance(r.share);
  }
}
