/**
 * Creates the topics a topology needs (sources it owns, repartition, changelogs) and checks that
 * the inputs of each sub-topology are co-partitioned; a mismatch stops start-up with a clear error.
 */
import type { Admin } from 'kafkajs';
import type { Logger } from '../../common/log.ts';
import { changelogTopic, type BuiltTopology } from '../api/topologyBuilder.ts';
import { createTopicsAndWait, waitForTopics } from '../kafka/createTopics.ts';

export async function ensureTopics(admin: Admin, appId: string, topology: BuiltTopology, partitions: number, log: Logger): Promise<void> {
  const wanted = new Map<string, { compacted: boolean; retentionMs?: number }>();
  for (const t of topology.topics) wanted.set(t.name, { compacted: t.compacted, ...(t.retentionMs !== undefined ? { retentionMs: t.retentionMs } : {}) });
  for (const sub of topology.subTopologies) for (const s of sub.stores) wanted.set(changelogTopic(appId, s.name), { compacted: true });
  const existing = new Set(await admin.listTopics());
  const missing = [...wanted].filter(([name]) => !existing.has(name));
  if (missing.length > 0) {
    await createTopicsAndWait(admin, missing.map(([topic, spec]) => ({
      topic,
      numPartitions: partitions,
      configEntries: [
        { name: 'cleanup.policy', value: spec.compacted ? 'compact' : 'delete' },
        ...(spec.retentionMs !== undefined ? [{ name: 'retention.ms', value: String(spec.retentionMs) }] : []),
      ],
    })));
    log.info({ topics: missing.map(([n]) => n) }, 'created topics');
  }
  // Another instance may have created them a moment ago: their leaders may not be elected yet.
  await waitForTopics(admin, [...wanted.keys()]);
  const meta = await admin.fetchTopicMetadata({ topics: topology.subTopologies.flatMap((s) => s.sourceTopics) });
  const count = new Map(meta.topics.map((t) => [t.name, t.partitions.length]));
  for (const sub of topology.subTopologies) {
    const counts = new Set(sub.sourceTopics.map((t) => count.get(t)));
    if (counts.size > 1) {
      throw new Error(`inputs of sub-topology ${sub.id} are not co-partitioned: ${sub.sourceTopics.map((t) => `${t}=${count.get(t)}`).join(', ')}`);
    }
  }
}
