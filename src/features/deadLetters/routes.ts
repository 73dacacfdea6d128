/**
 * Admin API routes of the dead letters (mounted under `/admin`, admin tokens only):
 *   GET  /admin/dead-letters[?limit=N]                       the newest N (default 50, at most 500)
 *   POST /admin/dead-letters/:partition/:offset/redrive      publish its original bytes again
 * The operator console calls the same service (deadLetters.ts).
 */
import { z } from 'zod';
import { badRequest, type AdminRoutes } from '../adminApi/index.ts';
import type { DeadLetterService } from './deadLetters.ts';

export const listQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

export function deadLetterRoutes(service: DeadLetterService): AdminRoutes {
  return (router) => {
    router.get('/dead-letters', async (ctx) => {
      const q = listQuery.safeParse(ctx.query);
      if (!q.success) throw badRequest(q.error.issues);
      ctx.body = { deadLetters: await service.list(q.data.limit) };
    });
    router.post('/dead-letters/:partition/:offset/redrive', async (ctx) => {
      ctx.body = await service.redrive(ctx.params.partition, ctx.params.offset);
    });
  };
}
