/**
 * Reconciliation end to end on the real broker, RabbitMQ and the DFØ simulator (over HTTP): DFØ
 * changes that were never announced are found by comparing DFØ's collections with the stores,
 * repaired through the topology (account created, account blocked, notify events sent), and a
 * second run right after finds nothing — also when notifications keep flowing during a run.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import type { ReconcileReport } from '../../src/features/reconcile/run.ts';
import { eventually } from '../support/brokers.ts';
import { ADMIN_TOKEN, ansatt, startStack, stilling, type Stack } from './stack.ts';
import { runCli } from '../support/cli.ts';

const OPEN = '9999-12-31';
const P1 = '30000001';
const P2 = '30000002';

interface RunResult { status: number; lines: Array<Record<string, any>>; report: ReconcileReport }

async function reconcile(s: Stack, dryRun = false): Promise<RunResult> {
  const res = await fetch(`${s.service.adminUrl}/admin/reconcile${dryRun ? '?dryRun=1' : ''}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  const text = await res.text();
  const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
  const last = lines.at(-1)!;
  assert.equal(last.type, 'done', `the run ended with ${JSON.stringify(last)}`);
  return { status: res.status, lines, report: last.report as ReconcileReport };
}

const total = (r: ReconcileReport) => Object.values(r.drift).reduce((a, b) => a + b, 0);

describe('reconciliation against DFØ collections', () => {
  let s: Stack;
  const user = async (employeeNumber: string) => (await s.scim(`/Users?employeeNumber=${employeeNumber}`)).body.Resources?.[0];
  const idOf = (e: { body: { resourceUris: string[] } }) => e.body.resourceUris[0]!.split('/').pop()!;

  beforeAll(async () => {
    s = await startStack({ start: '2026-03-02T09:00:00Z' });
    await s.sim.upsertEmployee(ansatt('100001', 'Kari', 'Nordmann'));
    await s.sim.upsertEmployee(ansatt('100002', 'Ola', 'Nordmann'));
    await s.sim.upsertEmployee(ansatt('100003', 'Åse', 'Ødegård'));
    await s.sim.upsertPosition(stilling(P1, [['100001', '2020-01-01', OPEN], ['100002', '2025-01-01', OPEN]]));
    await s.sim.upsertPosition(stilling(P2, [['100003', '2024-01-01', OPEN]]));
    await s.sim.publish('stillinger', P1);
    await s.sim.publish('stillinger', P2);
    await eventually('3 CREATE events', () => s.events.filter((e) => e.body.type === 'CREATE').length >= 3);
    await s.quiesce();
  });
  afterAll(async () => { await s?.close(); });

  test('when every change was announced, reconciliation finds no drift', async () => {
    const { status, report } = await reconcile(s);
    assert.equal(status, 200);
    assert.equal(report.outcome, 'clean');
    assert.equal(total(report), 0);
    assert.deepEqual(report.dfo, { employees: 3, positions: 2 });
    assert.deepEqual(report.stored, { persons: 3, positions: 2 });
  });

  test('a hire never announced and a stale position are found (dry run changes nothing)', async () => {
    // DFØ changes without a notification: a new holder of P1, and the holder of P2 left on 2026-02-28.
    await s.sim.upsertEmployee(ansatt('100004', 'Nina', 'Nyansatt'));
    await s.sim.upsertPosition(stilling(P1, [['100001', '2020-01-01', OPEN], ['100002', '2025-01-01', OPEN], ['100004', '2026-03-01', OPEN]]));
    await s.sim.upsertPosition(stilling(P2, [['100003', '2024-01-01', '2026-02-28']]));
    const eventsBefore = s.events.length;
    const { report } = await reconcile(s, true);
    assert.equal(report.outcome, 'dry-run');
    assert.equal(report.dryRun, true);
    assert.equal(report.repairEvents, 0);
    assert.deepEqual({ ...report.drift }, { 'missing-person': 1, 'unknown-person': 0, 'stale-person': 0, 'missing-position': 0, 'stale-position': 2, 'unknown-position': 0, 'wrong-holders': 1 });
    assert.deepEqual(report.drifts.map((d) => `${d.kind} ${d.subject.type}:${d.subject.id}`), [
      'missing-person person:100004', 'stale-position position:30000001', 'stale-position position:30000002', 'wrong-holders person:100003',
    ]);
    await s.quiesce();
    assert.equal(s.events.length, eventsBefore, 'a dry run sends nothing');
    const raw = await s.readTopic(topicNames(s.appId).raw);
    assert.equal(raw.filter((r) => r.value?.reconcile).length, 0, 'a dry run produces no repair events');
  });

  test('reconciliation repairs them through the topology: account created and blocked, notify events sent; a second run finds nothing', async () => {
    const ase = await user('100003');
    assert.equal(ase.active, true);
    const { lines, report } = await reconcile(s);
    const phases = new Set(lines.filter((l) => l.type === 'progress').map((l) => l.phase));
    assert.deepEqual([...phases], ['dfo', 'stores', 'compare', 'repair', 'wait'], 'progress lines for every phase');
    assert.equal(report.outcome, 'repaired');
    assert.equal(report.pending, 0);
    assert.equal(report.repairEvents, 2, 'one event per position: P1 (resending the new holder) and P2');
    assert.equal(total(report), 4);

    const created = await eventually('CREATE for the unannounced hire', async () => {
      const u = await user('100004');
      return u && s.events.find((e) => e.body.type === 'CREATE' && idOf(e) === u.id) ? u : undefined;
    });
    assert.equal(created.userName, 'ninnya@uib.no');
    assert.equal(created.active, true);
    await eventually('MODIFY (blocked) for the holder who left', () => s.events.find((e) => e.body.type === 'MODIFY' && idOf(e) === ase.id && e.body.attributes?.includes('active')));
    await s.quiesce();
    assert.equal((await s.scim(`/Users/${ase.id}`)).body.active, false);

    // The repair raw events name the run; the decisions carry cause `reconcile <runId>`.
    const topics = topicNames(s.appId);
    const raw = (await s.readTopic(topics.raw)).filter((r) => r.value?.reconcile?.runId === report.runId);
    assert.deepEqual(raw.map((r) => r.key).sort(), [`stillinger:${P1}`, `stillinger:${P2}`]);
    assert.deepEqual(raw.find((r) => r.key === `stillinger:${P1}`)!.value.reconcile.resendHolders, ['100004']);
    const audit = await s.readTopic(topics.audit);
    const causes = audit.filter((r) => r.value?.employeeId === '100004' || r.value?.employeeId === '100003')
      .map((r) => r.value.cause.kind === 'reconcile' ? r.value.cause.id : r.value.cause.via?.kind === 'reconcile' ? r.value.cause.via.id : null);
    assert.ok(causes.filter((c) => c === report.runId).length >= 2, 'the decisions of both persons name the run');
    const drifts = audit.filter((r) => r.key === `reconcile:${report.runId}` && r.value.type === 'drift');
    assert.equal(drifts.length, 4);
    assert.ok(drifts.every((d) => d.value.repair === `stillinger:${P1}` || d.value.repair === `stillinger:${P2}`));
    const run = audit.find((r) => r.key === `reconcile:${report.runId}` && r.value.type === 'reconcile-run');
    assert.equal(run?.value.outcome, 'repaired');

    // Explain shows the repair as the cause; the reconcile records do not disturb it.
    const explained = await eventually('explain for the hire', async () => {
      const r = await s.admin('/explain/100004');
      return r.status === 200 && r.body.history.length > 0 ? r.body : undefined;
    });
    assert.equal(explained.unreadableAuditRecords, 0);
    assert.ok(explained.history.some((h: any) => h.cause.kind === 'reconcile' && h.cause.id === report.runId && h.rawEvent?.key === `stillinger:${P1}`), 'the raw repair event is linked');

    const second = await reconcile(s);
    assert.equal(second.report.outcome, 'clean', `second run: ${JSON.stringify(second.report.drifts)}`);
    assert.equal(total(second.report), 0);

    const last = await eventually('the run summary on the audit topic to reach the explain replica', async () => {
      const r = await s.admin('/reconcile/last');
      return r.body.lastInDeployment?.runId === second.report.runId ? r : undefined;
    });
    assert.equal(last.body.last.runId, second.report.runId);
    assert.deepEqual([last.body.lastInDeployment.outcome, last.body.lastInDeployment.trigger, last.body.lastInDeployment.repairEvents], ['clean', 'admin', 0]);

    // The operator's one-look status: ready, everything processed, the last run, no dead letters.
    await s.quiesce();
    const status = (await s.admin('/status')).body;
    assert.equal(status.ready, true, JSON.stringify(status.parts));
    assert.ok(status.streams.tasks.length > 0);
    assert.equal(status.progress.topology.caughtUp, true, JSON.stringify(status.progress.topology));
    assert.equal(status.progress.egress.caughtUp, true, JSON.stringify(status.progress.egress));
    assert.equal(status.replicas.accounts.ready, true);
    assert.equal(status.reconcile.last.runId, second.report.runId);
    assert.equal(status.deadLetterOffsets, 0);
    assert.equal(status.ingress.connected, true);
    const cli = await runCli(['status', '--admin-url', s.service.adminUrl!], { IGA_ADMIN_TOKEN: ADMIN_TOKEN });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /: READY\n/);
    assert.match(cli.stdout, /topology {4}caught up/);
    assert.match(cli.stdout, new RegExp(`reconcile {3}last run ${second.report.runId} \\(admin\\)`));
    assert.equal(last.body.running, null);
    assert.equal(last.body.schedule, 'off');
    const metrics = await (await fetch(`${s.service.adminUrl}/metrics`)).text();
    assert.match(metrics, /iga_reconcile_drift_found_total\{kind="missing-person"\} [1-9]/);
    assert.match(metrics, /iga_reconcile_runs_total\{mode="repair",trigger="admin",outcome="repaired"\} [1-9]/);
    assert.match(metrics, /iga_reconcile_drift\{kind="stale-position"\} 0/);
  });

  test('an employee record changed without a notification is a stale person, repaired with an ansatte event', async () => {
    // Employee record changed without a notification: a stale person, repaired with an ansatte event.
    await s.sim.upsertEmployee(ansatt('100002', 'Ola', 'Nordmann-Berg'));
    const ola = await user('100002');
    const { report } = await reconcile(s);
    assert.deepEqual(report.drifts.map((d) => `${d.kind} ${d.subject.id}`), ['stale-person 100002']);
    assert.equal(report.outcome, 'repaired');
    await eventually('MODIFY for the renamed employee', () => s.events.find((e) => e.body.type === 'MODIFY' && idOf(e) === ola.id && e.body.attributes?.includes('displayName')));
    await s.quiesce();
    assert.equal((await s.scim(`/Users/${ola.id}`)).body.displayName, 'Ola Nordmann-Berg');
    assert.equal((await reconcile(s)).report.outcome, 'clean');
  });

  test('a run while notifications flow repairs what was missed; a second run after finds nothing', async () => {
    const hires = Array.from({ length: 8 }, (_, i) => String(100010 + i));
    for (const id of hires) await s.sim.upsertEmployee(ansatt(id, 'Flyt', `Person${id.slice(-2)}`));
    // One position never announced, the others announced while the run is going on.
    const silent = '30000010';
    await s.sim.upsertEmployee(ansatt('100030', 'Stille', 'Ansatt'));
    await s.sim.upsertPosition(stilling(silent, [['100030', '2026-01-01', OPEN]]));
    const flowing = (async () => {
      for (const [i, id] of hires.entries()) {
        await s.sim.upsertPosition(stilling(String(30000020 + i), [[id, '2026-01-01', OPEN]]), { notify: true });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const during = await reconcile(s);
    await flowing;
    assert.ok(['repaired', 'pending'].includes(during.report.outcome), during.report.outcome);
    assert.ok(during.report.drifts.some((d) => d.kind === 'missing-position' && d.subject.id === silent), 'the unannounced position is found');
    await eventually('accounts for every hire and the silent one', async () => {
      for (const id of [...hires, '100030']) if (!(await user(id))) return false;
      return true;
    }, 60_000);
    await s.quiesce();
    const afterwards = await reconcile(s);
    assert.equal(afterwards.report.outcome, 'clean', `after the flow: ${JSON.stringify(afterwards.report.drifts)}`);
    const created = s.events.filter((e) => e.body.type === 'CREATE').map(idOf);
    assert.equal(new Set(created).size, created.length, 'no account created twice');
  });
});
