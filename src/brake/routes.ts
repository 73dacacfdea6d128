/**
 * Admin API routes of the mass-change brake (mounted under `/admin`, admin tokens only):
 *   GET  /admin/brake                    the settings, held groups and groups still collecting
 *   GET  /admin/brake/:group             one group with its members
 *   POST /admin/brake/:group/release     apply the held blocks (the rules re-check each person)
 *   POST /admin/brake/:group/discard     drop them; the same inputs are not proposed again
 * Any instance answers from its replica of the brake store. A release or discard answers once the
 * brake has taken it (the group left the replica), or 202 if that took longer than `waitMs`.
 */
import { z } from 'zod';
import { AdminError, badRequest, type AdminRoutes } from '../admin/index.ts';
import type { BrakeLimits } from '../iga/brake.ts';
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

const groupParam = z.string().regex(/^[1-9]\d{0,15}$/, 'a group number, as `iga-stream brake list` shows');

export function brakeRoutes(deps: BrakeRouteDeps): AdminRoutes {
  const requireReady = () => {
    if (deps.brake.isReady()) return;
    throw new AdminError(503, `the brake replica is still catching up (${deps.brake.lag()} records to go); try again shortly`, { headers: { 'Retry-After': '5' } });
  };
  const parseGroup = (raw: string | undefined) => {
    const g = groupParam.safeParse(raw);
    if (!g.success) throw badRequest(g.error.issues.map((i) => ({ ...i, path: ['group'] })));
    return g.data;
  };
  async function act(ctx: { params: Record<string, string | undefined>; state: { client?: string }; status: number; body: unknown }, type: 'release' | 'discard'): Promise<void> {
    const id = parseGroup(ctx.params.group);
    requireReady();
    const g = await deps.brake.group(id);
    if (!g) throw new AdminError(404, `no group ${id} is held by the brake (released or discarded already? see iga-stream brake list)`);
    if (g.status !== 'pending') throw new AdminError(409, `group ${id} is not held: the brake is still collecting it (it decides within ${deps.limits.settleMs} ms)`);
    await deps.brake.send(type, id, `admin client ${ctx.state.client ?? '?'}`);
    const until = Date.now() + (deps.waitMs ?? 15_000);
    let applied = false;
    while (Date.now() < until) {
      if (!(await deps.brake.group(id))) { applied = true; break; }
      await new Promise((r) => setTimeout(r, 100));
    }
    const result: BrakeActionResult = { group: id, action: type === 'release' ? 'released' : 'discarded', blocks: g.size, applied };
    ctx.status = applied ? 200 : 202;
    ctx.body = result;
  }
  return (router) => {
    router.get('/brake', async (ctx) => {
      requireReady();
      const groups = await deps.brake.groups();
      const list: BrakeList = {
        limits: deps.limits,
        activeAccounts: await deps.brake.activeAccounts(),
        approvedInWindow: deps.limits.windowMs > 0 ? await deps.brake.approvedSince(deps.clock() - deps.limits.windowMs) : 0,
        pending: groups.filter((g) => g.status === 'pending'),
        collecting: groups.filter((g) => g.status === 'collecting'),
      };
      ctx.body = list;
    });
    router.get('/brake/:group', async (ctx) => {
      const id = parseGroup(ctx.params.group);
      requireReady();
      const g = await deps.brake.group(id);
      if (!g) throw new AdminError(404, `no group ${id} is held by the brake`);
      ctx.body = g;
    });
    router.post('/brake/:group/release', (ctx) => act(ctx, 'release'));
    router.post('/brake/:group/discard', (ctx) => act(ctx, 'discard'));
  };
}
