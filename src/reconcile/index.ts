/**
 * Reconciliation against DFØ's collection endpoints (issue 5, part 4), wired for the service:
 * the store replicas, the Kafka output, the run orchestrator, the schedule and the admin routes.
 */
import type { DfoSource } from '../../connectors/dfo/index.ts';
import type { AdminRoutes } from '../admin/index.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { RunAuditRecord } from './records.ts';
import { startReconcileOutput } from './producer.ts';
import { reconcileRoutes } from './routes.ts';
import { Reconciler } from './run.ts';
import { SCHEDULE_OWNER_TASK, startReconcileScheduler } from './scheduler.ts';
import { startReconcileStores, type ReplicaProgress } from './stores.ts';
import type { ReadOnlyKeyValueStore } from '../stores/keyValueStore.ts';
import type { PersonState } from '../topology/processors/personProcessor.ts';

export { Reconciler, type ReconcileReport, type ReconcileProgress } from './run.ts';
export { DRIFT_KINDS, type Drift, type DriftKind } from './drift.ts';
export type { RunAuditRecord } from './records.ts';

export interface ReconcileService {
  reconciler: Reconciler;
  routes: AdminRoutes;
  close(): Promise<void>;
}

export async function startReconcile(opts: {
  config: Config;
  dfo: DfoSource;
  /** The stream tasks this instance owns now (StreamsApp.taskIds). */
  taskIds: () => string[];
  /** The `persons` store replica the explain API already follows. */
  persons: { view: ReadOnlyKeyValueStore<PersonState>; replica: ReplicaProgress };
  /** The summary of the run that ended last on any instance (the explain replica of the audit topic). */
  latestRun?: () => Promise<RunAuditRecord | null>;
  log: Logger;
}): Promise<ReconcileService> {
  const { config } = opts;
  const log = opts.log.child({ feature: 'reconcile' });
  const stores = await startReconcileStores({ brokers: config.kafkaBrokers, appId: config.appId, stateDir: config.stateDir, log, persons: opts.persons });
  let output;
  try {
    output = await startReconcileOutput({ brokers: config.kafkaBrokers, appId: config.appId, log });
  } catch (err) {
    await stores.close();
    throw err;
  }
  const reconciler = new Reconciler({ dfo: opts.dfo, stores, output, log, waitTimeoutMs: config.reconcile.waitTimeoutMs });
  const isOwner = () => opts.taskIds().includes(SCHEDULE_OWNER_TASK);
  const scheduler = config.reconcile.schedule.kind === 'off' ? null : startReconcileScheduler({ schedule: config.reconcile.schedule, reconciler, isOwner, log });
  return {
    reconciler,
    routes: reconcileRoutes({ reconciler, schedule: config.reconcile.schedule, scheduler, isScheduleOwner: isOwner, ...(opts.latestRun ? { latestRun: opts.latestRun } : {}) }),
    async close() {
      scheduler?.stop();
      await output.close().catch(() => undefined);
      await stores.close();
    },
  };
}
