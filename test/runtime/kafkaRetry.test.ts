/** retryKafka: which errors are retried, for how long, and what runs between attempts. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { isRetriable } from '../../src/runtime/api/errors.ts';
import { retryKafka } from '../../src/runtime/kafka/retry.ts';

const retriable = (message: string) => Object.assign(new Error(message), { retriable: true, type: 'NOT_LEADER_FOR_PARTITION' });
const noSleep = async () => undefined;

test('retryKafka decides by isRetriable, which reads only the retriable flag', () => {
  assert.equal(isRetriable(retriable('x')), true);
  assert.equal(isRetriable(Object.assign(new Error('x'), { retriable: false })), false);
  assert.equal(isRetriable(new Error('This server is not the leader for that topic-partition')), false, 'never the message');
  for (const v of [null, undefined, 'retriable', 42, { retriable: 'true' }]) assert.equal(isRetriable(v), false);
});

test('a retriable error is retried until the call succeeds; beforeRetry runs before each new attempt', async () => {
  let calls = 0;
  const refreshed: string[] = [];
  const result = await retryKafka(async () => {
    calls++;
    if (calls < 4) throw retriable(`attempt ${calls}`);
    return 'bounds';
  }, { sleep: noSleep, beforeRetry: async (err) => { refreshed.push((err as Error).message); } });
  assert.equal(result, 'bounds');
  assert.equal(calls, 4);
  assert.deepEqual(refreshed, ['attempt 1', 'attempt 2', 'attempt 3']);
});

test('a non-retriable error is thrown at once, without a retry', async () => {
  let calls = 0;
  const fatal = Object.assign(new Error('TOPIC_AUTHORIZATION_FAILED'), { retriable: false });
  await assert.rejects(retryKafka(async () => { calls++; throw fatal; }, { sleep: noSleep }), (err) => err === fatal);
  assert.equal(calls, 1);
});

test('a failing beforeRetry does not stop the retries', async () => {
  let calls = 0;
  const r = await retryKafka(async () => { if (++calls < 3) throw retriable('x'); return calls; }, { sleep: noSleep, beforeRetry: async () => { throw new Error('metadata refresh failed'); } });
  assert.equal(r, 3);
});

test('after the timeout the last retriable error is thrown; pauses double from 100 ms and stay at 2 s', async () => {
  let clock = 0;
  const pauses: number[] = [];
  let calls = 0;
  await assert.rejects(
    retryKafka(async () => { throw retriable(`attempt ${++calls}`); }, {
      timeoutMs: 10_000, now: () => clock, sleep: async (ms) => { pauses.push(ms); clock += ms; },
    }),
    (err: Error) => err.message === `attempt ${calls}`,
  );
  assert.deepEqual(pauses, [100, 200, 400, 800, 1600, 2000, 2000, 2000]);
  assert.equal(calls, pauses.length + 1, 'one attempt more than pauses');
  assert.ok(clock <= 10_000, 'never sleeps past the timeout');
});

test('retryIf chooses what is retried: a non-retriable error it accepts is retried, a retriable one it refuses is thrown at once', async () => {
  let calls = 0;
  const notFound = Object.assign(new Error('Failed to find group coordinator'), { retriable: false, name: 'KafkaJSGroupCoordinatorNotFound' });
  const result = await retryKafka(async () => {
    if (++calls < 3) throw notFound;
    return 'producer';
  }, { sleep: noSleep, retryIf: (err) => err === notFound });
  assert.equal(result, 'producer');
  assert.equal(calls, 3);
  let refused = 0;
  await assert.rejects(retryKafka(async () => { refused++; throw retriable('leader moved'); }, { sleep: noSleep, retryIf: () => false }), /leader moved/);
  assert.equal(refused, 1);
});
