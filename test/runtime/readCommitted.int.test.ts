/**
 * read_committed on the real broker, with aborted transactions that KafkaJS 2.2.4 alone lets
 * through (src/runtime/kafka/readCommittedFix.ts): two producers whose transactions overlap, the
 * later-started one aborting first; and a fetch that begins inside two aborted transactions (fetches
 * cut after every record batch by a byte limit). Every read_committed reader of the runtime must get
 * exactly the committed records: the partition reader (restore, replicas), a consumer made by the
 * runtime's Kafka client (the stream thread's and the egress's), the global table, and a running
 * topology, whose counts would otherwise include aborted input.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { GlobalTable, StreamsApp } from '../../src/runtime/index.ts';
import { createKafka } from '../../src/runtime/kafka/client.ts';
import { createTopicsAndWait } from '../../src/runtime/kafka/createTopics.ts';
import { PartitionReader } from '../../src/runtime/kafka/partitionReader.ts';
import { countingTopology } from './counting.ts';
import { eventually, kafkaBrokers, requireBrokers, testKafka, uniqueName } from '../support/brokers.ts';

const log = pino({ level: 'silent' });

/**
 * Writes, on partition 0 of `topic` (values `{}`, every key `k`, the committed ones keyed by their
 * tag in the header `tag`):
 *   @0 p2 (txn A2)  @1 p1 (txn A1)  @2 abort p1  @3 abort p2        (A2 started first, aborted second)
 *   @4 committed-1 (p3)  @5 commit p3
 *   @6 p1 (txn B1)  @7 p2 (txn B2)  @8 p2 (txn B2)  @9 abort p1  @10 abort p2
 *   @11 committed-2 (p3)  @12 commit p3
 * and returns the offsets of the aborted records.
 */
async function writeOverlappingAbortedTransactions(topic: string): Promise<string[]> {
  const kafka = testKafka();
  const producers = await Promise.all(['p1', 'p2', 'p3'].map(async (id) => {
    const p = kafka.producer({ transactionalId: `${topic}-${id}`, idempotent: true, maxInFlightRequests: 1 });
    await p.connect();
    return p;
  }));
  const [p1, p2, p3] = producers as [typeof producers[0], typeof producers[0], typeof producers[0]];
  const admin = kafka.admin();
  await admin.connect();
  // The coordinator answers EndTxn before it has written the markers: on a busy broker the next
  // record could land before a marker. With no transaction open, each step waits until the last
  // stable offset (what this admin's read_committed ListOffsets answers) has reached `end`.
  const untilLogEnd = (end: number) => eventually(`the log to end at ${end}`, async () => {
    const [p0] = await admin.fetchTopicOffsets(topic);
    return Number(p0!.high) >= end;
  }, 10_000, 20);
  const aborted: string[] = [];
  const send = async (txn: Awaited<ReturnType<typeof p1.transaction>>, tag: string) => {
    const [meta] = await txn.send({ topic, messages: [{ partition: 0, key: 'k', value: '{}', headers: { tag } }] });
    return meta!.baseOffset!;
  };
  const commit = async (tag: string, end: number) => {
    const t = await p3.transaction();
    await send(t, tag);
    await t.commit();
    await untilLogEnd(end);
  };
  try {
    const a2 = await p2.transaction();
    aborted.push(await send(a2, 'aborted-a2'));
    const a1 = await p1.transaction();
    aborted.push(await send(a1, 'aborted-a1'));
    await a1.abort();
    await a2.abort();
    await untilLogEnd(4);
    await commit('committed-1', 6);
    const b1 = await p1.transaction();
    aborted.push(await send(b1, 'aborted-b1'));
    const b2 = await p2.transaction();
    aborted.push(await send(b2, 'aborted-b2'), await send(b2, 'aborted-b2'));
    await b1.abort();
    await b2.abort();
    await untilLogEnd(11);
    await commit('committed-2', 13);
  } finally {
    for (const p of producers) await p.disconnect();
    await admin.disconnect();
  }
  return aborted;
}

const tagOf = (headers: Record<string, Buffer | string | Array<Buffer | string> | undefined> | undefined) => headers?.tag?.toString() ?? '?';

