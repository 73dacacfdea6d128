/**
 * Reprocess copies raw DFØ events into a replay topic that sub-topology A reads next to the raw
 * topic (co-partitioned: same partition and key). The marker headers say where a copy came from,
 * so the cause of what it leads to says "replayed" and points at the original record.
 */
import { topicNames } from '../config.ts';
import type { RecordOrigin } from '../streams/index.ts';

/** Headers set on every replayed record: the original topic, its offset (same partition) and timestamp. */
export const REPLAY_HEADERS = { topic: 'iga-replay-topic', offset: 'iga-replay-offset', timestamp: 'iga-replay-timestamp' } as const;

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
