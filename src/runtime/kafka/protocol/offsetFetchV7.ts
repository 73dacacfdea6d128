/**
 * OffsetFetch v7 (KIP-447), which KafkaJS 2.2.4 lacks (it has v1–v4): `require_stable` makes the
 * group coordinator answer UNSTABLE_OFFSET_COMMIT for a partition while a transaction that commits
 * offsets for it is still open, instead of the last stable offset. A task that moves reads its
 * input offsets this way, so it never starts from an offset that an open transaction of the
 * previous owner is about to move. From the Kafka protocol spec (OffsetFetchRequest.json /
 * Response.json; flexible from v6):
 *
 * OffsetFetch Request (Version: 7) => group_id [topics] require_stable TAG_BUFFER
 *   group_id => COMPACT_STRING
 *   topics => name [partition_indexes] TAG_BUFFER     (null: every topic)
 *     name => COMPACT_STRING
 *     partition_indexes => INT32
 *   require_stable => BOOLEAN
 *
 * OffsetFetch Response (Version: 7) => throttle_time_ms [topics] error_code TAG_BUFFER
 *   throttle_time_ms => INT32
 *   topics => name [partitions] TAG_BUFFER
 *     name => COMPACT_STRING
 *     partitions => partition_index committed_offset committed_leader_epoch metadata error_code TAG_BUFFER
 *       partition_index => INT32
 *       committed_offset => INT64
 *       committed_leader_epoch => INT32
 *       metadata => COMPACT_NULLABLE_STRING
 *       error_code => INT16
 *   error_code => INT16
 */
import { createErrorFromCode, failure, newDecoder, newEncoder, readCompactArray, skipTags, writeCompactArray, writeTags, type Encoder } from './codec.ts';

export const OFFSET_FETCH = 9;

export interface OffsetFetchArgs {
  groupId: string;
  /** Null: every topic the group has offsets for. */
  topics: Array<{ topic: string; partitions: Array<{ partition: number }> }> | null;
}

/** The shape of KafkaJS's own OffsetFetch responses (v1–v4), so its callers read it unchanged. */
export interface OffsetFetchResponse {
  throttleTime: number;
  clientSideThrottleTime: number;
  responses: Array<{ topic: string; partitions: Array<{ partition: number; offset: string; metadata: string | null; errorCode: number }> }>;
  errorCode: number;
}

/** The request body (after the header's client id), starting with the header's tag buffer. */
export function encodeOffsetFetchV7(args: OffsetFetchArgs, requireStable: boolean): Encoder {
  const e = writeTags(newEncoder()).writeUVarIntString(args.groupId);
  writeCompactArray(e, args.topics, ({ topic, partitions }) => {
    const t = newEncoder().writeUVarIntString(topic);
    writeCompactArray(t, partitions, ({ partition }) => newEncoder().writeInt32(partition));
    return writeTags(t);
  });
  return writeTags(e.writeBoolean(requireStable));
}

/** The response body after the correlation id (the response header's tag buffer first). */
export function decodeOffsetFetchV7(raw: Buffer): OffsetFetchResponse {
  const d = newDecoder(raw);
  skipTags(d);
  const throttleTime = d.readInt32();
  const responses = readCompactArray(d, (dt) => {
    const topic = dt.readUVarIntString() ?? '';
    const partitions = readCompactArray(dt, (dp) => {
      const partition = dp.readInt32();
      const offset = dp.readInt64().toString();
      dp.readInt32(); // committed_leader_epoch: KafkaJS's callers do not use it
      const metadata = dp.readUVarIntString();
      const errorCode = dp.readInt16();
      skipTags(dp);
      return { partition, offset, metadata, errorCode };
    });
    skipTags(dt);
    return { topic, partitions };
  });
  const errorCode = d.readInt16();
  skipTags(d);
  return { throttleTime: 0, clientSideThrottleTime: throttleTime, responses, errorCode };
}

/** Throws KafkaJS's protocol error for a group error or the first failed partition (as its v2–v4 parse). */
export function parseOffsetFetch(data: OffsetFetchResponse): OffsetFetchResponse {
  if (failure(data.errorCode)) throw createErrorFromCode(data.errorCode);
  for (const t of data.responses) for (const p of t.partitions) if (failure(p.errorCode)) throw createErrorFromCode(p.errorCode);
  return data;
}
