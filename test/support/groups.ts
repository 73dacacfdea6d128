/**
 * Consumer-group checks shared by the end-to-end harnesses: has a group processed everything, and
 * which topics does the IGA topology's own group read.
 */
import type { Admin } from 'kafkajs';
import { topicNames } from '../../src/config.ts';
import { replayTopic } from '../../src/replay/replayTopic.ts';
import type { PartitionReader } from '../../src/streams/internals/partitionReader.ts';
import { brakeTopic } from '../../src/topology/brakeMessages.ts';
import { internalTopics } from '../../src/topology/deps.ts';

/** True when `groupId` has committed past every committed record of `topics`. */
export async function groupCaughtUp(admin: Admin, reader: PartitionReader, groupId: string, topics: string[]): Promise<boolean> {
  const offsets = await admin.fetchOffsets({ groupId, topics });
  for (const t of offsets) {
    for (const p of t.partitions) {
      const from = Number(p.offset) < 0 ? 0n : BigInt(p.offset);
      if ((await reader.fetch(t.topic, p.partition, from)).records.length > 0) return false;
    }
  }
  return true;
}

/** Every input of the IGA topology (the stream group `<appId>`). */
export function igaInputTopics(appId: string): string[] {
  const internal = internalTopics(appId);
  return [topicNames(appId).raw, replayTopic(appId), internal.personEvents, internal.usernameClaims, brakeTopic(appId)];
}
