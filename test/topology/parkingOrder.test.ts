/**
 * Parking's rules as properties, on random event streams, in the runtime's test driver: a step
 * whose events fail retriably a given number of times (or for good) before they go through. Per key,
 * events come out in the order they went in, each once; a key without failures is never held up;
 * what cannot be fixed is dead-lettered and the key goes on; at the end nothing is left parked.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { record, StreamsError, TopologyBuilder, type ProcessorContext } from '../../src/runtime/api/index.ts';
import { TopologyTestDriver } from '../../src/runtime/testing/testDriver.ts';
import { Parking } from '../../src/topology/processors/parking.ts';

interface Ev { key: string; seq: number; failures: number; poison: boolean }
type Parked = Ev & { attempts: number };

const RETRY_MS = 1000;

/** One step with parking: `failures` retriable failures, then success (or a non-retriable failure when `poison`). */
function parkingTopology() {
  const tries = new Map<string, number>();
  return new TopologyBuilder()
    .addTopic({ name: 'in', compacted: false })
    .addTopic({ name: 'out', compacted: false })
    .addStateStore('deferred')
    .addSource('src', ['in'])
    .addProcessor('step', () => {
      let parking: Parking<Parked>;
      let ctx: ProcessorContext;
      return {
        async init(c) {
          ctx = c;
          parking = new Parking<Parked>({
            step: 'test',
            store: c.getStateStore('deferred'), ctx: c, retryMs: RETRY_MS,
            keyOf: (e) => e.key, originOf: () => null,
            async handle(e, call) {
              const id = `${e.key}#${e.seq}`;
              const n = tries.get(id) ?? 0;
              tries.set(id, n + 1);
              if (n < e.failures) throw new StreamsError(`${id} unavailable`, { retriable: true });
              if (e.poison) throw new Error(`${id} cannot be handled`);
              ctx.forward(record(e.key, { seq: e.seq, retry: call.retry }, call.timestamp));
            },
          });
          await parking.ensureLayout();
          c.schedule(100, (now) => parking.punctuate(now));
        },
        async process(r) {
          await parking.submit({ ...(r.value as Ev), attempts: 0 }, r.timestamp);
        },
      };
    }, ['src'], ['deferred'])
    .addSink('sink', 'out', ['step'])
    .build();
}

const events = fc.array(
  fc.record({
    key: fc.constantFrom('a', 'b', 'c', 'd'),
    failures: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }),
    poison: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  }),
  { minLength: 1, maxLength: 30 },
).map((list) => list.map((e, seq): Ev => ({ ...e, seq })));

test('per key in order, each once; keys without failures never wait; poison dead-lettered; nothing left parked', async () => {
  await fc.assert(fc.asyncProperty(events, async (evs) => {
    const d = await new TopologyTestDriver(parkingTopology(), { deadLetterTopic: 'dlq', startTime: 0 }).init();
    try {
      await d.pipeInputs('in', evs.map((e) => ({ key: e.key, value: e })));
      // A key none of whose events fails came through at once, whatever happened to the others.
      const atOnce = d.readOutput<{ seq: number }>('out');
      for (const key of new Set(evs.map((e) => e.key))) {
        const mine = evs.filter((e) => e.key === key);
        if (mine.some((e) => e.failures > 0 || e.poison)) continue;
        assert.deepEqual(atOnce.filter((r) => r.key === key).map((r) => r.value.seq), mine.map((e) => e.seq));
      }
      // Longest possible chain: every event of a key fails 3 times, each wait ≤ 4 × RETRY_MS.
      for (let i = 0; i < 30 * 3 * 4 + 4; i++) await d.advanceWallClockTime(RETRY_MS);
      const out = [...atOnce, ...d.readOutput<{ seq: number }>('out')];
      const dead = d.readOutput<{ valueBase64: string }>('dlq').map((r) => (JSON.parse(Buffer.from(r.value.valueBase64, 'base64').toString()) as Ev).seq);
      for (const key of new Set(evs.map((e) => e.key))) {
        const mine = evs.filter((e) => e.key === key);
        assert.deepEqual(out.filter((r) => r.key === key).map((r) => r.value.seq), mine.filter((e) => !e.poison).map((e) => e.seq), `key ${key}: in order, each once`);
      }
      assert.deepEqual(dead.sort((x, y) => x - y), evs.filter((e) => e.poison).map((e) => e.seq), 'every poison event dead-lettered once');
      const left: string[] = [];
      for await (const [k] of d.getStore('deferred').range()) left.push(k);
      assert.deepEqual(left, ['queue-format'], 'nothing left parked or waiting');
    } finally {
      await d.close();
    }
  }), { numRuns: 60 });
});
