/**
 * The mass-change brake through the whole topology in the test driver, with the real DFØ simulator
 * over HTTP: a position losing more holders than the limit is held (no account changes, every
 * member's audit says held) until an operator releases it (all blocked) or discards it (none
 * blocked, and the same inputs are not proposed again); a person who became eligible while held is
 * not blocked on release; a small block passes after the settle window; nothing but blocks waits.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { startDfoSimulator, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { createDfoSource } from '../../connectors/dfo/index.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import type { Account } from '../../src/iga/model.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { TopologyTestDriver } from '../../src/runtime/testing/testDriver.ts';
import type { AuditRecord } from '../../src/topology/contracts/audit.ts';
import { BRAKE_KEY, type BrakeControl } from '../../src/topology/contracts/brake.ts';
import type { BrakeGroup } from '../../src/topology/contracts/stores.ts';
import type { IgaDeps } from '../../src/topology/ports.ts';
import type { NotifyRecord } from '../../src/topology/contracts/notify.ts';
import { buildIgaTopology } from '../../src/topology/topology.ts';
import { REPLAY_HEADERS } from '../../src/topology/contracts/raw.ts';
import { ansatt, stilling } from '../e2e/stack.ts';

const APP = 'brake-test';
const T = topicNames(APP);
const OPEN = '9999-12-31';
const SETTLE = 1000;
const raw = (kind: 'ansatte' | 'stillinger', id: string) => ({ kind, id, notBefore: null, source: { messageId: `m-${kind}-${id}` } });
const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => String(from + i));

/** The DFØ simulator and the whole topology in the test driver; the brake holds more than 3 blocks of one cause. */
async function startBrakeTopology(windowMs: number): Promise<{ sim: DfoSimulator; driver: TopologyTestDriver }> {
  const sim = await startDfoSimulator({ today: () => '2026-03-02' });
  const deps: IgaDeps = {
    appId: APP, dfo: createDfoSource({ baseUrl: sim.url, retry: { attempts: 1 } }), policy: makePolicy({ version: 'brake-test' }),
    emailDomain: 'uib.no', resourceUriPrefix: 'https://x.example/scim/v2', punctuateIntervalMs: 500,
    brake: { maxBlocks: 3, maxShare: 0, minBlocks: 0, windowMs, settleMs: SETTLE },
  };
  const driver = await new TopologyTestDriver(buildIgaTopology(deps), { appId: APP, startTime: Date.parse('2026-03-02T09:00:00Z') }).init();
  return { sim, driver };
}

