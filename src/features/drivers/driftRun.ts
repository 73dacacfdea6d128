/**
 * One drift check of one driver's destination, on the instance asked, through its own destination
 * (like retry and resync): read the account state (this instance's account replica) and every
 * entry the destination holds (Destination.list), compare (drift.ts), read each drifted account and
 * entry again so a change that was on its way is not reported, and — unless it is a dry run —
 * re-drive the latest state of each repairable account (a rewrite: the same version is written
 * again, an older one never), tag what was written, and read it back. Entries of unknown accounts,
 * duplicates and newer entries are reported, never deleted or overwritten. A destination that is
 * down stops the check with its error; nothing was skipped: run it again.
 */
import { randomBytes } from 'node:crypto';
import type { DestinationEntry } from '../../../connectors/drivers/destination.ts';
import { DestinationRefused } from '../../../connectors/drivers/destination.ts';
import type { Logger } from '../../common/log.ts';
import type { ChangeStatus } from '../../topology/contracts/changeStatus.ts';
import { compareAccount, compareDestination, countDriftByKind, driftRepairs, REPAIRABLE_KINDS, type DestinationDrift, type DestinationDriftKind } from './drift.ts';
import { driftMetrics } from './driftMetrics.ts';
import { applyLatest, type RedriveDeps } from './redrive.ts';

export type DriftPhase = 'accounts' | 'destination' | 'compare' | 'confirm' | 'repair' | 'verify';

export interface DriftProgress {
  type: 'progress';
  checkId: string;
  driver: string;
  phase: DriftPhase;
  done: number;
  total: number | null;
  note?: string;
}

export type DriftOutcome = 'clean' | 'dry-run' | 'repaired' | 'unresolved';

export interface DriftReport {
  checkId: string;
  driver: string;
  dryRun: boolean;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** Accounts in the replica, and entries the destination listed. */
  accounts: number;
  entries: number;
  /** Drift found (and confirmed by a second read), per kind. */
  drift: Record<DestinationDriftKind, number>;
  /** The drifts found (at most REPORT_LIMIT). */
  drifts: DestinationDrift[];
  /** Accounts re-driven, by outcome (all 0 in a dry run). */
  repairs: { applied: number; unchanged: number; failed: number };
  /** Repairs the destination refused, with its words. */
  failures: Array<{ accountId: string; userName: string; error: string }>;
  /** Drift left at the end: all of it in a dry run; else refused, still differing, or reported only. */
  unresolved: number;
  unresolvedDrifts: DestinationDrift[];
  outcome: DriftOutcome;
}

export interface DriftDeps extends RedriveDeps {
  log: Logger;
}

export const REPORT_LIMIT = 200;

/** Thrown when a check of this driver is asked for while one runs on this instance. */
export class DriftBusyError extends Error {
  readonly checkId: string;
  constructor(driver: string, checkId: string) {
    super(`drift check ${checkId} of ${driver} is still running on this instance; wait for it`);
    this.name = 'DriftBusyError';
    this.checkId = checkId;
  }
}

const running = new Map<string, string>();

/** The id of the check of `driver` running on this instance, or null. */
export function driftCheckRunning(driver: string): string | null {
  return running.get(driver) ?? null;
}

