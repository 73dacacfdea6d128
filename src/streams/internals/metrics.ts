/** Prometheus metrics of the stream runtime (default prom-client registry). */
import { counter, gauge, histogram } from '../../metrics.ts';

export const streamsMetrics = {
  processed: counter('iga_streams_records_processed_total', 'Input records processed', ['app', 'subtopology']),
  deadLettered: counter('iga_streams_records_dead_lettered_total', 'Records sent to the dead-letter topic', ['app']),
  commits: counter('iga_streams_commits_total', 'Task transactions committed', ['app']),
  commitFailures: counter('iga_streams_commit_failures_total', 'Task transactions that failed', ['app']),
  commitSeconds: histogram('iga_streams_commit_seconds', 'Time to commit one task transaction', [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]),
  tasks: gauge('iga_streams_active_tasks', 'Tasks assigned to this instance', ['app']),
  restoreRemaining: gauge('iga_streams_restore_remaining_records', 'Changelog records left to restore', ['app', 'task', 'store']),
  restored: counter('iga_streams_restored_records_total', 'Changelog records restored', ['app', 'store']),
};
