/**
 * Admin API routes of the change drivers (under `/admin`, admin tokens only):
 *   GET  /admin/drivers                      per driver: its group's lag, tag counts, parked and waiting changes, this instance's counters
 *   POST /admin/drivers/:name/retry[?change=<id>]  re-drive the parked (failed) changes, or one change: NDJSON progress
 *   POST /admin/drivers/:name/resync         push every account again (destination restored from an old backup): NDJSON progress
 *   POST /admin/drivers/:name/drift[?dryRun=1]  compare the destination with the account state and repair the drift: NDJSON progress, then the report
 */
import { z } from 'zod';
import type { Destination } from '../../../connectors/drivers/destination.ts';
import type { DriverStats } from '../../../connectors/drivers/framework/driver.ts';
import type { StatusWriter } from '../../../connectors/drivers/framework/statusWriter.ts';
import type { Logger } from '../../common/log.ts';
import type { EduPersonAffiliation } from '../../iga/destinationAffiliations.ts';
import type { Account } from '../../iga/model.ts';
import type { PartitionLag } from '../../runtime/index.ts';
import { AdminError, badRequest, streamNdjson, type AdminRoutes } from '../adminApi/index.ts';
import type { ChangesIndex } from '../changes/replicas.ts';
import { groupProgress, type GroupProgress } from '../status/status.ts';
import { driftCheckRunning, runDriftCheck } from './driftRun.ts';
import { retryParked, resync, type RedriveDeps } from './redrive.ts';
import { summarizeTags } from './tagSummary.ts';

export interface DriverHandle { name: string; group: string; destination: Destination; stats(): DriverStats }

export interface DriverRouteDeps {
  drivers: DriverHandle[];
  tags: StatusWriter;
  index: ChangesIndex;
  accounts: RedriveDeps['accounts'] & { isReady(): boolean };
  affiliations: readonly EduPersonAffiliation[];
  notifyTopic: string;
  groupLag(groupId: string, topics: string[]): Promise<PartitionLag[]>;
  clock: () => number;
  log: Logger;
}

export interface DriverReport {
  name: string;
  group: string;
  progress: GroupProgress;
  tags: { complete: number; failed: number; retrying: number; parked: number };
  parked: Array<{ changeId: string; accountId: string; version: number; error: string | null; at: string; messageId: string | null; attempts: number }>;
  waiting: Array<{ changeId: string; error: string | null; attempts: number; nextAttemptAt: string | null }>;
  instance: DriverStats;
}

const flag = z.union([z.enum(['1', '0', 'true', 'false', 'yes', 'no']).transform((v) => ['1', 'true', 'yes'].includes(v)), z.literal('').transform(() => true)]);
const driftQuery = z.object({ dryRun: flag.optional() });
const retryQuery = z.object({ change: z.string().regex(/^[^|\s]+:v[1-9]\d*$/, 'a change id <accountId>:v<version>').optional() });

export function driverRoutes(deps: DriverRouteDeps): AdminRoutes {
  const requireReady = () => {
    if (deps.index.isReady() && deps.accounts.isReady()) return;
    throw new AdminError(503, `the change tags or the account replica are still catching up (${deps.index.lag()} records to go); try again shortly`, { headers: { 'Retry-After': '5' } });
  };
  const driverOf = (name: string): DriverHandle => {
    const d = deps.drivers.find((x) => x.name === name);
    if (!d) throw new AdminError(404, `no driver '${name}' runs here (IGA_DRIVERS: ${deps.drivers.map((x) => x.name).join(', ') || 'none'})`);
    return d;
  };
  const summary = async () => {
    const all = [];
    for await (const t of deps.index.allTags()) all.push(t);
    return summarizeTags(all);
  };
  const redriveDeps = (d: DriverHandle): RedriveDeps => ({ destination: d.destination, tags: deps.tags, index: deps.index, accounts: deps.accounts, affiliations: deps.affiliations, clock: deps.clock });
  return (router) => {
    router.get('/drivers', async (ctx) => {
      requireReady();
      const sums = await summary();
      const reports: DriverReport[] = [];
      for (const d of deps.drivers) {
        const s = sums.get(d.name);
        reports.push({
          name: d.name, group: d.group, progress: groupProgress(d.group, await deps.groupLag(d.group, [deps.notifyTopic])),
          tags: { complete: s?.complete ?? 0, failed: s?.failed ?? 0, retrying: s?.retrying ?? 0, parked: s?.parked.length ?? 0 },
          parked: (s?.parked ?? []).map((t) => ({ changeId: t.changeId, accountId: t.accountId, version: t.version, error: t.error ?? null, at: t.at, messageId: t.messageId, attempts: t.attempts })),
          waiting: (s?.waiting ?? []).map((t) => ({ changeId: t.changeId, error: t.error ?? null, attempts: t.attempts, nextAttemptAt: t.nextAttemptAt ?? null })),
          instance: d.stats(),
        });
      }
      ctx.body = { drivers: reports };
    });
    router.post('/drivers/:name/retry', async (ctx) => {
      const d = driverOf(ctx.params.name!);
      const body = retryQuery.safeParse(ctx.query);
      if (!body.success) throw badRequest(body.error.issues);
      requireReady();
      const parked = (await summary()).get(d.name)?.parked ?? [];
      let todo = parked;
      if (body.data.change) {
        todo = parked.filter((t) => t.changeId === body.data.change);
        if (todo.length === 0) {
          const own = (await deps.index.tags(body.data.change)).find((t) => t.destination === d.name);
          if (!own) throw new AdminError(404, `change ${body.data.change} has no tag at ${d.name}`);
          todo = [own];
        }
      }
      streamNdjson(ctx, async (send) => {
        const r = await retryParked(redriveDeps(d), todo, (done, total, changeId) => send({ type: 'progress', phase: 'retry', done, total, changeId }));
        return { driver: d.name, action: 'retry', ...r };
      });
    });
    router.post('/drivers/:name/drift', async (ctx) => {
      const d = driverOf(ctx.params.name!);
      const q = driftQuery.safeParse(ctx.query);
      if (!q.success) throw badRequest(q.error.issues);
      requireReady();
      const busy = driftCheckRunning(d.name);
      if (busy) throw new AdminError(409, `drift check ${busy} of ${d.name} is in progress on this instance; wait for it`, { retriable: true });
      // How far behind the driver is: drift of changes still on their way is no fault of the destination.
      const driverProgress = groupProgress(d.group, await deps.groupLag(d.group, [deps.notifyTopic]));
      streamNdjson(ctx, async (send) => {
        const report = await runDriftCheck({ ...redriveDeps(d), log: deps.log }, { dryRun: q.data.dryRun ?? false, onProgress: (p) => send({ ...p }) });
        return { report, driverProgress };
      });
    });
    router.post('/drivers/:name/resync', async (ctx) => {
      const d = driverOf(ctx.params.name!);
      requireReady();
      streamNdjson(ctx, async (send) => {
        const r = await resync(redriveDeps(d), (done, total) => send({ type: 'progress', phase: 'resync', done, total }));
        return { driver: d.name, action: 'resync', ...r };
      });
    });
  };
}
