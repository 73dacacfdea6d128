/**
 * `iga-stream reconcile [--dry-run] [--json]`: compares DFØ's collections (all employees, all
 * positions) with the stores of a running instance and repairs the drift through the topology,
 * with progress on stderr and a summary table per drift kind. `reconcile --last` shows the latest
 * run of that instance. Exit code 0 when the run ended clean or repaired, 1 when repairs are still
 * pending or the run failed.
 */
import type { RunAuditRecord } from '../../features/reconcile/records.ts';
import type { ReconcileProgress, ReconcileReport } from '../../features/reconcile/run.ts';
import { DRIFT_KINDS } from '../../features/reconcile/drift.ts';
import { AdminClient } from './adminClient.ts';
import { parseCommandArgs } from './args.ts';
import { CliError } from './cliError.ts';
import { Progress } from './progress.ts';

const USAGE = 'iga-stream reconcile [--dry-run] [--last] [--json] [--admin-url URL] [--token TOKEN]';

const PHASES: Record<ReconcileProgress['phase'], string> = {
  dfo: 'reading DFØ', stores: 'reading stores', compare: 'comparing', repair: 'producing repairs', wait: 'waiting for repairs',
};

export async function reconcileCommand(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, {
    'dry-run': { type: 'boolean' }, last: { type: 'boolean' }, json: { type: 'boolean' }, 'admin-url': { type: 'string' }, token: { type: 'string' },
  }, USAGE);
  const client = new AdminClient({ url: values['admin-url'], token: values.token });
  if (values.last) {
    const last = await client.get<LastRuns>('/reconcile/last');
    if (values.json) { process.stdout.write(`${JSON.stringify(last, null, 2)}\n`); return; }
    process.stdout.write(renderLast(last));
    return;
  }
  // One bar per phase; a phase's last line is drawn once, when the next phase starts (or at the end).
  let bar: Progress | null = null;
  let phase = '';
  let note = '';
  const done = await client.stream(`/reconcile${values['dry-run'] ? '?dryRun=1' : ''}`, {}, (line) => {
    const p = line as unknown as ReconcileProgress;
    if (p.type !== 'progress') return;
    if (p.phase !== phase) {
      bar?.finish(note);
      phase = p.phase;
      bar = new Progress(`reconcile ${p.runId}: ${PHASES[p.phase]}`, p.total, { unit: p.phase === 'repair' ? 'events' : p.phase === 'wait' ? 'drifts repaired' : 'items' });
    }
    note = p.note ?? note;
    if (p.total === null || p.done < p.total) bar!.update(p.done, p.total, note);
  });
  (bar as Progress | null)?.finish(note);
  const report = done.report as ReconcileReport;
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
  if (report.outcome === 'pending' || report.outcome === 'failed') {
    throw new CliError(`reconcile: run ${report.runId} ended ${report.outcome}${report.pending ? ` (${report.pending} drifts not yet repaired)` : ''}`);
  }
}

interface LastRuns {
  running: string | null;
  last: ReconcileReport | null;
  lastInDeployment: RunAuditRecord | null;
  schedule: string;
  nextScheduledRun: string | null;
  scheduledRunsHere: boolean;
}

/**
 * `reconcile --last`: the schedule, the latest run in the deployment (from the audit topic, so
 * every instance knows it, wherever it ran) and, in full, the latest run on this instance.
 */
export function renderLast(l: LastRuns): string {
  const out: string[] = [];
  out.push(`schedule: ${l.schedule}${l.nextScheduledRun ? `, next run ${l.nextScheduledRun}` : ''}${l.scheduledRunsHere ? ' (runs on this instance)' : ''}${l.running ? `; run ${l.running} in progress here` : ''}`);
  const d = l.lastInDeployment;
  if (d && d.runId !== l.last?.runId) {
    const found = Object.values(d.drift).reduce((a, b) => a + b, 0);
    out.push(`latest run in the deployment: ${d.runId}${d.dryRun ? ' (dry run)' : ''}, ${d.trigger}, ended ${d.endedAt}, ${d.outcome}: ${found} drift(s) found, ${d.repairEvents} repair event(s)${d.pending ? `, ${d.pending} pending` : ''}${d.error ? ` (${d.error})` : ''}`);
  }
  if (!d && !l.last) out.push('no reconciliation has run in this deployment yet');
  out.push(l.last ? renderReport(l.last).trimEnd() : 'no reconciliation has run on this instance (run it, or ask the instance that did, for the full report)');
  return `${out.join('\n')}\n`;
}

/** The summary: one row per drift kind, the drifts found (up to 20) and the outcome. */
export function renderReport(r: ReconcileReport): string {
  const out: string[] = [];
  out.push(`Reconciliation ${r.runId}${r.dryRun ? ' (dry run)' : ''}, ${r.trigger}, ${r.startedAt} .. ${r.endedAt} (${(r.durationMs / 1000).toFixed(1)} s)`);
  out.push(`  DFØ     ${r.dfo.employees} employees, ${r.dfo.positions} positions`);
  out.push(`  stores  ${r.stored.persons} persons, ${r.stored.positions} positions`);
  out.push('');
  out.push('  KIND              FOUND');
  for (const k of DRIFT_KINDS) out.push(`  ${k.padEnd(16)}  ${String(r.drift[k]).padStart(5)}`);
  const total = Object.values(r.drift).reduce((a, b) => a + b, 0);
  out.push(`  ${'total'.padEnd(16)}  ${String(total).padStart(5)}`);
  if (r.drifts.length > 0) {
    out.push('');
    for (const d of r.drifts.slice(0, 20)) out.push(`  ${d.kind.padEnd(16)}  ${d.subject.type} ${d.subject.id}: ${d.detail}`);
    if (total > 20) out.push(`  … ${total - 20} more (--json, or the drift records on the audit topic)`);
  }
  if (r.pendingDrifts.length > 0) {
    out.push('', '  still pending:');
    for (const d of r.pendingDrifts.slice(0, 20)) out.push(`  ${d.kind.padEnd(16)}  ${d.subject.type} ${d.subject.id}: ${d.detail}`);
  }
  out.push('');
  out.push(`reconcile: ${summary(r, total)}`);
  return `${out.join('\n')}\n`;
}

function summary(r: ReconcileReport, total: number): string {
  switch (r.outcome) {
    case 'clean': return 'no drift; DFØ and the stores agree';
    case 'dry-run': return `${n(total, 'drift')} found; dry run, nothing repaired`;
    case 'repaired': return `${n(total, 'drift')} found; ${n(r.repairEvents, 'repair event')} sent through the topology, all visible in the stores`;
    case 'pending': return `${n(total, 'drift')} found; ${n(r.repairEvents, 'repair event')} sent; ${r.pending} not yet visible in the stores (run again later)`;
    case 'failed': return `failed: ${r.error ?? 'unknown error'}`;
  }
}

const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
