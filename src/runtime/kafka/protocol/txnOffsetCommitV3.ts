/**
 * TxnOffsetCommit v3 (KIP-447), which KafkaJS 2.2.4 lacks (it has v0–v1): the consumer group's
 * generation and member id travel with a transaction's input offsets, so the group coordinator
 * refuses the offsets of a member that is no longer in the group's current generation (a zombie)
 * with ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID or FENCED_INSTANCE_ID, and the transaction aborts.
 * From the Kafka protocol spec (TxnOffsetCommitRequest.json / Response.json; flexible from v3):
 *
 * TxnOffsetCommit Request (Version: 3) => transactional_id group_id producer_id producer_epoch
 *     generation_id member_id group_instance_id [topics] TAG_BUFFER
 *   transactional_id => COMPACT_STRING
 *   group_id => COMPACT_STRING
 *   producer_id => INT64
 *   producer_epoch => INT16
 *   generation_id => INT32              (-1: no group metadata, as v0–v2)
 *   member_id => COMPACT_STRING         ('': no group metadata)
 *   group_instance_id => COMPACT_NULLABLE_STRING
 *   topics => name [partitions] TAG_BUFFER
 *     name => COMPACT_STRING
 *     partitions => partition_index committed_offset committed_leader_epoch committed_metadata TAG_BUFFER
 *       partition_index => INT32
 *       committed_offset => INT64
 *       committed_leader_epoch => INT32  (-1: unknown)
 *       committed_metadata => COMPACT_NULLABLE_STRING
 *
 * TxnOffsetCommit Response (Version: 3) => throttle_time_ms [topics] TAG_BUFFER
 *   throttle_time_ms => INT32
 *   topics => name [partitions] TAG_BUFFER
 *     name => COMPACT_STRING
 *     partitions => partition_index error_code TAG_BUFFER
 *       partition_index => INT32
 *       error_code => INT16
 */
import { createErrorFromCode, failure, newDecoder, newEncoder, readCompactArray, skipTags, writeCompactArray, writeTags, type Encoder } from './codec.ts';

export const TXN_OFFSET_COMMIT = 28;

/** A consumer group member's identity for one generation (Java's ConsumerGroupMetadata). */
export interface GroupMetadata { generationId: number; memberId: string; groupInstanceId: string | null }

/** No group metadata: the coordinator checks nothing about the member, as with v0–v2. */
export const NO_GROUP_METADATA: GroupMetadata = { generationId: -1, memberId: '', groupInstanceId: null };

export interface TxnOffsetCommitArgs {
  transactionalId: string;
  groupId: string;
  producerId: number | string;
  producerEpoch: number;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string; metadata?: string | null }> }>;
}

export interface TxnOffsetCommitResponse {
  throttleTime: number;
  clientSideThrottleTime: number;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; errorCode: number }> }>;
}

/** The request body (after the header's client id), starting with the header's tag buffer. */
export function encodeTxnOffsetCommitV3(args: TxnOffsetCommitArgs, group: GroupMetadata): Encoder {
  const e = writeTags(newEncoder())
    .writeUVarIntString(args.transactionalId)
    .writeUVarIntString(args.groupId)
    .writeInt64(args.producerId)
    .writeInt16(args.producerEpoch)
    .writeInt32(group.generationId)
    .writeUVarIntString(group.memberId)
    .writeUVarIntString(group.groupInstanceId);
  writeCompactArray(e, args.topics, ({ topic, partitions }) => {
    const t = newEncoder().writeUVarIntString(topic);
    writeCompactArray(t, partitions, (p) => writeTags(newEncoder()
      .writeInt32(p.partition)
      .writeInt64(p.offset)
      .writeInt32(-1)
      .writeUVarIntString(p.metadata ?? null)));
    return writeTags(t);
  });
  return writeTags(e);
}

/** The response body after the correlation id (the response header's tag buffer first). */
export function decodeTxnOffsetCommitV3(raw: Buffer): TxnOffsetCommitResponse {
  const d = newDecoder(raw);
  skipTags(d);
  const throttleTime = d.readInt32();
  const topics = readCompactArray(d, (dt) => {
    const topic = dt.readUVarIntString() ?? '';
    const partitions = readCompactArray(dt, (dp) => {
      const p = { partition: dp.readInt32(), errorCode: dp.readInt16() };
      skipTags(dp);
      return p;
    });
    skipTags(dt);
    return { topic, partitions };
  });
  skipTags(d);
  // Throttled responses arrive before the throttle (KIP-219): the client waits.
  return { throttleTime: 0, clientSideThrottleTime: throttleTime, topics };
}

/** Throws KafkaJS's protocol error for the first failed partition (as KafkaJS's v0 parse does). */
export function parseTxnOffsetCommit(data: TxnOffsetCommitResponse): TxnOffsetCommitResponse {
  for (const t of data.topics) for (const p of t.partitions) if (failure(p.errorCode)) throw createErrorFromCode(p.errorCode);
  return data;
}
