import { test } from 'vitest';
import assert from 'node:assert/strict';
import { TopologyTestDriver } from '../../src/runtime/testing/testDriver.ts';
import { countingTopology } from './counting.ts';

test('test driver runs a stateful topology and exposes stores and outputs', async () => {
  const d = await new TopologyTestDriver(countingTopology('in', 'out')).init();
  await d.pipeInput('in', 'a', {});
  await d.pipeInput('in', 'b', {});
  await d.pipeInput('in', 'a', {});
  assert.deepEqual(d.readOutput('out').map((r) => [r.key, r.value]), [['a', { count: 1 }], ['b', { count: 1 }], ['a', { count: 2 }]]);
  assert.equal(await d.getStore<number>('counts').get('a'), 2);
  assert.deepEqual(d.readOutput('out'), []);
});

test('a record whose processing fails is dead-lettered with the reason; processing goes on', async () => {
  const d = await new TopologyTestDriver(countingTopology('in', 'out'), { deadLetterTopic: 'dlq' }).init();
  await d.pipeInput('in', 'a', { fail: true });
  await d.pipeInput('in', 'a', {});
  const dlq = d.readOutput<{ reason: string; valueBase64: string }>('dlq');
  assert.equal(dlq.length, 1);
  assert.match(dlq[0]!.value.reason, /bad input/);
  assert.deepEqual(JSON.parse(Buffer.from(dlq[0]!.value.valueBase64, 'base64').toString()), { fail: true });
  assert.deepEqual(d.readOutput('out').map((r) => r.value), [{ count: 1 }]);
});
