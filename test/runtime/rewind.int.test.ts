/**
 * A task that rolls back moves its input back to what it committed: nothing is skipped and nothing
 * doubled. Real broker; the topology fails on purpose (a retriable processing error, a failing
 * punctuation with uncommitted work in hand).
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamsApp } from '../../src/runtime/index.ts';
import { TopologyBuilder, record, type ProcessorContext } from '../../src/runtime/api/index.ts';
import { StreamsError } from '../../src/runtime/api/errors.ts';
import type { KeyValueStore } from '../../src/stores/keyValueStore.ts';
import { eventually, kafkaBrokers, requireBrokers, testKafka, uniqueName } from '../support/brokers.ts';

interface Faults { retriableOnce: Set<string>; failPunctuationAfter: number | null; processed: number; punctuationFailures: number }

function flakyCounting(input: string, output: string, faults: Faults) {
  return new TopologyBuilder()
    .addTopic({ name: input, compacted: false })
    .addTopic({ name: output, compacted: false })
    .addStateStore('counts')
    .addSource('in', [input])
    .addProcessor('count', () => {
      let ctx: ProcessorContext;
      let store: KeyValueStore<number>;
      return {
        init(c) {
          ctx = c;
          store = c.getStateStore<number>('counts');
          c.schedule(100, async () => {
            if (faults.failPunctuationAfter !== null && faults.processed > faults.failPunctuationAfter) {
              faults.failPunctuationAfter = null;
              faults.punctuationFailures++;
              throw new Error('punctuation failed on purpose');
            }
          });
        },
        async process(r) {
          const tag = (r.value as { tag?: string }).tag;
          if (tag && faults.retriableOnce.delete(tag)) throw new StreamsError('transient failure on purpose', { retriable: true });
          faults.processed++;
          const n = ((await store.get(r.key)) ?? 0) + 1;
          store.put(r.key, n);
          ctx.forward(record(r.key, { count: n }, r.timestamp));
        },
      };
    }, ['in'], ['counts'])
    .addSink('out', output, ['count'])
    .build();
}

async function withApp(faults: Faults, commitIntervalMs: number, body: (send: (msgs: Array<{ key: string; value: unknown }>) => Promise<void>, outputs: () => Promise<Array<{ key: string; count: number }>>) => Promise<void>) {
  await requireBrokers();
  const appId = uniqueName('rewind');
  const input = `${appId}.in`;
  const output = `${appId}.out`;
  const stateDir = await mkdtemp(join(tmpdir(), 'iga-rewind-'));
  const kafka = testKafka();
  // Idempotent: KafkaJS retries a produce request whole when one partition in it failed (e.g. a
  // just-created topic's partition without its leader yet); without sequence numbers the partitions
  // already written would be written again, and the duplicated input rightly counted twice.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const app = new StreamsApp({ appId, brokers: kafkaBrokers, topology: flakyCounting(input, output, faults), stateDir, partitions: 1, deadLetterTopic: `${appId}.dlq`, commitIntervalMs, tickMs: 100 });
  const got: Array<{ key: string; count: number }> = [];
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false });
  try {
    await app.start();
    await consumer.connect();
    await consumer.subscribe({ topic: output, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { got.push({ key: message.key!.toString(), count: (JSON.parse(message.value!.toString()) as { count: number }).count }); } });
    await body(
      async (msgs) => { await producer.send({ topic: input, messages: msgs.map((m) => ({ key: m.key, value: JSON.stringify(m.value) })) }); },
      async () => got,
    );
  } finally {
    await consumer.disconnect();
    await app.close();
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: (await admin.listTopics()).filter((t) => t.startsWith(appId)) }).catch(() => undefined);
    await admin.disconnect();
    await rm(stateDir, { recursive: true, force: true });
  }
}

const keys = ['a', 'b', 'c', 'd', 'e'];

function assertExactlyOnce(outputs: Array<{ key: string; count: number }>, perKey: number) {
  const seen = outputs.map((o) => `${o.key}:${o.count}`);
  assert.equal(new Set(seen).size, seen.length, `no output twice: ${seen.join(' ')}`);
  for (const k of keys) {
    assert.deepEqual(outputs.filter((o) => o.key === k).map((o) => o.count), Array.from({ length: perKey }, (_, i) => i + 1), `counts of ${k}`);
  }
}

test('a retriable processing failure commits what came before, rewinds and retries the record', async () => {
  const faults: Faults = { retriableOnce: new Set(['c2']), failPunctuationAfter: null, processed: 0, punctuationFailures: 0 };
  await withApp(faults, 50, async (send, outputs) => {
    await send(keys.flatMap((k) => [{ key: k, value: { tag: `${k}1` } }, { key: k, value: { tag: `${k}2` } }]));
    await eventually('10 outputs', async () => (await outputs()).length >= 10, 60_000);
    await new Promise((r) => setTimeout(r, 500)); // anything doubled would show up by now
    assert.equal(faults.retriableOnce.size, 0, 'the failure happened');
    assertExactlyOnce(await outputs(), 2);
  });
});

test('a failing punctuation rolls back the uncommitted records and the task processes them again', async () => {
  // A long commit interval keeps the second batch uncommitted when the punctuation fails.
  const faults: Faults = { retriableOnce: new Set(), failPunctuationAfter: null, processed: 0, punctuationFailures: 0 };
  await withApp(faults, 4000, async (send, outputs) => {
    await send(keys.map((k) => ({ key: k, value: {} })));
    await eventually('first 5 outputs', async () => (await outputs()).length >= 5, 60_000);
    faults.failPunctuationAfter = faults.processed;
    await send(keys.map((k) => ({ key: k, value: {} })));
    await eventually('10 outputs', async () => (await outputs()).length >= 10, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(faults.punctuationFailures, 1, 'the punctuation failed once');
    assert.ok(faults.processed > 10, `the rolled-back records were processed again (${faults.processed} process calls)`);
    assertExactlyOnce(await outputs(), 2);
  });
});
