/**
 * Admin API routes for operators (mounted under `/admin`, admin tokens only):
 *   GET /admin/explain/:who[?at=YYYY-MM-DD&history=N]   why a person has (or lacks) an account
 *   GET /admin/upcoming[?days=N]                        creates, blocks and reactivations ahead
 *   GET /admin/policy                                   the policy in force and its version
 * Any instance answers from its local replicas; while they catch up the answer is 503 + Retry-After.
 * The work is in explainService.ts, which the operator console calls too.
 */
import type { AdminRoutes } from '../adminApi/index.ts';
import { explainService, type ExplainRouteDeps, type ExplainService } from './explainService.ts';

export { MAX_UPCOMING_DAYS, type ExplainRouteDeps } from './explainService.ts';

export function explainRoutes(deps: ExplainRouteDeps, service: ExplainService = explainService(deps)): AdminRoutes {
  return (router) => {
    router.get('/policy', (ctx) => {
      ctx.body = { policy: deps.policy, version: deps.policy.version };
    });
    router.get('/explain/:who', async (ctx) => {
      ctx.body = await service.explain(ctx.params.who, ctx.query);
    });
    router.get('/upcoming', async (ctx) => {
      ctx.body = await service.upcoming(ctx.query);
    });
  };
}
