/** Prometheus metrics of rebuild and reprocess (prom-client default registry, served on /metrics). */
import { Counter, Histogram, register } from 'prom-client';

function singleton<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const replayMetrics = {
  operations: singleton('iga_replay_operations_total', () => new Counter({
    name: 'iga_replay_operations_total',
    help: 'Rebuild and reprocess operations on this instance by operation (rebuild, reprocess) and outcome (done, failed)',
    labelNames: ['operation', 'outcome'],
  })),
  records: singleton('iga_replay_records_total', () => new Counter({
    name: 'iga_replay_records_total',
    help: 'Store records restored by rebuild, raw events copied to the replay topic by reprocess',
    labelNames: ['operation'],
  })),
  duration: singleton('iga_replay_duration_seconds', () => new Histogram({
    name: 'iga_replay_duration_seconds',
    help: 'Duration of rebuild and reprocess operations',
    labelNames: ['operation'],
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
  })),
};
