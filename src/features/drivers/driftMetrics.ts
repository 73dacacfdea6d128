/**
 * Prometheus metrics of the drivers' drift checks (label `driver`), get-or-create on the default
 * registry so every instance exports the names (the alert rules read them) before a check runs.
 */
import { counter, gauge } from '../../common/metrics.ts';

export const driftMetrics = {
  drift: gauge('iga_driver_drift', 'Drift found at a destination by the latest drift check, per kind (confirmed by a second read)', ['driver', 'kind']),
  found: counter('iga_driver_drift_found_total', 'Drift found at a destination by drift checks, per kind (summed over checks, dry runs included)', ['driver', 'kind']),
  unresolved: gauge('iga_driver_drift_unresolved', 'Drift the latest drift check left at the destination: all of it after a dry run; after a repair what was refused, still differs, or is reported only (newer, duplicate and unknown entries)', ['driver']),
  checks: counter('iga_driver_drift_checks_total', 'Drift checks by mode (repair, dry-run) and outcome (clean, dry-run, repaired, unresolved, failed)', ['driver', 'mode', 'outcome']),
  repairs: counter('iga_driver_drift_repairs_total', 'Accounts re-driven by drift checks, by outcome (applied, unchanged, failed: refused by the destination)', ['driver', 'outcome']),
};