describe('read_committed readers skip every aborted record', () => {
  const prefix = uniqueName('read-committed');
  const topic = `${prefix}.log`;
  const admin = testKafka().admin();
  let abortedOffsets: string[] = [];

  beforeAll(async () => {
    await requireBrokers();
    await admin.connect();
    await createTopicsAndWait(admin, [{ topic, numPartitions: 1 }]);
    abortedOffsets = await writeOverlappingAbortedTransactions(topic);
  });
  afterAll(async () => {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
  });

  test('the log holds the aborted transactions as described', () => {
    assert.deepEqual(abortedOffsets, ['0', '1', '6', '7', '8']);
  });

  test('the partition reader, one record batch per fetch and all at once', async () => {
    const reader = new PartitionReader(testKafka());
    try {
      for (const maxBytes of [1, 1024 * 1024]) {
        const seen: string[] = [];
        let offset = 0n;
        for (let fetches = 0; fetches < 50; fetches++) {
          const r = await reader.fetch(topic, 0, offset, { maxBytes });
          seen.push(...r.records.map((m) => `${m.offset}:${tagOf(m.headers)}`));
          offset = r.nextOffset;
          if (offset >= r.lastStableOffset) break;
        }
        assert.equal(offset, 13n, `read to the end (maxBytes ${maxBytes})`);
        assert.deepEqual(seen, ['4:committed-1', '11:committed-2'], `maxBytes ${maxBytes}`);
      }
      const many = await reader.fetchMany(topic, new Map([[0, 7n]]), { maxBytes: 1 });
      assert.deepEqual(many.get(0)!.records.map((m) => m.offset), [], 'a fetch that begins inside two aborted transactions');
    } finally {
      await reader.close();
    }
  });

  test('a consumer made by the runtime\'s client (stream thread, egress), one record batch per fetch', async () => {
    const kafka = createKafka({ brokers: kafkaBrokers, clientId: `${prefix}-consumer`, log });
    const consumer = kafka.consumer({ groupId: `${prefix}-group`, readUncommitted: false, maxBytesPerPartition: 1, maxBytes: 1, maxWaitTimeInMs: 100 });
    const seen: string[] = [];
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => { seen.push(`${message.offset}:${tagOf(message.headers)}`); } });
      // Records arrive in offset order: once the last committed one is here, everything before it is too.
      await eventually('the last committed record', () => seen.includes('11:committed-2'));
      assert.deepEqual(seen, ['4:committed-1', '11:committed-2']);
    } finally {
      await consumer.disconnect();
    }
  });

  test('the global table (replicas)', async () => {
    const seen: string[] = [];
    const table = new GlobalTable({ brokers: kafkaBrokers, topic, clientId: `${prefix}-table`, log, onRecord: (key) => seen.push(key) });
    try {
      await table.start();
      await table.ready;
      assert.deepEqual(seen, ['k', 'k'], 'the two committed records only');
    } finally {
      await table.close();
    }
  });

  test('a running topology counts the committed input only', async () => {
    const appId = `${prefix}-app`;
    const output = `${appId}.out`;
    const stateDir = await mkdtemp(join(tmpdir(), 'iga-rc-'));
    const app = new StreamsApp({ appId, brokers: kafkaBrokers, topology: countingTopology(topic, output), stateDir, partitions: 1, deadLetterTopic: `${appId}.dlq`, commitIntervalMs: 50, log });
    const consumer = testKafka().consumer({ groupId: `${prefix}-reader`, readUncommitted: false });
    const counts: number[] = [];
    try {
      await app.start();
      await consumer.connect();
      await consumer.subscribe({ topic: output, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => { counts.push((JSON.parse(message.value!.toString()) as { count: number }).count); } });
      // The task commits its input position with its outputs: once it stands at the end, every count is out.
      await eventually('the input processed to its end', async () => {
        const [t] = await admin.fetchOffsets({ groupId: appId, topics: [topic] });
        return Number(t?.partitions[0]?.offset ?? -1) >= 12;
      });
      await eventually('the counts', () => counts.length >= 2);
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(counts, [1, 2], 'one count per committed input record');
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await app.close();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
