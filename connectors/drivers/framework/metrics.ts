/**
 * Per-driver metrics (label `driver`), get-or-create on the default registry so that every
 * instance exports the names even with no driver configured (the alert rules read them).
 */
import { counter, gauge, histogram } from '../../../src/common/metrics.ts';

export function driverMetrics() {
  return {
    /** outcome: applied (written), unchanged (the destination had it), failed (refused, parked), skipped (no account in the record). */
    changes: counter('iga_driver_changes_total', 'Changes a driver handled, by outcome: applied, unchanged, failed (refused and parked), skipped', ['driver', 'outcome']),
    retries: counter('iga_driver_retries_total', 'Attempts that found the destination down or slow and were retried', ['driver']),
    retrying: gauge('iga_driver_retrying', 'Changes waiting for their destination right now (one per partition at most); > 0 for long: the destination is down', ['driver']),
    lag: gauge('iga_driver_lag_offsets', 'Notify-topic offsets the driver has not handled yet, per partition it reads', ['driver', 'partition']),
    applySeconds: histogram('iga_driver_apply_seconds', 'Time of one apply call at the destination (successful or not)', [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], ['driver']),
  };
}
export type DriverMetrics = ReturnType<typeof driverMetrics>;
