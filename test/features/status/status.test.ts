/** The status summary: how partitions add up per group, and what `iga-stream status` prints. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { renderStatus } from '../../../src/cli/commands/status.ts';
import { groupProgress, type InstanceStatus } from '../../../src/features/status/status.ts';

const lag = (topic: string, partition: number, behind: number, caughtUp: boolean) => ({ topic, partition, committed: '1', end: String(1 + behind), behind, caughtUp });

test('groupProgress: a topic lags when one of its partitions has records left; markers alone do not count', () => {
  const p = groupProgress('app', [lag('raw', 0, 1, true), lag('raw', 1, 0, true), lag('persons', 0, 7, false), lag('persons', 1, 2, true)]);
  assert.deepEqual(p, { group: 'app', behind: 10, caughtUp: false, lagging: [{ topic: 'persons', behind: 9 }] });
  assert.deepEqual(groupProgress('app', [lag('raw', 0, 1, true)]), { group: 'app', behind: 1, caughtUp: true, lagging: [] });
  assert.deepEqual(groupProgress('app', []), { group: 'app', behind: 0, caughtUp: true, lagging: [] });
});

const base: InstanceStatus = {
  instance: 'node-1', app: 'iga-uib', startedAt: '2026-12-01T10:00:00.000Z', uptimeSeconds: 7260, ready: true,
  parts: { streams: true, accountReplica: true, ingress: true },
  streams: { state: 'running', tasks: ['0_0', '1_0'] },
  progress: { topology: { group: 'iga-uib', behind: 2, caughtUp: true, lagging: [] }, egress: { group: 'iga-uib.egress', behind: 0, caughtUp: true, lagging: [] } },
  replicas: { accounts: { ready: true, records: 40405 }, explain: { ready: true, lag: 0 } },
  ingress: { connected: true, received: 12, accepted: 12, deadLettered: 0, requeued: 0 },
  egress: { connected: true, published: 9, deadLettered: 0 },
  brake: { heldGroups: 0, heldBlocks: 0, collectingGroups: 0 },
  reconcile: { running: null, last: { runId: 'r1', endedAt: '2026-12-01T02:30:04.000Z', outcome: 'clean', trigger: 'schedule', drift: 0 } },
  deadLetterOffsets: 0,
};

test('a healthy instance reads as READY and caught up, with nothing held and no dead letters', () => {
  const text = renderStatus({ ...base, url: 'http://node-1:9464' });
  assert.match(text, /^Instance node-1 \(http:\/\/node-1:9464\), app iga-uib, up 2 h 1 min: READY\n/);
  assert.match(text, /streams {5}running, 2 tasks: 0_0 1_0/);
  assert.match(text, /topology {4}caught up \(group iga-uib\)/);
  assert.match(text, /notify {6}caught up \(group iga-uib\.egress\)/);
  assert.match(text, /replicas {4}accounts ready \(40405 records\); explain ready/);
  assert.match(text, /ingress {5}connected: 12 received, 12 accepted, 0 dead lettered, 0 requeued/);
  assert.match(text, /brake {7}nothing held/);
  assert.match(text, /reconcile {3}last run r1 \(schedule\) ended 2026-12-01T02:30:04.000Z: clean, 0 drift\(s\)/);
  assert.match(text, /dead letters none/);
});

test('the bad news is spelled out: not ready, lagging topics, held blocks, disconnected ingress, dead letters', () => {
  const text = renderStatus({
    ...base, ready: false, parts: { streams: true, accountReplica: false, ingress: false },
    progress: { topology: { group: 'iga-uib', behind: 120, caughtUp: false, lagging: [{ topic: 'iga-uib.dfo.events', behind: 120 }] }, egress: null },
    replicas: { accounts: { ready: false, records: 10 } },
    ingress: { connected: false, received: 0, accepted: 0, deadLettered: 0, requeued: 0 },
    brake: { heldGroups: 2, heldBlocks: 61, collectingGroups: 1 },
    reconcile: { running: 'r2', last: null },
    deadLetterOffsets: 3,
  });
  assert.match(text, /: NOT READY \(accountReplica, ingress\)/);
  assert.match(text, /topology {4}120 offsets behind \(group iga-uib\): iga-uib\.dfo\.events 120/);
  assert.match(text, /notify {6}not running here/);
  assert.match(text, /accounts CATCHING UP \(10 records\)/);
  assert.match(text, /ingress {5}DISCONNECTED/);
  assert.match(text, /brake {7}2 group\(s\) HELD \(61 blocks\): iga-stream brake list, 1 collecting/);
  assert.match(text, /reconcile {3}no run yet; run r2 in progress here/);
  assert.match(text, /dead letters 3 offsets in the dead-letter topic/);
});
