/** The replay topic's marker headers: where a copy came from, and which reprocess run made it. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { newReprocessRunId, REPLAY_HEADERS, replayedFrom, replayRunOf } from '../../../src/topology/contracts/raw.ts';
import { topicNames } from '../../../src/topology/contracts/topics.ts';

test('the replay topic is <app>-<raw topic>-replay', () => {
  assert.equal(topicNames('iga').replay, 'iga-iga.dfo.events-replay');
});

test('replayedFrom: the original record (same partition) only when both headers are sound', () => {
  const copy = { topic: 'iga-iga.dfo.events-replay', partition: 4, offset: '9' };
  assert.deepEqual(replayedFrom({ [REPLAY_HEADERS.topic]: 'iga.dfo.events', [REPLAY_HEADERS.offset]: '17' }, copy), { topic: 'iga.dfo.events', partition: 4, offset: '17' });
  assert.equal(replayedFrom({}, copy), undefined, 'an original');
  assert.equal(replayedFrom({ [REPLAY_HEADERS.topic]: 'iga.dfo.events', [REPLAY_HEADERS.offset]: '-1' }, copy), undefined);
  assert.equal(replayedFrom({ [REPLAY_HEADERS.topic]: 'iga.dfo.events' }, copy), undefined);
  assert.equal(replayedFrom({ [REPLAY_HEADERS.topic]: 'iga.dfo.events', [REPLAY_HEADERS.offset]: '17' }, null), undefined, 'no origin (punctuation)');
});

test('a run id says when the run started, and two runs in one millisecond still differ', () => {
  const at = Date.parse('2026-12-01T13:15:02.345Z');
  const a = newReprocessRunId(at);
  assert.match(a, /^20261201T131502Z-[0-9a-z]{1,6}$/);
  const many = new Set(Array.from({ length: 200 }, () => newReprocessRunId(at)));
  assert.ok(many.size > 190, `${many.size} distinct of 200`);
  assert.equal(replayRunOf({ [REPLAY_HEADERS.run]: a }), a, 'a run id passes its own header check');
});

test('replayRunOf accepts only a plausible run id', () => {
  assert.equal(replayRunOf({}), undefined);
  assert.equal(replayRunOf({ [REPLAY_HEADERS.run]: '' }), undefined);
  assert.equal(replayRunOf({ [REPLAY_HEADERS.run]: 'x'.repeat(101) }), undefined);
  assert.equal(replayRunOf({ [REPLAY_HEADERS.run]: 'run with spaces' }), undefined);
  assert.equal(replayRunOf({ [REPLAY_HEADERS.run]: 'ops-2026:manual.1' }), 'ops-2026:manual.1');
});
