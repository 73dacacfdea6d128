/**
 * The brake store's typed records (src/topology/contracts/brakeStore.ts). `fixtures/brake-store-v1.json`
 * is the whole `brake` store as the untyped brake wrote it (main at 4bfa4a4: a run like
 * brake.test.ts's — a held group of 5 blocks, an approved group of 2 in the window, a group of 4
 * still collecting, one census). It must still read, and the brake must go on from it after an
 * upgrade: release the held group, judge the collecting one, and number the next group after the
 * last. A value that does not fit its key's family is refused by name, not taken on trust.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startDfoSimulator, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { createDfoSource } from '../../connectors/dfo/index.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { TopologyTestDriver } from '../../src/runtime/testing/testDriver.ts';
import { BufferedStore } from '../../src/stores/bufferedStore.ts';
import { MemoryBytesStore } from '../../src/stores/memoryBytesStore.ts';
import { BRAKE_KEY, type BlockProposal, type BrakeControl } from '../../src/topology/contracts/brake.ts';
import type { PersonEvent } from '../../src/topology/contracts/messages.ts';
import { BrakeStoreReader, InvalidBrakeStoreValue } from '../../src/topology/contracts/brakeStore.ts';
import { STORE } from '../../src/topology/contracts/stores.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { buildIgaTopology } from '../../src/topology/topology.ts';

const APP = 'brake-fixture';
const T = topicNames(APP);
const SETTLE = 1000;
const FIXTURE = JSON.parse(readFileSync(new URL('./fixtures/brake-store-v1.json', import.meta.url), 'utf8')) as Array<[string, unknown]>;
const HELD = ['100001', '100002', '100003', '100004', '100005'];
const COLLECTING = ['100021', '100022', '100023', '100024'];

function storeWith(entries: Array<[string, unknown]>): BufferedStore<unknown> {
  const store = new BufferedStore<unknown>(new MemoryBytesStore('brake'));
  for (const [k, v] of entries) store.put(k, v);
  return store;
}

describe('the brake store written by the untyped brake', () => {
  test('reads through the typed accessors, every family', async () => {
    const brake = new BrakeStoreReader(storeWith(FIXTURE));
    const groups = await brake.groups();
    assert.deepEqual(groups.map((g) => [g.id, g.status, g.size, g.cause.id]), [['1', 'pending', 5, '30000001'], ['3', 'collecting', 4, '30000003']]);
    assert.match(groups[0]!.reason ?? '', /5 blocks from one cause exceed the limit of 3/);
    assert.deepEqual((await brake.members('1')).map((m) => m.employeeId), HELD);
    assert.deepEqual((await brake.members('3')).map((m) => [m.employeeId, m.cause.amqpMessageId, m.dfoResponses[0]?.resource]), COLLECTING.map((id) => [id, 'm-stillinger-30000003', 'stillinger']));
    assert.equal(await brake.hasMember('1', '100003'), true);
    assert.equal(await brake.hasMember('3', '100003'), false);
    assert.equal(await brake.openGroup(groups[0]!.causeKey), '1');
    assert.equal(await brake.openGroup(groups[1]!.causeKey), '3');
    assert.equal(await brake.activeAccounts(), 9);
    assert.equal(await brake.approvedSince(0), 2);
    assert.equal(await brake.approvedSince(Date.parse('2026-03-02T10:00:00Z')), 0);
    assert.equal(await brake.lastGroupId(), 3);
  });

  test('a value that does not fit its family is refused, naming the key and the field', async () => {
    const brake = new BrakeStoreReader(storeWith([
      ['group:7', { id: '7', causeKey: 'c', status: 'pending', size: 'five', openedAt: '' }],
      ['census:00000', { type: 'census', partition: 0, active: -1, at: '' }],
      ['seq', 'three'],
    ]));
    await assert.rejects(brake.group('7'), (e: unknown) => e instanceof InvalidBrakeStoreValue && /^brake store: group:7: .*size/.test(e.message) && /cause/.test(e.message));
    await assert.rejects(brake.activeAccounts(), /brake store: census:00000: active/);
    await assert.rejects(brake.lastGroupId(), /brake store: seq/);
  });
});

describe('the brake goes on from a store the untyped brake wrote', () => {
  let sim: DfoSimulator;
  let driver: TopologyTestDriver;
  const verdicts = () => driver.readOutput<PersonEvent>(T.accountInputs).map((r) => r.value).flatMap((e) => (e.type === 'brake-verdict' ? [[e.employeeId, e.verdict.verdict, e.verdict.group]] : []));
  const control = (type: BrakeControl['type'], group: string) => driver.pipeInput(T.brake, BRAKE_KEY, { type, group, by: 'test', at: new Date(driver.currentTime).toISOString() } satisfies BrakeControl);

  beforeAll(async () => {
    sim = await startDfoSimulator({ today: () => '2026-03-02' });
    driver = await new TopologyTestDriver(buildIgaTopology({
      appId: APP, dfo: createDfoSource({ baseUrl: sim.url, retry: { attempts: 1 } }), policy: makePolicy({ version: 'brake-fixture' }),
      emailDomain: 'uib.no', resourceUriPrefix: 'https://x.example/scim/v2', punctuateIntervalMs: 500,
      brake: { maxBlocks: 3, maxShare: 0, minBlocks: 0, windowMs: 3_600_000, settleMs: SETTLE },
    }), { appId: APP, deadLetterTopic: T.dlq, startTime: Date.parse('2026-03-02T09:00:05Z') }).init();
    const store = driver.getStore<unknown>(STORE.brake);
    for (const [k, v] of FIXTURE) store.put(k, v);
  });
  afterAll(async () => { await driver?.close(); await sim?.close(); });

  test('releases the held group, holds the collecting one when it settles, and opens group 4 next', async () => {
    await control('release', '1');
    assert.deepEqual(verdicts(), HELD.map((id) => [id, 'released', '1']));
    for (let i = 0; i < 6; i++) await driver.advanceWallClockTime(SETTLE / 4);
    assert.deepEqual(verdicts(), COLLECTING.map((id) => [id, 'held', '3']), '4 blocks of one cause exceed the limit of 3');

    const proposal: BlockProposal = {
      type: 'proposal', causeKey: 'timer:2026-03-02', employeeId: '100031', accountId: 'acc-31', userName: 'x@uib.no',
      cause: { kind: 'timer', id: '2026-03-02', amqpMessageId: null, raw: null }, dfoResponses: [], at: new Date(driver.currentTime).toISOString(),
    };
    await driver.pipeInput(T.brake, BRAKE_KEY, proposal);
    for (let i = 0; i < 6; i++) await driver.advanceWallClockTime(SETTLE / 4);
    assert.deepEqual(verdicts(), [['100031', 'approved', '4']], 'a new group after the last (3); with the 2 approved in the window, 3 blocks are within the limit');
    assert.equal(await new BrakeStoreReader(driver.getStore<unknown>(STORE.brake)).approvedSince(0), 3);
  });

  test('a control for a group whose stored value does not fit is dead-lettered with the reason, not acted on', async () => {
    driver.getStore<unknown>(STORE.brake).put('group:9', { status: 'pending', size: 2 });
    driver.readOutput(T.dlq);
    await control('release', '9');
    const dead = driver.readOutput<{ reason: string }>(T.dlq).map((r) => r.value.reason);
    assert.equal(dead.length, 1);
    assert.match(dead[0]!, /brake store: group:9: .*id/);
    assert.deepEqual(verdicts(), []);
  });
});
