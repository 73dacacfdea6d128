/**
 * The runtime's per-topic value serde hook (StreamsOptions.valueSerdes): it replaces the serde of
 * the sinks that write its topic and, for the dead-letter topic, writes the runtime's own dead
 * letters; other topics keep their sinks' serdes.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { Serde } from '../../src/runtime/api/serde.ts';
import { TopologyTestDriver } from '../../src/runtime/testing/testDriver.ts';
import { frameValue, parseJsonValue } from '../../src/common/wireFormat.ts';
import { TopologyBuilder, type ProcessorContext } from '../../src/runtime/api/index.ts';
import { countingTopology } from './counting.ts';

/** Frames every value with `id`, as a schema registry's serde would. */
function framing(id: number, seen: unknown[]): Serde<unknown> {
  return {
    serialize: (v) => { seen.push(v); return v === null ? null : frameValue(id, Buffer.from(JSON.stringify(v))); },
    deserialize: (b) => (b === null ? null : parseJsonValue(b)),
  };
}

test('a sink writing a topic with a value serde writes through it; readers of JSON still read it', async () => {
  const seen: unknown[] = [];
  const d = await new TopologyTestDriver(countingTopology('in', 'out'), { valueSerdes: new Map([['out', framing(7, seen)]]) }).init();
  await d.pipeInput('in', 'a', {});
  await d.pipeInput('in', 'a', {});
  const written = d.writtenBytes('out');
  assert.equal(written.length, 2);
  for (const w of written) assert.deepEqual([...w.value!.subarray(0, 5)], [0, 0, 0, 0, 7]);
  assert.deepEqual(seen, [{ count: 1 }, { count: 2 }]);
  assert.deepEqual(d.readOutput('out').map((r) => r.value), [{ count: 1 }, { count: 2 }], 'the JSON serde reads the wire format');
});

test('the dead-letter topic\'s serde writes the runtime\'s dead letters; topics without one stay plain JSON', async () => {
  const seen: unknown[] = [];
  const d = await new TopologyTestDriver(countingTopology('in', 'out'), { deadLetterTopic: 'dlq', valueSerdes: new Map([['dlq', framing(9, seen)]]) }).init();
  await d.pipeInput('in', 'a', { fail: true });
  await d.pipeInput('in', 'a', {});
  const [dead] = d.writtenBytes('dlq');
  assert.deepEqual([...dead!.value!.subarray(0, 5)], [0, 0, 0, 0, 9]);
  assert.equal((seen[0] as { source: string }).source, 'task 0_0');
  assert.match(d.readOutput<{ reason: string }>('dlq')[0]!.value.reason, /bad input/);
  assert.equal(d.writtenBytes('out')[0]!.value!.toString(), '{"count":1}', 'plain JSON where no serde is given');
});

test('a serde that refuses a value fails its processing: the input is dead-lettered with the serde\'s reason', async () => {
  const refusing: Serde<unknown> = { serialize: () => { throw new Error('does not fit its registered schema'); }, deserialize: (b) => b };
  const topology = new TopologyBuilder()
    .addSource('src', ['in'])
    .addProcessor('pass', () => {
      let ctx: ProcessorContext;
      return { init(c) { ctx = c; }, async process(r) { ctx.forward(r); } };
    }, ['src'])
    .addSink('sink', 'out', ['pass'])
    .build();
  const d = await new TopologyTestDriver(topology, { deadLetterTopic: 'dlq', valueSerdes: new Map([['out', refusing]]) }).init();
  await d.pipeInput('in', 'k', { x: 1 });
  assert.deepEqual(d.writtenBytes('out'), []);
  assert.match(d.readOutput<{ reason: string }>('dlq')[0]!.value.reason, /does not fit its registered schema/);
});
