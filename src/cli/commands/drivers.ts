/**
 * `iga-stream drivers`: the change drivers of a running instance, through its admin API.
 *   drivers [--json]                               per driver: lag, tag counts, parked (failed) and waiting changes
 *   drivers retry <driver> [--change <id>] [--json]  re-drive the parked changes (or one) with the account's latest state
 *   drivers resync <driver> [--json]               push every account again, with progress (a destination restored from an old backup)
 *   drivers drift <driver> [--dry-run] [--json]    compare the destination with the account state and repair the drift (dry run: report only)
 *
 * Drift is a subcommand here, not `reconcile --driver`: it runs on an instance that runs the driver,
 * through that driver's destination like retry and resync, compares with the account state (not
 * DFØ) and repairs by re-driving accounts, not through the topology; `reconcile` stays DFØ's.
 */
import { DESTINATION_DRIFT_KINDS } from '../../features/drivers/drift.ts';
import type { DriftProgress, DriftReport } from '../../features/drivers/driftRun.ts';
import type { DriverReport } from '../../features/drivers/routes.ts';
import type { GroupProgress } from '../../features/status/status.ts';
import { AdminClient } from './adminClient.ts';
import { parseCommandArgs } from './args.ts';
import { CliError } from './cliError.ts';
import { Progress } from './progress.ts';

const USAGE = 'iga-stream drivers [retry <driver> [--change <id>] | resync <driver> | drift <driver> [--dry-run]] [--json] [--admin-url URL] [--token TOKEN]';

const DRIFT_PHASES: Record<DriftProgress['phase'], string> = {
  accounts: 'reading the account replica', destination: 'reading the destination', compare: 'comparing', confirm: 'reading drifted entries again', repair: 'repairing', verify: 'reading repairs back',
};

export async function driversCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, change: { type: 'string' }, 'dry-run': { type: 'boolean' }, 'admin-url': { type: 'string' }, token: { type: 'string' } }, USAGE, true);
  const [action = 'list', driver, ...rest] = positionals;
  if (rest.length > 0) throw new CliError(`too many arguments\nusage: ${USAGE}`, 2);
  if (!['list', 'retry', 'resync', 'drift'].includes(action)) throw new CliError(`unknown drivers action '${action}'\nusage: ${USAGE}`, 2);
  if (action !== 'list' && (driver === undefined || !/^[a-z][a-z0-9-]*$/.test(driver))) throw new CliError(`drivers ${action} needs a driver name (e.g. ldap)\nusage: ${USAGE}`, 2);
  if (action === 'list' && driver !== undefined) throw new CliError(`drivers takes no driver name without retry or resync\nusage: ${USAGE}`, 2);
  if (values.change !== undefined && action !== 'retry') throw new CliError(`--change goes with drivers retry\nusage: ${USAGE}`, 2);
  if (values['dry-run'] && action !== 'drift') throw new CliError(`--dry-run goes with drivers drift\nusage: ${USAGE}`, 2);
  const client = new AdminClient({ url: values['admin-url'], token: values.token });
  const out = (text: string, json: unknown) => process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : text);
  if (action === 'list') {
    const r = await client.get<{ drivers: DriverReport[] }>('/drivers');
    out(renderDrivers(r.drivers), r);
    return;
  }
  if (action === 'drift') {
    await drift(client, driver!, values['dry-run'] ?? false, out);
    return;
  }
  const path = `/drivers/${driver}/${action}${values.change ? `?change=${encodeURIComponent(values.change)}` : ''}`;
  let bar: Progress | null = null;
  const done = await client.stream(path, {}, (line) => {
    const p = line as { done: number; total: number };
    bar ??= new Progress(`drivers ${action} ${driver}`, p.total, { unit: action === 'resync' ? 'accounts' : 'changes' });
    bar.update(p.done, p.total);
  });
  (bar as Progress | null)?.finish();
  const s = done as unknown as { total: number; applied: number; unchanged: number; failed: number; skipped: number; failures: Array<{ changeId: string; error: string }> };
  const failures = s.failures.map((f) => `  failed  ${f.changeId}: ${f.error}\n`).join('');
  out(`${failures}drivers ${action} ${driver}: ${s.total} ${action === 'resync' ? 'accounts' : 'changes'}: ${s.applied} written, ${s.unchanged} already there, ${s.failed} refused${s.skipped ? `, ${s.skipped} skipped` : ''}\n`, done);
  if (s.failed > 0 || s.skipped > 0) process.exitCode = 1;
}

/** `drivers drift`: one progress line per phase on stderr, then the report; exit 1 when drift is left after a repair. */
async function drift(client: AdminClient, driver: string, dryRun: boolean, out: (text: string, json: unknown) => void): Promise<void> {
  let bar: Progress | null = null;
  let phase = '';
  let note = '';
  const done = await client.stream(`/drivers/${driver}/drift${dryRun ? '?dryRun=1' : ''}`, {}, (line) => {
    const p = line as unknown as DriftProgress;
    if (p.type !== 'progress') return;
    if (p.phase !== phase) {
      bar?.finish(note);
      phase = p.phase;
      note = '';
      bar = new Progress(`drivers drift ${driver} ${p.checkId}: ${DRIFT_PHASES[p.phase]}`, p.total, { unit: p.phase === 'repair' || p.phase === 'accounts' ? 'accounts' : p.phase === 'destination' ? 'entries' : 'items' });
    }
    note = p.note ?? note;
    if (p.total === null || p.done < p.total) bar!.update(p.done, p.total, note);
  });
  (bar as Progress | null)?.finish(note);
  const { report, driverProgress } = done as unknown as { report: DriftReport; driverProgress: GroupProgress };
  out(renderDrift(report, driverProgress), done);
  if (report.outcome === 'unresolved') process.exitCode = 1;
}

