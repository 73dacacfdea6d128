/**
 * Reprocess copies raw DFØ events into a replay topic that sub-topology A reads next to the raw
 * topic (co-partitioned: same partition and key). The marker headers say where a copy came from,
 * so the cause of what it leads to says "replayed" and points at the original record.
 */
import { topicNames } from '../config.ts';
import type { RecordOrigin } from '../streams/index.ts';

/**
 * Headers set on every replayed record: the original topic, its offset (same partition) and
 * timestamp, and the reprocess run that copied it (the mass-change brake groups a run's blocks).
 */
export const REPLAY_HEADERS = { topic: 'iga-replay-topic', offset: 'iga-replay-offset', timestamp: 'iga-replay-timestamp', run: 'iga-replay-run' } as const;

/** A reprocess run's id: when it started, and a random suffix (two runs in one millisecond differ). */
export function newReprocessRunId(now: number = Date.now()): string {
  return `${new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The reprocess run that replayed a record, when its copy says so. */
export function replayRunOf(headers: Record<string, string>): string | undefined {
  const run = headers[REPLAY_HEADERS.run];
  return run && /^[\w.:-]{1,100}$/.test(run) ? run : undefined;
}

/** `<appId>-<rawTopic>-replay`. */
export function replayTopic(appId: string): string {
  return `${appId}-${topicNames(appId).raw}-replay`;
}

/** The original raw record of a replayed one (same partition), or undefined for an original. */
export function replayedFrom(headers: Record<string, string>, origin: RecordOrigin | null): RecordOrigin | undefined {
  const topic = headers[REPLAY_HEADERS.topic];
  const offset = headers[REPLAY_HEADERS.offset];
  if (!topic || !offset || !/^\d+$/.test(offset) || !origin) return undefined;
  return { topic, partition: origin.partition, offset };
}
