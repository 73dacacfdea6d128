/**
 * Read-ahead of DFØ GETs (Processor.prefetch) through the whole topology in the test driver with
 * the real DFØ simulator over HTTP: the same batch gives the same outputs and stores with and
 * without the hint, the hint really starts the GETs side by side, and a DFØ outage parks events
 * exactly as without it. Plus the Prefetcher's own rules.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { startDfoSimulator, type DfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { createDfoSource } from '../../connectors/dfo/index.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { TopologyTestDriver } from '../../src/runtime/testing/testDriver.ts';
import type { DfoSource, IgaDeps } from '../../src/topology/ports.ts';
import { Prefetcher } from '../../src/topology/processors/prefetcher.ts';
import { buildIgaTopology } from '../../src/topology/topology.ts';
import { ansatt, stilling } from '../e2e/stack.ts';

const APP = 'prefetch-test';
const T = topicNames(APP);
const OPEN = '9999-12-31';
const START = Date.parse('2026-03-02T09:00:00Z');
const raw = (kind: 'ansatte' | 'stillinger', id: string, notBefore: string | null = null) => ({ kind, id, notBefore, source: { messageId: `m-${kind}-${id}` } });
const OUTPUT_TOPICS = [T.accounts, T.notify, T.audit, T.dlq];
const STORES = ['positions', 'deferred', 'persons', 'timers', 'person-deferred', 'accounts', 'usernames'];

/** A DfoSource that counts the calls in flight at once. */
function counting(dfo: DfoSource) {
  const inFlight = { employee: 0, position: 0 };
  const c = { max: 0, maxEmployees: 0, calls: 0, source: {} as DfoSource };
  const wrap = <A extends unknown[], R>(kind: 'employee' | 'position', f: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    c.calls++;
    c.max = Math.max(c.max, ++inFlight[kind] + inFlight[kind === 'employee' ? 'position' : 'employee']);
    if (kind === 'employee') c.maxEmployees = Math.max(c.maxEmployees, inFlight.employee);
    try { return await f(...a); } finally { inFlight[kind]--; }
  };
  c.source = { ...dfo, getEmployee: wrap('employee', dfo.getEmployee), getPosition: wrap('position', dfo.getPosition) };
  return c;
}

/** Every output and store entry, with random account ids replaced by their order of appearance. */
async function snapshot(driver: TopologyTestDriver): Promise<string> {
  const out: Record<string, unknown> = {};
  for (const t of OUTPUT_TOPICS) out[t] = driver.readOutput(t).map((r) => [r.key, r.value]);
  for (const s of STORES) {
    const entries: unknown[] = [];
    for await (const e of driver.getStore(s).range()) entries.push(e);
    out[`store:${s}`] = entries;
  }
  const ids = new Map<string, number>();
  return JSON.stringify(out).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (u) => {
    if (!ids.has(u)) ids.set(u, ids.size);
    return `uuid#${ids.get(u)}`;
  });
}

