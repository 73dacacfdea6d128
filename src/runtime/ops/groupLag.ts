/**
 * How far a consumer group is behind on some topics: per partition, its committed offset against
 * the end of committed data. On transactional topics the end counts commit markers too, so
 * `behind` can stay above 0 for a group that has read everything; `caughtUp` says whether any
 * record is really left (one read_committed fetch from the committed offset).
 */
import type { Admin } from 'kafkajs';
import type { PartitionReader } from '../kafka/partitionReader.ts';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** The group's committed offset; null when it has committed none (it starts at the beginning). */
  committed: string | null;
  /** End of committed data (last stable offset). */
  end: string;
  /** Offsets between the two (records and transaction markers). */
  behind: number;
  /** No committed record left to read. */
  caughtUp: boolean;
}

/** `checkRecords: false` skips the fetch behind `caughtUp` (then it says only whether `behind` is 0). */
export async function groupLag(admin: Admin, reader: PartitionReader, groupId: string, topics: string[], opts: { checkRecords?: boolean } = {}): Promise<PartitionLag[]> {
  const committed = await admin.fetchOffsets({ groupId, topics });
  const out: PartitionLag[] = [];
  for (const topic of topics) {
    const bounds = await reader.offsets(topic);
    const mine = committed.find((t) => t.topic === topic)?.partitions ?? [];
    for (const b of bounds) {
      const c = mine.find((p) => p.partition === b.partition)?.offset;
      const has = c !== undefined && Number(c) >= 0;
      const from = has ? BigInt(c) : b.low;
      const behind = b.high > from ? Number(b.high - from) : 0;
      const caughtUp = behind === 0 || (opts.checkRecords !== false && (await reader.fetch(topic, b.partition, from)).records.length === 0);
      out.push({ topic, partition: b.partition, committed: has ? c : null, end: b.high.toString(), behind, caughtUp });
    }
  }
  return out;
}
