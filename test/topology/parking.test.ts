/**
 * Per-key parking through the whole topology in the test driver (one task per sub-topology, so
 * every person shares one partition, as the runtime's task would), with the real DFØ simulator over
 * HTTP: an event whose handling fails retriably is parked, every later event of the same key waits
 * behind it and is applied after it, in order, and every other key flows on. Also: stores written
 * by the version before the queues, and a parked event that can never be handled.
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { startDfoSimulator, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { FAMILY_NAMES, GIVEN_NAMES } from '../../tools/dfo-simulator/names.ts';
import { createDfoSource } from '../../connectors/dfo/index.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { osloMidnightUtc } from '../../src/iga/clock.ts';
import type { Account, Affiliation } from '../../src/iga/model.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { TopologyTestDriver } from '../../src/runtime/testing/testDriver.ts';
import type { AuditRecord } from '../../src/topology/contracts/audit.ts';
import type { DfoSource, IgaDeps } from '../../src/topology/ports.ts';
import type { Cause, PersonEvent } from '../../src/topology/contracts/messages.ts';
import { dueKey } from '../../src/topology/processors/parking.ts';
import { buildIgaTopology } from '../../src/topology/topology.ts';
import { ansatt, stilling } from '../e2e/stack.ts';

const APP = 'parking-test';
const T = topicNames(APP);
const PERSON_EVENTS = T.personEvents;
const START = Date.parse('2026-03-02T09:00:00Z');
const PARK_MS = 5000;
const OPEN = '9999-12-31';
const raw = (kind: 'ansatte' | 'stillinger', id: string, notBefore: string | null = null) => ({ kind, id, notBefore, source: { messageId: `m-${kind}-${id}` } });
const rawInput = (kind: 'ansatte' | 'stillinger', id: string) => ({ key: `${kind}:${id}`, value: raw(kind, id) });
const nameOf = (i: number) => [GIVEN_NAMES[i % GIVEN_NAMES.length]!, FAMILY_NAMES[Math.floor(i / GIVEN_NAMES.length) % FAMILY_NAMES.length]!] as const;

describe('parking (test driver, DFØ simulator over HTTP)', () => {
  let sim: DfoSimulator;
  const drivers: TopologyTestDriver[] = [];

  beforeAll(async () => {
    sim = await startDfoSimulator({ today: () => '2026-03-02' });
  });
  beforeEach(() => sim.setFaults({}));
  afterAll(async () => {
    for (const d of drivers) await d.close();
    await sim?.close();
  });

  function depsWith(dfo: DfoSource): IgaDeps {
    return {
      appId: APP, dfo, policy: makePolicy({ version: 'p1' }), emailDomain: 'uib.no',
      resourceUriPrefix: 'https://x.example/scim/v2', punctuateIntervalMs: 1000, parkRetryMs: PARK_MS,
    };
  }

  /** A driver that has run its first punctuation; `setUp` runs on its stores before the processors start. */
  async function start(opts: { dfo?: DfoSource; prefetch?: boolean; setUp?: (d: TopologyTestDriver) => void } = {}): Promise<TopologyTestDriver> {
    const dfo = opts.dfo ?? createDfoSource({ baseUrl: sim.url, retry: { attempts: 1 } });
    const driver = new TopologyTestDriver(buildIgaTopology(depsWith(dfo)), { appId: APP, startTime: START, deadLetterTopic: T.dlq, prefetch: opts.prefetch ?? false });
    drivers.push(driver);
    opts.setUp?.(driver);
    await driver.init();
    await driver.advanceWallClockTime(1000);
    return driver;
  }

  const affiliationsOf = async (d: TopologyTestDriver, id: string) => (await d.getStore<{ affiliations: Affiliation[] }>('persons').get(id))?.affiliations;

  test('a parked holder event never overwrites a newer one for the same person and position (stale dates)', async () => {
    await sim.upsertEmployee(ansatt('100001', 'Kari', 'Nordmann'));
    await sim.upsertPosition(stilling('30000001', [['100001', '2026-01-01', '2026-12-31']]));
    const driver = await start();
    // The person is unknown, so the holder event fetches the employee: that one call fails, and the event is parked.
    sim.setFaults({ only: 'ansatte', serverError: { count: 1 } });
    await driver.pipeInput(T.raw, 'stillinger:30000001', raw('stillinger', '30000001'));
    // HR extends the holding; the newer holder event comes while the first is parked, and DFØ answers again.
    await sim.upsertPosition(stilling('30000001', [['100001', '2026-01-01', '2027-06-30']]));
    await driver.pipeInput(T.raw, 'stillinger:30000001', raw('stillinger', '30000001'));
    await driver.advanceWallClockTime(PARK_MS + 1000); // the parked event's retry is due
    assert.deepEqual(await affiliationsOf(driver, '100001'), [{ positionId: '30000001', startDate: '2026-01-01', endDate: '2027-06-30' }],
      'the newer dates stand: the parked event was applied before the newer one, not after it');
  });

  test('two events of one person that fail in the same millisecond are both kept and applied', async () => {
    await sim.upsertEmployee(ansatt('100011', 'Åse', 'Berg'));
    await sim.upsertPosition(stilling('30000011', [['100011', '2020-01-01', OPEN]]));
    await sim.upsertPosition(stilling('30000012', [['100011', '2021-01-01', OPEN]]));
    const driver = await start();
    sim.setFaults({ only: 'ansatte', ids: ['100011'], serverError: { share: 1 } });
    await driver.pipeInputs(T.raw, [rawInput('stillinger', '30000011'), rawInput('stillinger', '30000012')]);
    sim.setFaults({});
    await driver.advanceWallClockTime(PARK_MS);
    assert.deepEqual((await affiliationsOf(driver, '100011'))?.map((a) => a.positionId), ['30000011', '30000012'], 'neither event was lost');
  });

  test('one person DFØ fails for delays no one else among 2,000 on the partition; once DFØ answers, their events apply in order', async (context) => {
    // 2,000 persons, two per position; X holds position 30100250 with 100499.
    const X = '100500';
    for (let i = 1; i <= 2000; i++) await sim.upsertEmployee(ansatt(String(100000 + i), ...nameOf(i)));
    for (let p = 1; p <= 1000; p++) await sim.upsertPosition(stilling(String(30100000 + p), [[String(100000 + 2 * p - 1), '2020-01-01', OPEN], [String(100000 + 2 * p), '2020-01-01', OPEN]]));
    // The client's own retries, as in production (4 attempts, backoff from 200 ms): their cost is measured below.
    const driver = await start({ dfo: createDfoSource({ baseUrl: sim.url }), prefetch: true });
    sim.setFaults({ only: 'ansatte', ids: [X], serverError: { share: 1 } });
    const accountsNow = new Map<string, Account>();
    const readAccounts = () => { for (const r of driver.readOutput<Account>(T.accounts)) accountsNow.set(r.value.personId, r.value); };

    // The first 1,000 persons. X's position comes alone, and so does one other position before it,
    // to measure how long the in-line first attempt (the client's retries) holds the partition.
    const timed = async (id: string) => { const t0 = performance.now(); await driver.pipeInput(T.raw, `stillinger:${id}`, raw('stillinger', id)); return performance.now() - t0; };
    await driver.pipeInputs(T.raw, Array.from({ length: 500 }, (_, p) => rawInput('stillinger', String(30100001 + p))).filter((r) => !/:3010025[01]$/.test(r.key)));
    const plainMs = await timed('30100251');
    const xMs = await timed('30100250');
    const firstRequests = sim.requestCount('ansatte', X);
    assert.equal(firstRequests, 4, "X's first event: the client's 4 attempts (read ahead), not fetched again, then parked");
    readAccounts();
    assert.equal(accountsNow.size, 999, 'everyone of the first 1,000 but X has an account');
    assert.ok(!accountsNow.has(X));

    // HR changes for X (an end date, a second position, a changed employee) among the next 1,000 new persons.
    await sim.upsertPosition(stilling('30100250', [['100499', '2020-01-01', OPEN], [X, '2020-01-01', '2027-06-30']]));
    await sim.upsertPosition(stilling('30109999', [[X, '2026-03-01', OPEN]]));
    await sim.upsertEmployee(ansatt(X, ...nameOf(500), { fnr: '02027012345' }));
    const second = Array.from({ length: 500 }, (_, p) => rawInput('stillinger', String(30100501 + p)));
    second.splice(100, 0, rawInput('stillinger', '30100250'));
    second.splice(300, 0, rawInput('stillinger', '30109999'));
    second.splice(400, 0, rawInput('ansatte', X));
    const started = performance.now();
    await driver.pipeInputs(T.raw, second);
    const secondMs = performance.now() - started;
    readAccounts();
    assert.equal(accountsNow.size, 1999, 'all 1,999 others have accounts, none waited for X');
    assert.equal(sim.requestCount('ansatte', X), firstRequests, "X's later events waited behind the parked one without asking DFØ");
    context.annotate(`a position with 2 new holders: ${plainMs.toFixed(0)} ms; the same with X (4 requests answered 500, client backoff 200/400/800 ms full jitter): ` +
      `${xMs.toFixed(0)} ms, once; the next 1,000 persons with 3 events of X queued: ${secondMs.toFixed(0)} ms, no request for X`);

    // The parked retry is one quick request, not the client's four; X is still failing.
    await driver.advanceWallClockTime(PARK_MS);
    assert.equal(sim.requestCount('ansatte', X), firstRequests + 1);
    readAccounts();
    assert.ok(!accountsNow.has(X));

    // DFØ answers for X again: at the next retry (the wait doubled) X's events apply in the order they came.
    sim.setFaults({});
    await driver.advanceWallClockTime(2 * PARK_MS);
    readAccounts();
    assert.equal(accountsNow.get(X)?.active, true, 'X has an account');
    assert.deepEqual(await affiliationsOf(driver, X), [
      { positionId: '30100250', startDate: '2020-01-01', endDate: '2027-06-30' },
      { positionId: '30109999', startDate: '2026-03-01', endDate: null },
    ]);
    const xAudits = driver.readOutput<AuditRecord>(T.audit).map((r) => r.value).filter((a) => a.employeeId === X && a.cause.kind !== 'username');
    // X's first holder event came first: it claimed the username. The later events found the claim
    // open (no change, no audit record) and the ansatte event, last, the employee just fetched; the
    // affiliations above (the end date of the second 30100250 event) show they applied in order.
    assert.deepEqual(xAudits.map((a) => [a.cause.kind, a.cause.id, a.decision]), [['stillinger', '30100250', 'request-username']],
      "the one decision that changed something, on X's first event");
    const stored = await driver.getStore<{ employee: { nin: string | null } }>('persons').get(X);
    assert.equal(stored?.employee.nin, '02027012345', 'the employee from the last event');
  });

  test('a position DFØ fails for is parked; later events of that position wait behind it, other positions flow on', async () => {
    await sim.upsertEmployee(ansatt('100701', 'Liv', 'Lie'));
    await sim.upsertEmployee(ansatt('100702', 'Ola', 'Aas'));
    await sim.upsertPosition(stilling('30000701', [['100701', '2020-01-01', OPEN]]));
    await sim.upsertPosition(stilling('30000702', [['100702', '2020-01-01', OPEN]]));
    const driver = await start();
    sim.setFaults({ only: 'stillinger', ids: ['30000701'], serverError: { share: 1 } });
    await driver.pipeInputs(T.raw, [rawInput('stillinger', '30000701'), rawInput('stillinger', '30000702'), rawInput('stillinger', '30000701')]);
    assert.deepEqual(driver.readOutput<Account>(T.accounts).map((r) => r.value.personId), ['100702']);
    assert.equal(sim.requestCount('stillinger', '30000701'), 1, 'the second event of 30000701 waits without a request');
    sim.setFaults({});
    await driver.advanceWallClockTime(PARK_MS);
    assert.deepEqual(driver.readOutput<Account>(T.accounts).map((r) => r.value.personId), ['100701']);
    assert.equal(sim.requestCount('stillinger', '30000701'), 3, 'the parked event was retried, then the one behind it handled');
    const causes = driver.readOutput<AuditRecord>(T.audit).map((r) => r.value).filter((a) => a.cause.id === '30000701').map((a) => a.cause.raw!.offset);
    assert.deepEqual(causes, ['0'], 'the first event made the change; the second, handled after it, found nothing new');
    const left: string[] = [];
    for await (const [k] of driver.getStore('deferred').range()) left.push(k);
    assert.deepEqual(left, ['queue-format'], 'nothing is left parked');
  });

  test('stores written before the queues: parked and held events are restored and handled, a key\'s events in order', async () => {
    await sim.upsertEmployee(ansatt('100801', 'Siri', 'Dahl'));
    await sim.upsertEmployee(ansatt('100802', 'Eirik', 'Moen'));
    await sim.upsertEmployee(ansatt('100803', 'Thea', 'Ruud'));
    await sim.upsertPosition(stilling('30000802', [['100802', '2020-01-01', OPEN]]));
    await sim.upsertPosition(stilling('30000803', [['100803', '2026-03-05', OPEN]]));
    const cause = (kind: Cause['kind'], id: string, offset: string): Cause => ({ kind, id, amqpMessageId: `m-${offset}`, raw: { topic: T.raw, partition: 0, offset } });
    const holder = (positionId: string, endDate: string, offset: string): PersonEvent =>
      ({ type: 'holder', employeeId: '100801', positionId, ranges: [{ startDate: '2020-01-01', endDate }], cause: cause('stillinger', positionId, offset), dfoResponse: {} });
    // Exactly what the earlier version wrote: `<due>|<id>` → {event, attempts} (person) and {event, cause, attempts} (dfo-events),
    // two parked events of one person, and an event held until its gyldigEtter day.
    const driver = await start({
      setUp(d) {
        const personDeferred = d.getStore<unknown>('person-deferred');
        personDeferred.put(dueKey(START + 2000, '100801'), { event: holder('30000801', '2026-12-31', '11'), attempts: 2 });
        personDeferred.put(dueKey(START + 3000, '100801'), { event: holder('30000801', '2027-12-31', '12'), attempts: 1 });
        const deferred = d.getStore<unknown>('deferred');
        deferred.put(dueKey(START + 2000, 'stillinger:30000802'), { event: raw('stillinger', '30000802'), cause: cause('stillinger', '30000802', '13'), attempts: 3 });
        deferred.put(dueKey(osloMidnightUtc('2026-03-05').getTime(), 'stillinger:30000803:14'), { event: raw('stillinger', '30000803', '2026-03-05'), cause: cause('stillinger', '30000803', '14'), attempts: 0 });
      },
    });
    // A newer holder event for the person arrives before the old ones are due: it waits behind them.
    await driver.pipeInput(PERSON_EVENTS, '100801', holder('30000801', '2028-12-31', '15'));
    assert.deepEqual(driver.readOutput(T.audit), [], 'nothing decided yet');
    await driver.advanceWallClockTime(5000);
    assert.deepEqual(await affiliationsOf(driver, '100801'), [{ positionId: '30000801', startDate: '2020-01-01', endDate: '2028-12-31' }], 'the newest dates stand');
    const audits = driver.readOutput<AuditRecord>(T.audit).map((r) => r.value).filter((a) => a.cause.kind === 'stillinger');
    // 100801's first event (11) claimed the username; 12 and 15 found the claim open (no audit
    // record); the newest dates standing show 15 applied last.
    assert.deepEqual(audits.map((a) => [a.employeeId, a.cause.raw!.offset]), [['100801', '11'], ['100802', '13']]);
    assert.deepEqual(driver.readOutput<Account>(T.accounts).map((r) => r.value.personId).sort(), ['100801', '100802']);
    // The held event's day comes.
    await driver.setWallClockTime(osloMidnightUtc('2026-03-05').getTime() + 1000);
    assert.deepEqual(driver.readOutput<Account>(T.accounts).map((r) => r.value.personId), ['100803']);
  });

  test('a parked event that fails for good on retry is dead-lettered; the events behind it and other persons go on', async () => {
    await sim.upsertEmployee(ansatt('100901', 'Nora', 'Eide'));
    await sim.upsertEmployee(ansatt('100902', 'Jakob', 'Tveit'));
    await sim.upsertPosition(stilling('30000901', [['100901', '2020-01-01', OPEN]]));
    await sim.upsertPosition(stilling('30000902', [['100901', '2021-01-01', OPEN]]));
    await sim.upsertPosition(stilling('30000903', [['100902', '2020-01-01', OPEN]]));
    const driver = await start();
    sim.setFaults({ only: 'ansatte', ids: ['100901', '100902'], serverError: { share: 1 } });
    await driver.pipeInputs(T.raw, ['30000901', '30000902', '30000903'].map((id) => rawInput('stillinger', id)));
    // DFØ answers again, but with an employee record that cannot be read (a bad start date) for 100901.
    sim.setFaults({});
    await sim.upsertEmployee(ansatt('100901', 'Nora', 'Eide', { startdato: '2020-13-45' }));
    await driver.advanceWallClockTime(PARK_MS);
    const dead = driver.readOutput<{ reason: string; key: string; origin: { offset: string } | null }>(T.dlq).map((r) => r.value);
    assert.deepEqual(dead.map((d) => [d.key, d.origin?.offset]), [['100901', '0'], ['100901', '1']], 'both events of 100901, each with its raw record');
    assert.ok(dead.every((d) => /SourceInvalid/.test(d.reason)), dead.map((d) => d.reason).join('; '));
    assert.deepEqual(driver.readOutput<Account>(T.accounts).map((r) => r.value.personId), ['100902'], 'the other parked person got the account in the same round');
    await driver.advanceWallClockTime(4 * PARK_MS);
    assert.deepEqual(driver.readOutput(T.dlq), [], 'dead-lettered once, not retried again');
  });
});
