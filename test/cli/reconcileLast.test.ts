/** `reconcile --last`: what an operator sees on the instance that ran the last reconciliation, and on another one. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { renderLast } from '../../src/cli/commands/reconcile.ts';
import { DRIFT_KINDS } from '../../src/features/reconcile/drift.ts';
import type { RunAuditRecord } from '../../src/features/reconcile/records.ts';
import type { ReconcileReport } from '../../src/features/reconcile/run.ts';

const drift = Object.fromEntries(DRIFT_KINDS.map((k) => [k, 0])) as RunAuditRecord['drift'];
const summary: RunAuditRecord = {
  type: 'reconcile-run', v: 1, runId: 'r-20261201-0330', trigger: 'schedule', dryRun: false,
  startedAt: '2026-12-01T02:30:00.000Z', endedAt: '2026-12-01T02:30:04.000Z', outcome: 'repaired',
  dfo: { employees: 120, positions: 80 }, stored: { persons: 119, positions: 80 },
  drift: { ...drift, 'missing-person': 1 }, repairEvents: 1, pending: 0,
};
const report: ReconcileReport = { ...summary, durationMs: 4000, drifts: [{ kind: 'missing-person', subject: { type: 'person', id: '100301' }, detail: 'in DFØ, not in the stores' }], pendingDrifts: [] };
const base = { running: null, schedule: 'daily@03:30 (Europe/Oslo)', nextScheduledRun: '2026-12-02T02:30:00.000Z', scheduledRunsHere: false };

test('another instance shows the deployment\'s last run from the audit topic, and says where the full report is', () => {
  const text = renderLast({ ...base, last: null, lastInDeployment: summary });
  assert.match(text, /^schedule: daily@03:30 \(Europe\/Oslo\), next run 2026-12-02T02:30:00.000Z\n/);
  assert.match(text, /latest run in the deployment: r-20261201-0330, schedule, ended 2026-12-01T02:30:04.000Z, repaired: 1 drift\(s\) found, 1 repair event\(s\)\n/);
  assert.match(text, /no reconciliation has run on this instance/);
});

test('the instance that ran it shows the full report once, not the summary as well', () => {
  const text = renderLast({ ...base, scheduledRunsHere: true, last: report, lastInDeployment: summary });
  assert.match(text, /\(runs on this instance\)/);
  assert.doesNotMatch(text, /latest run in the deployment/);
  assert.match(text, /Reconciliation r-20261201-0330, schedule/);
  assert.match(text, /missing-person\s+person 100301: in DFØ, not in the stores/);
});

test('a newer run elsewhere is shown above this instance\'s own last report', () => {
  const text = renderLast({ ...base, last: { ...report, runId: 'older' }, lastInDeployment: summary });
  assert.ok(text.indexOf('latest run in the deployment: r-20261201-0330') < text.indexOf('Reconciliation older'));
});

test('no run anywhere yet', () => {
  const text = renderLast({ ...base, running: 'r-now', last: null, lastInDeployment: null });
  assert.match(text, /; run r-now in progress here/);
  assert.match(text, /no reconciliation has run in this deployment yet/);
});
