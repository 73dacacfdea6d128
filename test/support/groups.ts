/**
 * Consumer-group checks shared by the end-to-end harnesses: has a group processed everything, and
 * which topics does the IGA topology's own group read.
 */
import type { Admin } from 'kafkajs';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import type { PartitionReader } from '../../src/runtime/kafka/partitionReader.ts';

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

/** Every input of the IGA topology (the stream group `<appId>`); with publishers also the profile steps' (E, F, G). */
export function igaInputTopics(appId: string, opts: { publishers?: boolean } = {}): string[] {
  const t = topicNames(appId);
  return [t.raw, t.replay, t.personEvents, t.accountInputs, t.usernameClaims, t.brake, ...(opts.publishers ? [t.profilesRaw, t.profilesValid, t.personDirectory] : [])];
}
