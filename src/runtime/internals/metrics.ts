/** Prometheus metrics of the stream runtime (default prom-client registry). */
import { counter, gauge, histogram } from '../../common/metrics.ts';

export const streamsMetrics = {
  processed: counter('iga_streams_records_processed_total', 'Input records processed', ['app', 'subtopology']),
  deadLettered: counter('iga_streams_records_dead_lettered_total', 'Records sent to the dead-letter topic', ['app']),
  commits: counter('iga_streams_commits_total', 'Task transactions committed', ['app']),
  transactions: counter('iga_streams_transactions_total', 'Kafka transactions committed: one per task commit (exactly_once), one per commit of all tasks of the instance (exactly_once_v2)', ['app']),
  recordsProduced: counter('iga_streams_records_produced_total', 'Records the runtime produced in committed work (sink outputs, changelog records, dead letters), by topic', ['app', 'topic']),
  unchangedWrites: counter('iga_streams_store_unchanged_writes_total', 'Store puts and deletes dropped because they equalled the committed value (no changelog record)', ['app', 'store']),
  commitFailures: counter('iga_streams_commit_failures_total', 'Task transactions that failed', ['app']),
  commitSeconds: histogram('iga_streams_commit_seconds', 'Time to commit one task transaction', [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]),
  tasks: gauge('iga_streams_active_tasks', 'Tasks assigned to this instance', ['app']),
  restoreRemaining: gauge('iga_streams_restore_remaining_records', 'Changelog records left to restore', ['app', 'task', 'store']),
  restored: counter('iga_streams_restored_records_total', 'Changelog records restored', ['app', 'store']),
};

/** Input records this process has processed for `appId`: by sub-topology `subTopology`, or by all. */
export async function recordsProcessed(appId: string, subTopology?: number): Promise<number> {
  const { values } = await streamsMetrics.processed.get();
  return values.filter((v) => v.labels.app === appId && (subTopology === undefined || v.labels.subtopology === String(subTopology))).reduce((n, v) => n + v.value, 0);
}

/** Counts a committed batch's records per topic (one increment per topic, not per record). */
export function countProduced(appId: string, outputs: ReadonlyArray<{ topic: string }>): void {
  const byTopic = new Map<string, number>();
  for (const o of outputs) byTopic.set(o.topic, (byTopic.get(o.topic) ?? 0) + 1);
  for (const [topic, n] of byTopic) streamsMetrics.recordsProduced.inc({ app: appId, topic }, n);
}

/** Records this process produced for `appId` in committed work, by topic. */
export async function recordsProduced(appId: string): Promise<Map<string, number>> {
  const { values } = await streamsMetrics.recordsProduced.get();
  return new Map(values.filter((v) => v.labels.app === appId).map((v) => [String(v.labels.topic), v.value]));
}
