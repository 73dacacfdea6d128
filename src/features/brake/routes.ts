/**
 * Admin API routes of the mass-change brake (mounted under `/admin`, admin tokens only):
 *   GET  /admin/brake                    the settings, held groups and groups still collecting
 *   GET  /admin/brake/:group             one group with its members
 *   POST /admin/brake/:group/release     apply the held blocks (the rules re-check each person)
 *   POST /admin/brake/:group/discard     drop them; the same inputs are not proposed again
 * Any instance answers from its replica of the brake store. A release or discard answers once the
 * brake has taken it (the group left the replica), or 202 if that took longer than `waitMs`.
 * The work is in brakeService.ts, which the operator console calls too.
 */
import type { AdminRoutes } from '../adminApi/index.ts';
import { brakeService, type BrakeRouteDeps, type BrakeService } from './brakeService.ts';

export type { BrakeActionResult, BrakeList, BrakeRouteDeps } from './brakeService.ts';

export function brakeRoutes(deps: BrakeRouteDeps, service: BrakeService = brakeService(deps)): AdminRoutes {
  return (router) => {
    router.get('/brake', async (ctx) => { ctx.body = await service.list(); });
    router.get('/brake/:group', async (ctx) => { ctx.body = await service.group(ctx.params.group); });
    const act = (type: 'release' | 'discard') => async (ctx: { params: Record<string, string | undefined>; state: { client?: string }; status: number; body: unknown }) => {
      const result = await service.act(ctx.params.group, type, `admin client ${ctx.state.client ?? '?'}`);
      ctx.status = result.applied ? 200 : 202;
      ctx.body = result;
    };
    router.post('/brake/:group/release', act('release'));
    router.post('/brake/:group/discard', act('discard'));
  };
}