describe('mass-change brake in the topology', () => {
  let sim: DfoSimulator;
  let driver: TopologyTestDriver;
  const audits = () => driver.readOutput<AuditRecord>(T.audit).map((r) => r.value);
  const accounts = () => driver.readOutput<Account>(T.accounts).map((r) => r.value);
  const notifies = () => driver.readOutput<NotifyRecord>(T.notify).map((r) => r.value);
  /** Runs the brake's punctuation until the settle window surely ended (it counts ticks of SETTLE / 4). */
  const settle = async () => { for (let i = 0; i < 6; i++) await driver.advanceWallClockTime(SETTLE / 4); };
  const group = (id: string) => driver.getStore<BrakeGroup>('brake').get(`group:${id}`);
  const control = (type: BrakeControl['type'], g: string) => driver.pipeInput(T.brake, BRAKE_KEY, { type, group: g, by: 'test', at: new Date(driver.currentTime).toISOString() } satisfies BrakeControl);
  /** A position with these holders, announced; every current holder gets an account. */
  async function position(id: string, holders: string[]): Promise<void> {
    for (const h of holders) await sim.upsertEmployee(ansatt(h, `Given${h}`, `Family${h}`));
    await sim.upsertPosition(stilling(id, holders.map((h) => [h, '2020-01-01', OPEN])));
    await driver.pipeInput(T.raw, `stillinger:${id}`, raw('stillinger', id));
  }
  async function emptyPosition(id: string, keep: string[] = []): Promise<void> {
    await sim.upsertPosition(stilling(id, keep.map((h) => [h, '2020-01-01', OPEN])));
    await driver.pipeInput(T.raw, `stillinger:${id}`, raw('stillinger', id));
  }

  beforeAll(async () => {
    ({ sim, driver } = await startBrakeTopology(3_600_000));
    await position('30000001', ids(100001, 5));
    await position('30000002', ids(100011, 4));
    await position('30000003', ids(100021, 4));
    await position('30000004', ids(100031, 2));
    assert.equal(accounts().filter((a) => a.active).length, 15, 'creates are not braked');
    audits(); notifies();
  });
  afterAll(async () => { await driver?.close(); await sim?.close(); });

  test('a mass block is held: no account changes, every member is on record as held; release blocks them all', async () => {
    await emptyPosition('30000001');
    assert.deepEqual(audits().map((a) => a.rule), Array(5).fill('block-proposed'));
    await settle();
    assert.deepEqual(accounts(), [], 'held: nothing changes');
    assert.deepEqual(notifies(), []);
    const held = audits();
    assert.deepEqual(held.map((a) => [a.decision, a.rule, a.brake?.status, a.brake?.group]), Array(5).fill(['none', 'block-held', 'held', '1']));
    assert.match(held[0]!.detail, /held by the mass-change brake in group 1: 5 blocks from one cause exceed the limit of 3/);
    assert.equal(held[0]!.cause.kind, 'stillinger', 'the cause stays the DFØ event');
    const g = await group('1');
    assert.deepEqual([g?.status, g?.size, g?.cause.id], ['pending', 5, '30000001']);

    // Nothing else waits while the group is held: a new holder gets an account at once.
    await position('30000009', ['100041']);
    assert.deepEqual(accounts().map((a) => [a.personId, a.active]), [['100041', true]]);
    assert.deepEqual(notifies().map((n) => n.type), ['CREATE']);
    audits();

    await control('release', '1');
    const blocked = accounts();
    assert.deepEqual(blocked.map((a) => [a.personId, a.active]).sort(), ids(100001, 5).map((id) => [id, false]));
    assert.deepEqual(notifies().map((n) => [n.type, n.attributes?.[0]]), Array(5).fill(['MODIFY', 'active']));
    const done = audits();
    assert.deepEqual(done.map((a) => [a.decision, a.rule, a.brake?.status]), Array(5).fill(['block', 'block-not-eligible', 'released']));
    assert.equal(done[0]!.cause.amqpMessageId, 'm-stillinger-30000001');
    assert.deepEqual(done[0]!.dfoResponses.map((d) => d.resource), ['stillinger'], 'the proposal\'s DFØ response travels with it');
    assert.equal(await group('1'), undefined);
  });

  test('a discarded mass block leaves the accounts active; the same news again changes nothing', async () => {
    await emptyPosition('30000002');
    await settle();
    assert.equal((await group('2'))?.status, 'pending');
    audits();
    await control('discard', '2');
    assert.deepEqual(accounts(), []);
    assert.deepEqual(notifies(), []);
    assert.deepEqual(audits().map((a) => [a.rule, a.brake?.status]), Array(4).fill(['block-discarded', 'discarded']));
    assert.equal(await group('2'), undefined);
    // DFØ sends the same news again: nothing is proposed (the fingerprint rule for re-runs is in test/iga/brake.test.ts).
    await driver.pipeInput(T.raw, 'stillinger:30000002', raw('stillinger', '30000002'));
    await settle();
    assert.deepEqual(audits().filter((a) => a.rule === 'block-proposed'), []);
    assert.deepEqual(accounts(), []);
    assert.equal(await group('3'), undefined, 'no new group');
  });

  test('a person who became eligible again while held is not blocked on release', async () => {
    await emptyPosition('30000003');
    await settle();
    assert.equal((await group('3'))?.status, 'pending');
    await emptyPosition('30000003', ['100021']); // 100021 is back in the position
    audits();
    await control('release', '3');
    assert.deepEqual(accounts().map((a) => [a.personId, a.active]).sort(), [['100022', false], ['100023', false], ['100024', false]]);
    const back = audits().find((a) => a.employeeId === '100021');
    assert.deepEqual([back?.decision, back?.rule], ['none', 'up-to-date']);
  });

  test('a small block passes after the settle window, and the released blocks do not count in the window', async () => {
    await emptyPosition('30000004');
    assert.deepEqual(accounts(), [], 'waits for the settle window');
    await settle();
    assert.deepEqual(accounts().map((a) => [a.personId, a.active]).sort(), [['100031', false], ['100032', false]]);
    assert.deepEqual(audits().filter((a) => a.decision === 'block').map((a) => a.brake?.status), ['approved', 'approved']);
  });

  test('the census tells the brake how many accounts are active', async () => {
    await driver.advanceWallClockTime(1000);
    let active = 0;
    for await (const [k, v] of driver.getStore<{ active: number }>('brake').range({ gte: 'census:', lt: 'census:\uffff' })) if (k) active += v.active;
    assert.equal(active, 15 + 1 - 5 - 3 - 2);
  });
});

