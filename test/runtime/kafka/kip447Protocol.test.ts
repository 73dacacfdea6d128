/**
 * The two request versions exactly-once v2 adds to KafkaJS (src/runtime/kafka/protocol/,
 * registered by kip447.ts), checked byte for byte against layouts written out by hand from the
 * Kafka protocol spec (TxnOffsetCommit v3, OffsetFetch v7: flexible versions, compact strings and
 * arrays with length + 1, a tag buffer after each structure), and their registration in KafkaJS's
 * request tables: the version KafkaJS picks, what reaches the request from the call's scope, and
 * the refusal on a broker too old for them.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { decodeTxnOffsetCommitV3, encodeTxnOffsetCommitV3, parseTxnOffsetCommit, NO_GROUP_METADATA } from '../../../src/runtime/kafka/protocol/txnOffsetCommitV3.ts';
import { decodeOffsetFetchV7, encodeOffsetFetchV7, parseOffsetFetch } from '../../../src/runtime/kafka/protocol/offsetFetchV7.ts';
import { BrokerTooOldError, withGroupMetadata, withStableOffsets } from '../../../src/runtime/kafka/kip447.ts';
import { errorKinds } from '../../../src/runtime/internals/errorKinds.ts';

const require = createRequire(import.meta.url);
const { requests, lookup } = require('kafkajs/src/protocol/requests/index.js');

/** Hex with spaces and `|` for readability, `#` to the end of a line a comment. */
const hex = (s: string) => Buffer.from(s.replace(/#.*$/gm, '').replace(/[\s|]/g, ''), 'hex');
const i64 = (n: number) => (BigInt.asUintN(64, BigInt(n))).toString(16).padStart(16, '0');

const txnArgs = { transactionalId: 'tx', groupId: 'g', producerId: 5, producerEpoch: 1, topics: [{ topic: 't', partitions: [{ partition: 2, offset: '42' }] }] };

describe('TxnOffsetCommit v3', () => {
  test('the request carries the generation, member id and group instance id, in flexible encoding', () => {
    const bytes = encodeTxnOffsetCommitV3(txnArgs, { generationId: 7, memberId: 'm', groupInstanceId: null }).buffer;
    assert.deepEqual(bytes, hex(`
      00                        # request header v2: no tagged fields
      03 7478 | 02 67           # transactional_id "tx", group_id "g" (compact: length + 1)
      ${i64(5)} | 0001          # producer_id 5, producer_epoch 1
      00000007 | 02 6d | 00     # generation_id 7, member_id "m", group_instance_id null
      02 | 02 74 | 02           # 1 topic "t", 1 partition
      00000002 | ${i64(42)} | ffffffff | 00 | 00   # partition 2, offset 42, leader epoch -1, metadata null, tags
      00                        # topic tags
      00                        # request tags`));
  });

  test('without group metadata it sends what v0–v2 mean: generation -1, member "", no instance id; metadata and an instance id are encoded', () => {
    const args = { ...txnArgs, topics: [{ topic: 't', partitions: [{ partition: 0, offset: '1', metadata: 'x' }] }] };
    assert.deepEqual(encodeTxnOffsetCommitV3(args, NO_GROUP_METADATA).buffer, hex(`00 03 7478 02 67 ${i64(5)} 0001 | ffffffff | 01 | 00 | 02 02 74 02 00000000 ${i64(1)} ffffffff 02 78 00 00 00`));
    assert.deepEqual(encodeTxnOffsetCommitV3(txnArgs, { generationId: 0, memberId: '', groupInstanceId: 'i1' }).buffer.subarray(16, 24), hex('00000000 | 01 | 03 6931'), 'generation 0, member "", instance "i1"');
  });

  test('the response is read after the response header tags; a tagged field a broker adds is skipped; a partition error throws its KafkaJS error', () => {
    const raw = hex(`
      00                        # response header v1: no tagged fields
      0000000a                  # throttle_time_ms 10
      02 | 02 74 | 03           # 1 topic "t", 2 partitions
      00000002 | 0016 | 00      # partition 2: ILLEGAL_GENERATION (22)
      00000003 | 0000 | 01 05 02 abcd # partition 3: no error, one tagged field (tag 5, 2 bytes)
      00 | 00                   # topic tags, response tags
    `);
    const decoded = decodeTxnOffsetCommitV3(raw);
    assert.deepEqual(decoded, { throttleTime: 0, clientSideThrottleTime: 10, topics: [{ topic: 't', partitions: [{ partition: 2, errorCode: 22 }, { partition: 3, errorCode: 0 }] }] });
    assert.throws(() => parseTxnOffsetCommit(decoded), (err) => errorKinds(err).includes('ILLEGAL_GENERATION'));
    const ok = decodeTxnOffsetCommitV3(hex('00 00000000 02 02 74 02 00000002 0000 00 00 00'));
    assert.equal(parseTxnOffsetCommit(ok), ok);
  });
});

describe('OffsetFetch v7', () => {
  test('the request names the partitions and sets require_stable', () => {
    const args = { groupId: 'g', topics: [{ topic: 't', partitions: [{ partition: 0 }, { partition: 3 }] }] };
    assert.deepEqual(encodeOffsetFetchV7(args, true).buffer, hex(`
      00 | 02 67                # header tags, group_id "g"
      02 | 02 74 | 03 | 00000000 | 00000003 | 00   # 1 topic "t", partitions [0, 3], topic tags
      01 | 00                   # require_stable true, request tags`));
    assert.deepEqual(encodeOffsetFetchV7({ groupId: 'g', topics: null }, false).buffer, hex('00 02 67 | 00 | 00 | 00'), 'null topics: every topic');
  });

  test('the response reads offset, metadata and errors; UNSTABLE_OFFSET_COMMIT throws as KafkaJS\'s retriable error', () => {
    const raw = hex(`
      00 | 00000000                    # header tags, throttle 0
      02 | 02 74 | 03                   # 1 topic "t", 2 partitions
      00000000 | ${i64(-1)} | ffffffff | 00 | 0058 | 00   # partition 0: offset -1, no metadata, UNSTABLE_OFFSET_COMMIT (88)
      00000001 | ${i64(17)} | 00000004 | 03 6d64 | 0000 | 00 # partition 1: offset 17, leader epoch 4, metadata "md"
      00 | 0000 | 00                   # topic tags, group error 0, tags`);
    const decoded = decodeOffsetFetchV7(raw);
    assert.deepEqual(decoded.responses, [{ topic: 't', partitions: [{ partition: 0, offset: '-1', metadata: null, errorCode: 88 }, { partition: 1, offset: '17', metadata: 'md', errorCode: 0 }] }]);
    assert.equal(decoded.errorCode, 0);
    assert.throws(() => parseOffsetFetch(decoded), (err: { type?: string; retriable?: boolean }) => err.type === 'UNSTABLE_OFFSET_COMMIT' && err.retriable === true);
    const groupError = decodeOffsetFetchV7(hex('00 00000000 01 0010 00')); // no topics, NOT_COORDINATOR (16)
    assert.throws(() => parseOffsetFetch(groupError), (err) => errorKinds(err).includes('NOT_COORDINATOR_FOR_GROUP'));
  });
});

describe('registration in KafkaJS', () => {
  const brokerWith = (txnMax: number, fetchMax: number) => lookup({ 28: { minVersion: 0, maxVersion: txnMax }, 9: { minVersion: 1, maxVersion: fetchMax } });
  const body = async (req: { request: { encode(): Promise<{ buffer: Buffer }> } }) => (await req.request.encode()).buffer;

  test('KafkaJS picks v3 and v7 on a broker that has them; the call\'s scope decides the new fields', async () => {
    const find = brokerWith(5, 9);
    const txn = find(28, requests.TxnOffsetCommit);
    assert.equal(txn(txnArgs).request.apiVersion, 3);
    assert.deepEqual(await body(txn(txnArgs)), encodeTxnOffsetCommitV3(txnArgs, NO_GROUP_METADATA).buffer, 'outside withGroupMetadata: no group metadata');
    const group = { generationId: 9, memberId: 'member-1', groupInstanceId: null };
    const inScope = await withGroupMetadata(group, async () => {
      await new Promise((r) => setTimeout(r, 1)); // survives awaits and timers, as in KafkaJS's retries
      return find(28, requests.TxnOffsetCommit)(txnArgs);
    });
    assert.deepEqual(await body(inScope), encodeTxnOffsetCommitV3(txnArgs, group).buffer);

    const fetchArgs = { groupId: 'g', topics: [{ topic: 't', partitions: [{ partition: 1 }] }] };
    const fetch = find(9, requests.OffsetFetch);
    assert.equal(fetch(fetchArgs).request.apiVersion, 7);
    assert.deepEqual(await body(fetch(fetchArgs)), encodeOffsetFetchV7(fetchArgs, false).buffer);
    const stable = await withStableOffsets(async () => find(9, requests.OffsetFetch)(fetchArgs));
    assert.deepEqual(await body(stable), encodeOffsetFetchV7(fetchArgs, true).buffer);
  });

  test('on an older broker KafkaJS\'s own versions answer, and a call that needs the new fields is refused', async () => {
    const find = brokerWith(2, 6);
    assert.equal(find(28, requests.TxnOffsetCommit)(txnArgs).request.apiVersion, 1);
    assert.equal(find(9, requests.OffsetFetch)({ groupId: 'g', topics: [] }).request.apiVersion, 4);
    await assert.rejects(withGroupMetadata({ generationId: 1, memberId: 'm', groupInstanceId: null }, async () => find(28, requests.TxnOffsetCommit)(txnArgs)), BrokerTooOldError);
    await assert.rejects(withStableOffsets(async () => find(9, requests.OffsetFetch)({ groupId: 'g', topics: [] })), BrokerTooOldError);
  });
});