describe('prefetch through the topology (test driver, DFØ simulator over HTTP)', () => {
  let sim: DfoSimulator;
  const drivers: TopologyTestDriver[] = [];

  beforeAll(async () => {
    sim = await startDfoSimulator({ today: () => '2026-03-02' });
    for (let i = 1; i <= 8; i++) await sim.upsertEmployee(ansatt(`10000${i}`, `Navn${i}`, `Etter${i % 3}`));
    // Shared holders, a holder twice, one holder DFØ does not know (IKKE ANSATT).
    await sim.upsertPosition(stilling('30000001', [['100001', '2020-01-01', OPEN], ['100002', '2020-01-01', OPEN]]));
    await sim.upsertPosition(stilling('30000002', [['100002', '2021-01-01', OPEN], ['100003', '2020-01-01', '2026-02-25']]));
    await sim.upsertPosition(stilling('30000003', [['100004', '2020-01-01', OPEN], ['100099', '2020-01-01', OPEN]]));
    await sim.upsertPosition(stilling('30000004', [['100005', '2026-03-10', OPEN], ['100006', '2020-01-01', OPEN]]));
    await sim.upsertPosition(stilling('30000005', [['100007', '2020-01-01', OPEN], ['100008', '2020-01-01', OPEN]]));
  });
  afterAll(async () => {
    for (const d of drivers) await d.close();
    await sim?.close();
  });

  async function run(prefetch: boolean, dfo: DfoSource, input: Array<{ key: string; value: unknown }>) {
    const deps: IgaDeps = {
      appId: APP, dfo, policy: makePolicy({ endGraceDays: 14, version: 'p1' }), emailDomain: 'uib.no',
      resourceUriPrefix: 'https://x.example/scim/v2', punctuateIntervalMs: 1000, parkRetryMs: 5000,
    };
    const driver = await new TopologyTestDriver(buildIgaTopology(deps), { appId: APP, startTime: START, prefetch, deadLetterTopic: T.dlq }).init();
    drivers.push(driver);
    await driver.advanceWallClockTime(1000);
    await driver.pipeInputs(T.raw, input);
    return driver;
  }

  const batch = [
    { key: 'stillinger:30000001', value: raw('stillinger', '30000001') },
    { key: 'stillinger:30000002', value: raw('stillinger', '30000002') },
    { key: 'ansatte:100001', value: raw('ansatte', '100001') },
    { key: 'stillinger:30000003', value: raw('stillinger', '30000003') },
    { key: 'stillinger:30000004', value: raw('stillinger', '30000004', '2026-03-05') }, // held until its day
    { key: 'stillinger:30000001', value: raw('stillinger', '30000001') }, // again: no change
    { key: 'stillinger:39999999', value: raw('stillinger', '39999999') }, // vacant: gone
    { key: 'stillinger:30000005', value: raw('stillinger', '30000005') },
  ];

  test('a batch gives the same outputs and stores with and without prefetch, and the GETs ran side by side', async () => {
    const plain = counting(createDfoSource({ baseUrl: sim.url, retry: { attempts: 1 } }));
    const ahead = counting(createDfoSource({ baseUrl: sim.url, retry: { attempts: 1 } }));
    const without = await snapshot(await run(false, plain.source, batch));
    const withHint = await run(true, ahead.source, batch);
    assert.equal(await snapshot(withHint), without);
    assert.match(without, /"decision":"create"/, 'the batch creates accounts (the comparison is not vacuous)');
    assert.equal(plain.max, 1, 'without the hint, one GET at a time');
    assert.ok(ahead.max >= 5, `with the hint, the positions are fetched side by side (max in flight ${ahead.max})`);
    assert.ok(ahead.maxEmployees >= 3, `and the new holders too (max employees in flight ${ahead.maxEmployees})`);
    // The held event's day comes: processed the same way in both (its position fetched then).
    const d1 = drivers[0]!, d2 = drivers[1]!;
    await d1.setWallClockTime(Date.parse('2026-03-05T00:00:00Z') + 1000);
    await d2.setWallClockTime(Date.parse('2026-03-05T00:00:00Z') + 1000);
    assert.equal(await snapshot(d2), await snapshot(d1));
  });

  test('a DFØ outage parks the same events with and without prefetch, and both recover the same way', async () => {
    const input = [
      { key: 'stillinger:30000005', value: raw('stillinger', '30000005') },
      { key: 'stillinger:30000003', value: raw('stillinger', '30000003') },
    ];
    sim.setFaults({ serverError: { share: 1, status: 503 } });
    let a: TopologyTestDriver, b: TopologyTestDriver;
    try {
      a = await run(false, createDfoSource({ baseUrl: sim.url, retry: { attempts: 1 } }), input);
      b = await run(true, createDfoSource({ baseUrl: sim.url, retry: { attempts: 1 } }), input);
      const parkedA = await snapshot(a);
      assert.equal(await snapshot(b), parkedA);
      assert.match(parkedA, /"store:deferred":\[\["\d+\|stillinger:30000003",.*\["\d+\|stillinger:30000005"/, 'both events are parked');
      assert.match(parkedA, /"prefetch-test.iga.audit":\[\]/, 'and nothing decided');
    } finally {
      sim.setFaults({});
    }
    await a.advanceWallClockTime(6000);
    await b.advanceWallClockTime(6000);
    const recovered = await snapshot(a);
    assert.equal(await snapshot(b), recovered);
    assert.match(recovered, /"decision":"create"/);
  });
});

describe('Prefetcher', () => {
  /** A fetch whose answers the test releases by hand. */
  function manual() {
    const calls: string[] = [];
    const waiting = new Map<string, { resolve: (v: string) => void; reject: (e: Error) => void }>();
    const fetch = (id: string) => new Promise<string>((resolve, reject) => { calls.push(id); waiting.set(id, { resolve, reject }); });
    return { calls, fetch, answer: (id: string) => waiting.get(id)!.resolve(`v${id}`), fail: (id: string) => waiting.get(id)!.reject(new Error('down')) };
  }

  test('fetches hinted ids ahead, once each, at most `concurrency` at a time, and hands each answer out once', async () => {
    const m = manual();
    const p = new Prefetcher({ fetch: m.fetch, concurrency: 2 });
    p.hint(['1', '2', '2', '3']);
    assert.deepEqual(m.calls, ['1', '2']);
    m.answer('1');
    assert.equal(await p.get('1'), 'v1');
    assert.deepEqual(m.calls, ['1', '2', '3']);
    m.answer('2'); m.answer('3');
    assert.equal(await p.get('2'), 'v2');
    const again = p.get('2'); // a second record with the same key: fetched directly
    assert.deepEqual(m.calls, ['1', '2', '3', '2']);
    m.answer('2');
    assert.equal(await again, 'v2');
    assert.equal(await p.get('3'), 'v3');
    assert.equal(p.pending, 0);
  });

  test('a failed read-ahead is fetched again directly (its error comes from that call) and pauses read-ahead', async () => {
    let now = 0;
    let down = true;
    const calls: string[] = [];
    const p = new Prefetcher({ fetch: async (id) => { calls.push(id); if (down) throw new Error(`down ${id}`); return id; }, clock: () => now, pauseAfterFailureMs: 100 });
    p.hint(['1', '2']);
    await assert.rejects(p.get('1'), /down 1/);
    assert.deepEqual(calls, ['1', '2', '1']);
    p.hint(['3']);
    assert.deepEqual(calls, ['1', '2', '1'], 'paused: no read-ahead');
    down = false;
    now = 100;
    p.hint(['4']);
    assert.equal(await p.get('4'), '4');
    assert.deepEqual(calls, ['1', '2', '1', '4']);
  });

  test('one id failing again and again does not pause read-ahead; a second id failing within the pause does', async () => {
    let now = 0;
    const failing = new Set(['x']);
    const calls: string[] = [];
    const p = new Prefetcher({ fetch: async (id) => { calls.push(id); if (failing.has(id)) throw new Error(`down ${id}`); return id; }, clock: () => now, pauseAfterFailureMs: 100 });
    p.hint(['x', 'a']);
    await assert.rejects(p.get('x'), /down x/);
    assert.equal(await p.get('a'), 'a');
    now = 50;
    p.hint(['x', 'b']);
    await assert.rejects(p.get('x'), /down x/);
    assert.equal(await p.get('b'), 'b');
    assert.deepEqual(calls, ['x', 'a', 'x', 'x', 'b', 'x'], 'one person failing: read-ahead goes on for the others');
    failing.add('y');
    p.hint(['y']);
    await assert.rejects(p.get('y'), /down y/);
    calls.length = 0;
    p.hint(['c']);
    assert.deepEqual(calls, [], 'two ids failed within 100 ms: paused');
  });

  test('a read-ahead failure `rethrow` accepts is thrown by get() without fetching again', async () => {
    const calls: string[] = [];
    const unavailable = Object.assign(new Error('unavailable'), { retriable: true });
    const p = new Prefetcher({
      fetch: async (id) => { calls.push(id); throw id === 'u' ? unavailable : new Error('invalid'); },
      rethrow: (err) => (err as { retriable?: boolean }).retriable === true,
    });
    p.hint(['u', 'i']);
    await assert.rejects(p.get('u'), (e) => e === unavailable);
    await assert.rejects(p.get('i'), /invalid/);
    assert.deepEqual(calls, ['u', 'i', 'i'], 'the retriable failure was not fetched again; the other one was');
  });

  test('ids not wanted are skipped, and what processing passed by or a new hint replaces is dropped', async () => {
    const m = manual();
    const p = new Prefetcher({ fetch: m.fetch, wanted: (id) => id !== 'known', ahead: 2 });
    p.hint(['known', 'a', 'b', 'c']);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(m.calls, ['a']); // 'known' skipped; two started (ahead = 2) of which one fetched
    m.answer('a');
    assert.equal(await p.get('a'), 'va'); // drops 'known'
    assert.deepEqual(m.calls, ['a', 'b', 'c']);
    p.hint(['d']);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(m.calls, ['a', 'b', 'c', 'd']);
    const c = p.get('c'); // no longer hinted: fetched directly
    assert.deepEqual(m.calls, ['a', 'b', 'c', 'd', 'c']);
    m.answer('c');
    assert.equal(await c, 'vc');
  });
});
