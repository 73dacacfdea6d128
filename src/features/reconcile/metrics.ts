/** Prometheus metrics of reconciliation (prom-client default registry, served on /metrics). */
import { counter, gauge, histogram } from '../../common/metrics.ts';

export const reconcileMetrics = {
  runs: counter('iga_reconcile_runs_total',
    'Reconciliation runs by mode (repair, dry-run), trigger (admin, schedule) and outcome (clean, repaired, pending, failed)', ['mode', 'trigger', 'outcome']),
  drift: gauge('iga_reconcile_drift', 'Drift found by the latest reconciliation run, per kind', ['kind']),
  driftFound: counter('iga_reconcile_drift_found_total', 'Drift found by reconciliation runs, per kind (summed over runs)', ['kind']),
  repairs: counter('iga_reconcile_repair_events_total',
    'Synthetic DFØ events produced onto the raw topic by reconciliation, per kind (ansatte, stillinger)', ['kind']),
  pending: gauge('iga_reconcile_pending', 'Drifts of the latest run whose repair was not yet visible in the stores when the run ended'),
  duration: histogram('iga_reconcile_duration_seconds', 'Duration of reconciliation runs', [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600], ['mode']),
  lastRun: gauge('iga_reconcile_last_run_timestamp_seconds', 'When the latest reconciliation run ended (Unix time)'),
};