describe('mass-change brake: one reprocess run is one cause', () => {
  let sim: DfoSimulator;
  let driver: TopologyTestDriver;
  const audits = () => driver.readOutput<AuditRecord>(T.audit).map((r) => r.value);
  const accounts = () => driver.readOutput<Account>(T.accounts).map((r) => r.value);

  beforeAll(async () => {
    // No sliding window: each group is judged alone, so only the grouping can hold these blocks.
    ({ sim, driver } = await startBrakeTopology(0));
    for (const [position, holders] of [['30000011', ids(100101, 2)], ['30000012', ids(100111, 2)]] as const) {
      for (const h of holders) await sim.upsertEmployee(ansatt(h, `Given${h}`, `Family${h}`));
      await sim.upsertPosition(stilling(position, holders.map((h) => [h, '2020-01-01', OPEN])));
      await driver.pipeInput(T.raw, `stillinger:${position}`, raw('stillinger', position));
    }
    assert.equal(accounts().filter((a) => a.active).length, 4);
    audits();
  });
  afterAll(async () => { await driver?.close(); await sim?.close(); });

  test('blocks from events replayed by one run form one group (2 + 2 > 3 is held); the audit names the run', async () => {
    // DFØ emptied both positions without telling us; a reprocess run replays both notifications.
    for (const position of ['30000011', '30000012']) await sim.upsertPosition(stilling(position, []));
    const run = '20260302T090000Z-abc123';
    for (const [offset, position] of [['0', '30000011'], ['1', '30000012']] as const) {
      await driver.pipeInput(T.replay, `stillinger:${position}`, raw('stillinger', position), {
        [REPLAY_HEADERS.topic]: T.raw, [REPLAY_HEADERS.offset]: offset, [REPLAY_HEADERS.timestamp]: '0', [REPLAY_HEADERS.run]: run,
      });
    }
    for (let i = 0; i < 6; i++) await driver.advanceWallClockTime(SETTLE / 4);
    assert.deepEqual(accounts(), [], 'held: nothing changes');
    const held = audits().filter((a) => a.rule === 'block-held');
    assert.equal(held.length, 4);
    assert.ok(held.every((a) => a.brake?.group === held[0]!.brake?.group), 'one group');
    assert.ok(held.every((a) => a.cause.replayRun === run && a.cause.replayOf?.topic === T.raw));
    const g = await driver.getStore<BrakeGroup>('brake').get(`group:${held[0]!.brake!.group}`);
    assert.deepEqual([g?.status, g?.size, g?.causeKey], ['pending', 4, `reprocess:${run}`]);
  });
});
