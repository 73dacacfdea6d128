/**
 * Admin API of rebuild and reprocess (mounted under `/admin`, admin tokens only):
 *   GET  /admin/stores                 per local task and store: records, SHA-256, changelog offset
 *   POST /admin/rebuild                wipes this instance's local stores and restores them from
 *                                      the changelogs (NDJSON progress, then a summary)
 *   POST /admin/reprocess {"from": t}  copies the raw DFØ events written at or after t into the
 *                                      replay topic, which the topology processes again (NDJSON)
 * One operation at a time per instance: another one meanwhile answers 409.
 */
import type { Context } from 'koa';
import { z } from 'zod';
import { AdminError, badRequest, readJsonBody, streamNdjson, type AdminRoutes, type NdjsonSend } from '../adminApi/index.ts';
import { osloMidnightUtc } from '../../iga/clock.ts';
import type { Logger } from '../../common/log.ts';
import { copyTopicSince, rebuildLocalStores, storeDigests, type StreamsApp } from '../../runtime/index.ts';
import { replayMetrics } from './metrics.ts';
import { newReprocessRunId, REPLAY_HEADERS } from '../../topology/contracts/raw.ts';
import { topicNames } from '../../topology/contracts/topics.ts';

export interface ReplayRouteDeps {
  streams: StreamsApp;
  appId: string;
  brokers: string[];
  instanceId: string;
  log: Logger;
}

/** Epoch ms, an ISO instant, or a bare date (midnight in Europe/Oslo). */
export const fromSchema = z.union([
  z.number().int().min(0),
  z.string().trim().min(1).transform((text, ctx) => {
    const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? osloMidnightUtc(text).getTime() : /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(ms)) { ctx.addIssue({ code: 'custom', message: 'expected epoch ms, an ISO instant or a date YYYY-MM-DD' }); return z.NEVER; }
    return ms;
  }),
]);
const reprocessBody = z.object({ from: fromSchema }).strict();

export function replayRoutes(deps: ReplayRouteDeps): AdminRoutes {
  let running: string | null = null;
  /** Runs `work` as the instance's one operation; 409 while another runs. */
  const exclusive = (ctx: Context, name: string, work: (send: NdjsonSend) => Promise<Record<string, unknown>>) => {
    if (running) throw new AdminError(409, `${running} is running on this instance; wait for it to finish`, { retriable: true });
    if (deps.streams.state !== 'running') throw new AdminError(503, `stream processing is ${deps.streams.state}; try again when it runs`, { headers: { 'Retry-After': '5' } });
    running = name;
    streamNdjson(ctx, async (send) => {
      // A first line at once: the status and headers reach the client before the first progress.
      send({ type: 'started', operation: name, instance: deps.instanceId });
      const end = replayMetrics.duration.startTimer({ operation: name });
      try {
        const result = await work(send);
        replayMetrics.operations.inc({ operation: name, outcome: 'done' });
        return result;
      } catch (err) {
        replayMetrics.operations.inc({ operation: name, outcome: 'failed' });
        deps.log.error({ operation: name, err: String(err) }, 'operation failed');
        throw err;
      } finally {
        end();
        running = null;
      }
    });
  };

  return (router) => {
    router.get('/stores', async (ctx) => {
      const stores = await storeDigests(deps.streams);
      ctx.body = { instance: deps.instanceId, appId: deps.appId, tasks: deps.streams.taskIds(), stores };
    });

    router.post('/rebuild', async (ctx) => {
      await readJsonBody(ctx);
      exclusive(ctx, 'rebuild', async (send) => {
        deps.log.info('rebuild of the local stores started');
        const summary = await rebuildLocalStores(deps.streams, { appId: deps.appId, brokers: deps.brokers, log: deps.log, onEvent: (e) => send({ ...e }) });
        deps.log.info({ tasks: summary.tasks, stores: summary.stores, records: summary.records, ms: summary.ms }, 'rebuild finished');
        replayMetrics.records.inc({ operation: 'rebuild' }, summary.records);
        return { instance: deps.instanceId, ...summary };
      });
    });

    router.post('/reprocess', async (ctx) => {
      const body = reprocessBody.safeParse(await readJsonBody(ctx));
      if (!body.success) throw badRequest(body.error.issues);
      const from = body.data.from;
      exclusive(ctx, 'reprocess', async (send) => {
        const { raw: source, replay: target } = topicNames(deps.appId);
        const run = newReprocessRunId();
        deps.log.info({ run, from: new Date(from).toISOString(), source }, 'reprocess started');
        const summary = await copyTopicSince({
          brokers: deps.brokers, clientId: `${deps.appId}-reprocess`, source, target, since: from, log: deps.log,
          mark: (r) => ({ [REPLAY_HEADERS.topic]: source, [REPLAY_HEADERS.offset]: r.offset, [REPLAY_HEADERS.timestamp]: r.timestamp, [REPLAY_HEADERS.run]: run }),
          onProgress: (p) => send({ type: 'progress', ...p }),
        });
        replayMetrics.records.inc({ operation: 'reprocess' }, summary.copied);
        return { instance: deps.instanceId, run, ...summary, from: new Date(from).toISOString() };
      });
    });
  };
}