export async function runDriftCheck(deps: DriftDeps, opts: { dryRun: boolean; onProgress?: (p: DriftProgress) => void }): Promise<DriftReport> {
  const driver = deps.destination.name;
  const busy = running.get(driver);
  if (busy) throw new DriftBusyError(driver, busy);
  const checkId = `${new Date(deps.clock()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;
  running.set(driver, checkId);
  const log = deps.log.child({ driver, driftCheck: checkId });
  const progress = (phase: DriftPhase, done: number, total: number | null, note?: string) =>
    opts.onProgress?.({ type: 'progress', checkId, driver, phase, done, total, ...(note ? { note } : {}) });
  const started = deps.clock();
  const mode = opts.dryRun ? 'dry-run' : 'repair';
  const base = { checkId, driver, dryRun: opts.dryRun, startedAt: new Date(started).toISOString() };
  log.info({ dryRun: opts.dryRun }, 'drift check started');
  try {
    const accounts = [...deps.accounts.values()];
    progress('accounts', accounts.length, accounts.length, `${accounts.length} accounts in the replica`);
    const entries: DestinationEntry[] = [];
    for await (const e of deps.destination.list()) {
      entries.push(e);
      if (entries.length % 500 === 0) progress('destination', entries.length, null);
    }
    progress('destination', entries.length, entries.length, `${entries.length} entries at ${driver}`);

    const first = compareDestination(driver, accounts, entries, deps.affiliations);
    progress('compare', first.length, first.length, `${first.length} to confirm`);
    const drifts = await confirm(deps, first, (done) => progress('confirm', done, first.length));
    const drift = countDriftByKind(drifts);
    for (const [kind, n] of Object.entries(drift)) {
      driftMetrics.drift.set({ driver, kind }, n);
      if (n > 0) driftMetrics.found.inc({ driver, kind }, n);
    }
    progress('confirm', first.length, first.length, `${drifts.length} drift${drifts.length === 1 ? '' : 's'}`);

    const repaired = !opts.dryRun && drifts.length > 0 ? await repair(deps, drifts, progress) : null;
    const unresolved = repaired?.unresolved ?? drifts;
    const outcome: DriftOutcome = drifts.length === 0 ? 'clean' : opts.dryRun ? 'dry-run' : unresolved.length === 0 ? 'repaired' : 'unresolved';
    const ended = deps.clock();
    driftMetrics.unresolved.set({ driver }, unresolved.length);
    driftMetrics.checks.inc({ driver, mode, outcome });
    const repairs = repaired?.repairs ?? { applied: 0, unchanged: 0, failed: 0 };
    log.info({ outcome, drift, repairs, unresolved: unresolved.length, durationMs: ended - started }, 'drift check finished');
    return {
      ...base, accounts: accounts.length, entries: entries.length, endedAt: new Date(ended).toISOString(), durationMs: ended - started, drift, drifts: drifts.slice(0, REPORT_LIMIT),
      repairs, failures: (repaired?.failures ?? []).slice(0, REPORT_LIMIT), unresolved: unresolved.length, unresolvedDrifts: unresolved.slice(0, REPORT_LIMIT), outcome,
    };
  } catch (err) {
    driftMetrics.checks.inc({ driver, mode, outcome: 'failed' });
    log.error({ err: err instanceof Error ? err.message : String(err) }, 'drift check failed');
    throw err;
  } finally {
    running.delete(driver);
  }
}

/**
 * Re-drives the latest state of every account with repairable drift (a rewrite), tags what was
 * written or refused like a resync, and reads each written one back. Returns the counts, the
 * refusals and the drift left: reported-only kinds, refused accounts, and what still differs.
 */
async function repair(deps: DriftDeps, drifts: DestinationDrift[], progress: (phase: DriftPhase, done: number, total: number | null, note?: string) => void) {
  const driver = deps.destination.name;
  const ids = driftRepairs(drifts);
  const repairs = { applied: 0, unchanged: 0, failed: 0 };
  const failures: DriftReport['failures'] = [];
  const refused = new Set<string>();
  let tags: ChangeStatus[] = [];
  for (const [i, id] of ids.entries()) {
    const account = deps.accounts.get(id);
    if (!account) {
      refused.add(id);
      failures.push({ accountId: id, userName: drifts.find((d) => d.accountId === id)?.userName ?? '', error: 'the account is no longer in this instance\'s account replica' });
    } else {
      const r = await applyLatest(deps, account, null, { rewrite: true });
      repairs[r.outcome]++;
      driftMetrics.repairs.inc({ driver, outcome: r.outcome });
      if (r.outcome === 'failed') {
        refused.add(id);
        failures.push({ accountId: id, userName: account.userName, error: r.error ?? 'refused' });
      }
      // Like resync: what was written (or refused) gets its tag; an unchanged entry was complete already.
      if (r.outcome !== 'unchanged') tags.push(...r.tags);
      if (tags.length >= 100) { await deps.tags.write(tags); tags = []; }
    }
    progress('repair', i + 1, ids.length, 'accounts re-driven');
  }
  await deps.tags.write(tags);
  const written = ids.filter((id) => !refused.has(id));
  const still = await verify(deps, written, (done) => progress('verify', done, written.length, 'read back'));
  progress('verify', written.length, written.length, `${still.length} still differ`);
  const unresolved = [...drifts.filter((d) => !REPAIRABLE_KINDS.has(d.kind) || refused.has(d.accountId)), ...still];
  return { repairs, failures, unresolved };
}

/**
 * Reads each drifted account (replica) and entry (destination) again and keeps what still differs:
 * the driver may have written a change between the two reads of the first pass. An entry of an
 * unknown account stays as listed while no account has its id (it is only reported).
 */
async function confirm(deps: DriftDeps, drifts: DestinationDrift[], onDone: (n: number) => void): Promise<DestinationDrift[]> {
  const out: DestinationDrift[] = [];
  const done = new Set<string>();
  for (const [i, d] of drifts.entries()) {
    onDone(i);
    if (d.kind === 'duplicate-entry') { out.push(d); continue; }
    const account = deps.accounts.get(d.accountId);
    if (!account) {
      if (d.kind === 'unknown-entry') out.push(d);
      continue;
    }
    if (done.has(account.id)) continue;
    done.add(account.id);
    let entry: DestinationEntry | null;
    try {
      entry = await deps.destination.read(account.id);
    } catch (err) {
      // Several entries of one account now: the destination will not pick one.
      if (err instanceof DestinationRefused) { out.push(d); continue; }
      throw err;
    }
    const again = compareAccount(deps.destination.name, account, entry ? [entry] : [], deps.affiliations);
    if (again) out.push(again);
  }
  return out;
}

/** Reads each repaired account's entry back; returns the drift that is still there. */
async function verify(deps: DriftDeps, ids: string[], onDone: (n: number) => void): Promise<DestinationDrift[]> {
  const out: DestinationDrift[] = [];
  for (const [i, id] of ids.entries()) {
    onDone(i);
    const account = deps.accounts.get(id);
    if (!account) continue;
    const entry = await deps.destination.read(id);
    const d = compareAccount(deps.destination.name, account, entry ? [entry] : [], deps.affiliations);
    if (d) out.push(d);
  }
  return out;
}

