/** Prometheus metrics of reconciliation (prom-client default registry, served on /metrics). */
import { Counter, Gauge, Histogram, register } from 'prom-client';

function singleton<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const reconcileMetrics = {
  runs: singleton('iga_reconcile_runs_total', () => new Counter({
    name: 'iga_reconcile_runs_total',
    help: 'Reconciliation runs by mode (repair, dry-run), trigger (admin, schedule) and outcome (clean, repaired, pending, failed)',
    labelNames: ['mode', 'trigger', 'outcome'],
  })),
  drift: singleton('iga_reconcile_drift', () => new Gauge({
    name: 'iga_reconcile_drift',
    help: 'Drift found by the latest reconciliation run, per kind',
    labelNames: ['kind'],
  })),
  driftFound: singleton('iga_reconcile_drift_found_total', () => new Counter({
    name: 'iga_reconcile_drift_found_total',
    help: 'Drift found by reconciliation runs, per kind (summed over runs)',
    labelNames: ['kind'],
  })),
  repairs: singleton('iga_reconcile_repair_events_total', () => new Counter({
    name: 'iga_reconcile_repair_events_total',
    help: 'Synthetic DFØ events produced onto the raw topic by reconciliation, per kind (ansatte, stillinger)',
    labelNames: ['kind'],
  })),
  pending: singleton('iga_reconcile_pending', () => new Gauge({
    name: 'iga_reconcile_pending',
    help: 'Drifts of the latest run whose repair was not yet visible in the stores when the run ended',
  })),
  duration: singleton('iga_reconcile_duration_seconds', () => new Histogram({
    name: 'iga_reconcile_duration_seconds',
    help: 'Duration of reconciliation runs',
    labelNames: ['mode'],
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
  })),
  lastRun: singleton('iga_reconcile_last_run_timestamp_seconds', () => new Gauge({
    name: 'iga_reconcile_last_run_timestamp_seconds',
    help: 'When the latest reconciliation run ended (Unix time)',
  })),
};
