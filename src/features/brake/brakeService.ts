/**
 * The mass-change brake's operator functions, shared by the JSON admin API (routes.ts) and the
 * operator console: list the groups, show one, release or discard a held one. Each validates its
 * input, refuses while the brake replica catches up (503) and throws AdminError with a message an
 * operator can act on (404 for a group that is gone, 409 for one still collecting).
 */
import { z } from 'zod';
import { AdminError, badRequest } from '../adminApi/index.ts';
import type { BrakeLimits } from '../../iga/brake.ts';
import type { BrakeAdmin, BrakeGroupView } from './brakeAdmin.ts';

export interface BrakeRouteDeps {
  brake: BrakeAdmin;
  limits: BrakeLimits;
  clock: () => number;
  /** How long a release/discard waits to see the brake take it (default 15 s). */
  waitMs?: number;
}

export interface BrakeList {
  limits: BrakeLimits;
  activeAccounts: number | null;
  approvedInWindow: number;
  pending: BrakeGroupView[];
  collecting: BrakeGroupView[];
}

export interface BrakeActionResult {
  group: string;
  action: 'released' | 'discarded';
  blocks: number;
  /** True once the brake took it; false (HTTP 202) if it had not yet within the wait. */
  applied: boolean;
}

export interface BrakeService {
  list(): Promise<BrakeList>;
  group(id: unknown): Promise<BrakeGroupView>;
  /** Sends a release or discard of held group `id` on behalf of `by` (the operator) and waits for the brake to take it. */
  act(id: unknown, type: 'release' | 'discard', by: string): Promise<BrakeActionResult>;
}

const groupParam = z.string().regex(/^[1-9]\d{0,15}$/, 'a group number, as `iga-stream brake list` shows');

export function brakeService(deps: BrakeRouteDeps): BrakeService {
  const requireReady = () => {
    if (deps.brake.isReady()) return;
    throw new AdminError(503, `the brake replica is still catching up (${deps.brake.lag()} records to go); try again shortly`, { headers: { 'Retry-After': '5' } });
  };
  const parseGroup = (raw: unknown) => {
    const g = groupParam.safeParse(raw);
    if (!g.success) throw badRequest(g.error.issues.map((i) => ({ ...i, path: ['group'] })));
    return g.data;
  };
  return {
    async list() {
      requireReady();
      const groups = await deps.brake.groups();
      return {
        limits: deps.limits,
        activeAccounts: await deps.brake.activeAccounts(),
        approvedInWindow: deps.limits.windowMs > 0 ? await deps.brake.approvedSince(deps.clock() - deps.limits.windowMs) : 0,
        pending: groups.filter((g) => g.status === 'pending'),
        collecting: groups.filter((g) => g.status === 'collecting'),
      };
    },
    async group(raw) {
      const id = parseGroup(raw);
      requireReady();
      const g = await deps.brake.group(id);
      if (!g) throw new AdminError(404, `no group ${id} is held by the brake`);
      return g;
    },
    async act(raw, type, by) {
      const id = parseGroup(raw);
      requireReady();
      const g = await deps.brake.group(id);
      if (!g) throw new AdminError(404, `no group ${id} is held by the brake (released or discarded already? see iga-stream brake list)`);
      if (g.status !== 'pending') throw new AdminError(409, `group ${id} is not held: the brake is still collecting it (it decides within ${deps.limits.settleMs} ms)`);
      await deps.brake.send(type, id, by);
      const until = Date.now() + (deps.waitMs ?? 15_000);
      let applied = false;
      while (Date.now() < until) {
        if (!(await deps.brake.group(id))) { applied = true; break; }
        await new Promise((r) => setTimeout(r, 100));
      }
      return { group: id, action: type === 'release' ? 'released' : 'discarded', blocks: g.size, applied };
    },
  };
}
