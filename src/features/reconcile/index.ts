/**
 * Reconciliation against DFØ's collection endpoints, wired for the service:
 * the store replicas, the Kafka output, the run orchestrator, the schedule and the admin routes.
 */
import type { DfoDatasource } from '../../../connectors/dfo/index.ts';
import type { AdminRoutes } from '../adminApi/index.ts';
import type { Logger } from '../../common/log.ts';
import type { RunAuditRecord } from './records.ts';
import type { ReconcileSchedule } from './schedule.ts';
import { startReconcileOutput } from './producer.ts';
import { reconcileRoutes } from './routes.ts';
import { Reconciler } from './run.ts';
import { SCHEDULE_OWNER_TASK, startReconcileScheduler } from './scheduler.ts';
import { startReconcileStores, type ReplicaProgress } from './stores.ts';
import type { ReadOnlyKeyValueStore } from '../../stores/keyValueStore.ts';
import type { PersonState } from '../../topology/contracts/stores.ts';

export { Reconciler, type ReconcileReport, type ReconcileProgress } from './run.ts';
export { DRIFT_KINDS, type Drift, type DriftKind } from './drift.ts';
export type { RunAuditRecord } from './records.ts';

export interface ReconcileService {
  reconciler: Reconciler;
  routes: AdminRoutes;
  close(): Promise<void>;
}

/** What reconciliation needs of the service's configuration. */
export interface ReconcileSettings {
  brokers: string[];
  appId: string;
  stateDir: string;
  schedule: ReconcileSchedule;
  /** How long a run waits for its repairs to show in the stores. */
  waitTimeoutMs: number;
}

export async function startReconcile(opts: {
  settings: ReconcileSettings;
  /** Writes an audit value (the schema registry's wire format when on); default plain JSON. */
  encodeAudit?: (value: unknown) => Buffer;
  dfo: DfoDatasource;
  /** The stream tasks this instance owns now (StreamsApp.taskIds). */
  taskIds: () => string[];
  /** The `persons` store replica the explain API already follows. */
  persons: { view: ReadOnlyKeyValueStore<PersonState>; replica: ReplicaProgress };
  /** The summary of the run that ended last on any instance (the explain replica of the audit topic). */
  latestRun?: () => Promise<RunAuditRecord | null>;
  log: Logger;
}): Promise<ReconcileService> {
  const { settings } = opts;
  const log = opts.log.child({ feature: 'reconcile' });
  const stores = await startReconcileStores({ brokers: settings.brokers, appId: settings.appId, stateDir: settings.stateDir, log, persons: opts.persons });
  let output;
  try {
    output = await startReconcileOutput({ brokers: settings.brokers, appId: settings.appId, log, ...(opts.encodeAudit ? { encodeAudit: opts.encodeAudit } : {}) });
  } catch (err) {
    await stores.close();
    throw err;
  }
  const reconciler = new Reconciler({ dfo: opts.dfo, stores, output, log, waitTimeoutMs: settings.waitTimeoutMs });
  const isOwner = () => opts.taskIds().includes(SCHEDULE_OWNER_TASK);
  const scheduler = settings.schedule.kind === 'off' ? null : startReconcileScheduler({ schedule: settings.schedule, reconciler, isOwner, log });
  return {
    reconciler,
    routes: reconcileRoutes({ reconciler, schedule: settings.schedule, scheduler, isScheduleOwner: isOwner, ...(opts.latestRun ? { latestRun: opts.latestRun } : {}) }),
    async close() {
      scheduler?.stop();
      await output.close().catch(() => undefined);
      await stores.close();
    },
  };
}