/** The drift report: counts, one row per kind, the drifts (up to 20), the repairs and what is left. */
export function renderDrift(r: DriftReport, driverProgress: GroupProgress | null): string {
  const lines: string[] = [];
  lines.push(`Drift check ${r.checkId} of ${r.driver}${r.dryRun ? ' (dry run)' : ''}, ${r.startedAt} .. ${r.endedAt} (${(r.durationMs / 1000).toFixed(1)} s)`);
  lines.push(`  accounts  ${r.accounts} in this instance's account replica`);
  lines.push(`  entries   ${r.entries} at ${r.driver}`);
  if (driverProgress && !driverProgress.caughtUp) lines.push(`  driver    ${driverProgress.behind} changes behind: drift of changes still on their way is repaired as they arrive`);
  lines.push('', '  KIND              FOUND');
  for (const k of DESTINATION_DRIFT_KINDS) lines.push(`  ${k.padEnd(16)}  ${String(r.drift[k]).padStart(5)}`);
  const total = Object.values(r.drift).reduce((a, b) => a + b, 0);
  lines.push(`  ${'total'.padEnd(16)}  ${String(total).padStart(5)}`);
  if (r.drifts.length > 0) {
    lines.push('');
    for (const d of r.drifts.slice(0, 20)) lines.push(`  ${d.kind.padEnd(16)}  ${d.detail}`);
    if (total > 20) lines.push(`  … ${total - 20} more (--json)`);
  }
  if (!r.dryRun && total > 0) {
    lines.push('', `  repaired  ${r.repairs.applied + r.repairs.unchanged + r.repairs.failed} accounts re-driven with their latest state: ${r.repairs.applied} written, ${r.repairs.unchanged} already there, ${r.repairs.failed} refused`);
    for (const f of r.failures.slice(0, 20)) lines.push(`  refused   ${f.userName} (account ${f.accountId}): ${f.error}`);
    if (r.unresolvedDrifts.length > 0) {
      lines.push('  still there:');
      for (const d of r.unresolvedDrifts.slice(0, 20)) lines.push(`  ${d.kind.padEnd(16)}  ${d.detail}`);
    }
  }
  lines.push('', `drivers drift ${r.driver}: ${driftSummary(r, total)}`);
  return `${lines.join('\n')}\n`;
}

function driftSummary(r: DriftReport, total: number): string {
  const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
  switch (r.outcome) {
    case 'clean': return `no drift; ${r.driver} holds every account at its latest version`;
    case 'dry-run': return `${n(total, 'drift')} found; dry run, nothing repaired (run it without --dry-run to repair)`;
    case 'repaired': return `${n(total, 'drift')} found; all repaired`;
    case 'unresolved': return `${n(total, 'drift')} found; ${r.unresolved} left (refused repairs, and newer, duplicate or unknown entries, which are never overwritten or deleted: see above)`;
  }
}

export function renderDrivers(drivers: DriverReport[]): string {
  if (drivers.length === 0) return 'No driver runs on this instance (IGA_DRIVERS is empty).\n';
  const lines: string[] = [];
  for (const d of drivers) {
    const lag = d.progress.caughtUp ? 'caught up' : `${d.progress.behind} offsets behind`;
    const waiting = d.waiting.length > 0 ? `  WAITING for the destination: ${d.waiting.length} change(s) retrying` : '';
    lines.push(`Driver ${d.name}  (group ${d.group})  ${lag}${waiting}`);
    lines.push(`  tags      ${d.tags.complete} complete, ${d.tags.failed} failed (${d.tags.parked} parked), ${d.tags.retrying} retrying`);
    lines.push(`  here      ${d.instance.applied} applied, ${d.instance.unchanged} unchanged, ${d.instance.failed} failed, ${d.instance.retries} retries${d.instance.lastError ? `; last error: ${d.instance.lastError}` : ''}`);
    for (const w of d.waiting.slice(0, 5)) lines.push(`  retrying  ${w.changeId}  attempt ${w.attempts}, next ${w.nextAttemptAt ?? '?'}: ${w.error ?? ''}`);
    for (const p of d.parked.slice(0, 20)) lines.push(`  parked    ${p.changeId}  since ${p.at}${p.messageId ? `  message ${p.messageId}` : ''}: ${p.error ?? ''}`);
    if (d.parked.length > 20) lines.push(`  … and ${d.parked.length - 20} more parked (--json lists all)`);
  }
  const parked = drivers.reduce((n, d) => n + d.tags.parked, 0);
  lines.push('', `drivers: ${drivers.length} driver(s), ${parked} parked change(s)${parked > 0 ? '; re-drive them with iga-stream drivers retry <driver>' : ''}`);
  return `${lines.join('\n')}\n`;
}
