/**
 * The run orchestrator with in-memory stores, output and DFØ (the Kafka and HTTP sides are covered
 * by test/e2e/reconcile.int.test.ts): outcomes, what is written where, waiting for repairs, the
 * pending report on timeout, a DFØ failure, one run at a time; and the admin routes around it.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { SourceUnavailable } from '../../../connectors/dfo/index.ts';
import { TokenRegistry } from '../../../src/common/tokenRegistry.ts';
import { createAdminApp } from '../../../src/app/admin/index.ts';
import type { Employee, Holder, Position } from '../../../src/iga/model.ts';
import type { KeyRange } from '../../../src/stores/keyValueStore.ts';
import type { ReconcileOutput } from '../../../src/features/reconcile/producer.ts';
import { reconcileRoutes } from '../../../src/features/reconcile/routes.ts';
import { ReconcileBusyError, Reconciler, type ReconcileProgress } from '../../../src/features/reconcile/run.ts';
import type { ReconcileStores } from '../../../src/features/reconcile/stores.ts';
import type { PersonState, StoredPosition } from '../../../src/topology/contracts/stores.ts';

const log = pino({ level: 'silent' });
const emp = (id: string): Employee => ({ id, givenName: 'A', familyName: id, nin: null, externalUser: true, mainPositionId: null, startDate: null, endDate: null, secondaryPositions: [] });
const h = (employeeId: string, startDate: string): Holder => ({ employeeId, startDate, endDate: null });

function memoryStore<V>(name: string, map: Map<string, V>) {
  return {
    name,
    get: async (k: string) => map.get(k),
    async *range(_r?: KeyRange) { for (const k of [...map.keys()].sort()) yield [k, map.get(k)!] as [string, V]; },
  };
}

function fixture(opts: { applyRepairs?: boolean } = {}) {
  const employees = [emp('1'), emp('2')];
  const positions: Position[] = [{ id: '10', name: 'P', orgId: null, holders: [h('1', '2020-01-01'), h('2', '2026-01-01')] }];
  const storedPositions = new Map<string, StoredPosition>([['10', { holders: [h('1', '2020-01-01')], updatedAt: '' }]]);
  const storedPersons = new Map<string, PersonState>([['1', { employee: emp('1'), affiliations: [{ positionId: '10', startDate: '2020-01-01', endDate: null }], updatedAt: '' }]]);
  const raw: Array<{ key: string; value: any }> = [];
  const audit: Array<{ key: string; value: any }> = [];
  let dfoFails = false;
  const stores: ReconcileStores = {
    positions: memoryStore('positions', storedPositions), persons: memoryStore('persons', storedPersons),
    isReady: () => true, ready: Promise.resolve(), lag: () => 0, close: async () => undefined,
  };
  const output: ReconcileOutput = {
    // Plays the topology: a repair event for position 10 brings the stores in line with DFØ.
    async sendRaw(records) {
      raw.push(...records);
      if (!opts.applyRepairs) return;
      setTimeout(() => {
        storedPositions.set('10', { holders: positions[0]!.holders, updatedAt: '' });
        storedPersons.set('2', { employee: emp('2'), affiliations: [{ positionId: '10', startDate: '2026-01-01', endDate: null }], updatedAt: '' });
      }, 30);
    },
    async sendAudit(records) { audit.push(...records); },
    close: async () => undefined,
  };
  const dfo = {
    listEmployees: async () => { if (dfoFails) throw new SourceUnavailable('DFØ down'); return employees; },
    listPositions: async () => positions,
  };
  return { dfo, stores, output, raw, audit, failDfo: () => { dfoFails = true; } };
}

describe('reconciliation run', () => {
  test('finds the drift, produces one repair event, waits until the stores show it, reports repaired', async () => {
    const f = fixture({ applyRepairs: true });
    const r = new Reconciler({ dfo: f.dfo, stores: f.stores, output: f.output, log, pollMs: 10 });
    const progress: ReconcileProgress[] = [];
    const report = await r.run({ onProgress: (p) => progress.push(p) });
    assert.equal(report.outcome, 'repaired');
    assert.equal(report.pending, 0);
    assert.deepEqual(report.drifts.map((d) => `${d.kind} ${d.subject.id}`), ['missing-person 2', 'stale-position 10']);
    assert.deepEqual(f.raw.map((x) => [x.key, x.value.reconcile]), [['stillinger:10', { runId: report.runId, resendHolders: ['2'] }]]);
    const kinds = f.audit.map((x) => x.value.type);
    assert.deepEqual(kinds, ['drift', 'drift', 'reconcile-run']);
    assert.ok(f.audit.every((x) => x.key === `reconcile:${report.runId}`));
    assert.equal(f.audit[0]!.value.repair, 'stillinger:10');
    assert.equal(f.audit[2]!.value.outcome, 'repaired');
    assert.deepEqual([...new Set(progress.map((p) => p.phase))], ['dfo', 'stores', 'compare', 'repair', 'wait']);
    assert.equal(progress.at(-1)!.done, 2, 'the last wait line shows every drift repaired');
    assert.equal(r.last()?.runId, report.runId);
    assert.equal(r.running(), null);
    const again = await r.run();
    assert.equal(again.outcome, 'clean');
    assert.equal(f.raw.length, 1, 'a clean run produces nothing');
  });

  test('a dry run reports the drift and produces nothing', async () => {
    const f = fixture();
    const report = await new Reconciler({ dfo: f.dfo, stores: f.stores, output: f.output, log }).run({ dryRun: true });
    assert.equal(report.outcome, 'dry-run');
    assert.equal(report.repairEvents, 0);
    assert.deepEqual(f.raw, []);
    assert.deepEqual(f.audit.map((x) => [x.value.type, x.value.repair ?? null]), [['drift', null], ['drift', null], ['reconcile-run', null]]);
  });

  test('repairs that do not show in time are reported as pending', async () => {
    const f = fixture({ applyRepairs: false });
    const report = await new Reconciler({ dfo: f.dfo, stores: f.stores, output: f.output, log, pollMs: 10, waitTimeoutMs: 100 }).run();
    assert.equal(report.outcome, 'pending');
    assert.equal(report.pending, 2);
    assert.deepEqual(report.pendingDrifts.map((d) => d.kind), ['missing-person', 'stale-position']);
  });

  test('a DFØ failure ends the run as failed, on record, and the error reaches the caller', async () => {
    const f = fixture();
    f.failDfo();
    const r = new Reconciler({ dfo: f.dfo, stores: f.stores, output: f.output, log });
    await assert.rejects(r.run(), /DFØ down/);
    assert.equal(r.last()?.outcome, 'failed');
    assert.match(r.last()!.error!, /DFØ down/);
    assert.deepEqual(f.audit.map((x) => [x.value.type, x.value.outcome]), [['reconcile-run', 'failed']]);
    assert.equal(r.running(), null);
  });

  test('one run at a time per instance', async () => {
    const f = fixture({ applyRepairs: true });
    const r = new Reconciler({ dfo: f.dfo, stores: f.stores, output: f.output, log, pollMs: 10 });
    const first = r.run();
    await assert.rejects(r.run(), ReconcileBusyError);
    assert.equal((await first).outcome, 'repaired');
  });
});

describe('reconcile admin routes', () => {
  const ADMIN = 'admin-token-0123456789';
  async function serve(reconciler: Reconciler) {
    const app = createAdminApp({
      log, readiness: () => ({}), tokens: new TokenRegistry({ label: 'admin', tokens: `ops:${ADMIN}` }),
      routes: [reconcileRoutes({ reconciler, schedule: { kind: 'daily', hour: 3, minute: 30 }, scheduler: null, isScheduleOwner: () => true })],
    });
    const server = createServer(app.callback());
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin`;
    const call = (method: string, path: string) => fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}` } });
    return { call, close: () => new Promise<void>((res) => server.close(() => res())) };
  }

  test('POST streams progress and the report; ?dryRun=1 repairs nothing; 409 while running; GET last', async () => {
    const f = fixture();
    const reconciler = new Reconciler({ dfo: f.dfo, stores: f.stores, output: f.output, log });
    const s = await serve(reconciler);
    try {
      const res = await s.call('POST', '/reconcile?dryRun=1');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /ndjson/);
      const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
      assert.ok(lines.slice(0, -1).every((l) => l.type === 'progress'));
      assert.equal(lines.at(-1).type, 'done');
      assert.equal(lines.at(-1).report.outcome, 'dry-run');
      assert.deepEqual(f.raw, []);
      assert.equal((await s.call('POST', '/reconcile?dryRun=maybe')).status, 400);
      const last: any = await (await s.call('GET', '/reconcile/last')).json();
      assert.equal(last.last.runId, lines.at(-1).report.runId);
      assert.equal(last.schedule, 'daily@03:30 (Europe/Oslo)');
      assert.equal(last.scheduledRunsHere, true);
      // Busy: a run in progress answers 409.
      const slow = new Reconciler({ dfo: { ...f.dfo, listEmployees: () => new Promise((res) => setTimeout(() => res([]), 200)) }, stores: f.stores, output: f.output, log });
      const s2 = await serve(slow);
      try {
        const running = slow.run({ dryRun: true });
        const busy = await s2.call('POST', '/reconcile');
        assert.equal(busy.status, 409);
        assert.match(((await busy.json()) as { error: string }).error, /in progress/);
        await running;
      } finally { await s2.close(); }
    } finally { await s.close(); }
  });
});
