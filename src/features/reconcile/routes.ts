/**
 * Admin API of reconciliation (admin tokens only):
 *   POST /admin/reconcile[?dryRun=1]   run now; NDJSON progress lines, then `{"type":"done","report":…}`.
 *                                      409 while a run is in progress on this instance.
 *   GET  /admin/reconcile/last         the latest run on this instance (full report), the latest run in the
 *                                      deployment (its summary on the audit topic), the one in progress, the schedule.
 */
import { z } from 'zod';
import { AdminError, badRequest, streamNdjson, type AdminRoutes } from '../adminApi/index.ts';
import type { RunAuditRecord } from './records.ts';
import type { Reconciler } from './run.ts';
import type { ReconcileScheduler } from './scheduler.ts';
import { describeSchedule, type ReconcileSchedule } from './schedule.ts';

const flag = z.union([z.enum(['1', '0', 'true', 'false', 'yes', 'no']).transform((v) => ['1', 'true', 'yes'].includes(v)), z.literal('').transform(() => true)]);
const runRequest = z.object({ dryRun: flag.optional() });

export interface ReconcileRouteDeps {
  reconciler: Reconciler;
  schedule: ReconcileSchedule;
  scheduler: ReconcileScheduler | null;
  /** True when this instance runs the scheduled reconciliations now (it owns task 0_0). */
  isScheduleOwner: () => boolean;
  /** The summary of the run that ended last on any instance (null when none, or not known here). */
  latestRun?: () => Promise<RunAuditRecord | null>;
}

export function reconcileRoutes(deps: ReconcileRouteDeps): AdminRoutes {
  return (router) => {
    router.post('/reconcile', async (ctx) => {
      const q = runRequest.safeParse(ctx.query);
      if (!q.success) throw badRequest(q.error.issues);
      const running = deps.reconciler.running();
      if (running) throw new AdminError(409, `reconciliation run ${running} is in progress on this instance; see GET /admin/reconcile/last`, { retriable: true });
      streamNdjson(ctx, async (send) => {
        const report = await deps.reconciler.run({ dryRun: q.data.dryRun ?? false, trigger: 'admin', onProgress: (p) => send({ ...p }) });
        return { report };
      });
    });
    router.get('/reconcile/last', async (ctx) => {
      const next = deps.scheduler?.nextRunAt() ?? null;
      ctx.body = {
        running: deps.reconciler.running(),
        last: deps.reconciler.last(),
        lastInDeployment: (await deps.latestRun?.()) ?? null,
        schedule: describeSchedule(deps.schedule),
        nextScheduledRun: next === null ? null : new Date(next).toISOString(),
        scheduledRunsHere: deps.isScheduleOwner(),
      };
    });
  };
}
