/** Prometheus metrics of rebuild and reprocess (prom-client default registry, served on /metrics). */
import { counter, histogram } from '../../common/metrics.ts';

export const replayMetrics = {
  operations: counter('iga_replay_operations_total',
    'Rebuild and reprocess operations on this instance by operation (rebuild, reprocess) and outcome (done, failed)', ['operation', 'outcome']),
  records: counter('iga_replay_records_total', 'Store records restored by rebuild, raw events copied to the replay topic by reprocess', ['operation']),
  duration: histogram('iga_replay_duration_seconds', 'Duration of rebuild and reprocess operations', [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800], ['operation']),
};
