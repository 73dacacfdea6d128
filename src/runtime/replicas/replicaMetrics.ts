/** Prometheus metrics of the read-only topic replicas (default prom-client registry). */
import { counter, gauge } from '../../common/metrics.ts';

export const replicaMetrics = {
  lag: gauge('iga_streams_replica_lag_records', 'Records of the followed topic partition not yet in the local replica', ['replica', 'partition']),
  applied: counter('iga_streams_replica_records_total', 'Records read into the local replica', ['replica']),
  ready: gauge('iga_streams_replica_ready', '1 once the replica caught up with the end offsets seen at start', ['replica']),
  resets: counter('iga_streams_replica_resets_total', 'Times the local replica was discarded and read again from the start', ['replica']),
};
