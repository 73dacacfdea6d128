/**
 * One reconciliation run: read DFØ's collections and the local store replicas, compare (drift.ts),
 * write the drift to the audit topic and the metrics, and — unless it is a dry run — produce the
 * repair events (plan.ts) onto the raw topic, so the topology fetches from DFØ as for a missed
 * notification. Then wait until the repairs are visible in the replicas (or a timeout), so a
 * second run right after finds nothing; what is still not repaired is reported as pending.
 * Never writes a store. One run at a time per instance.
 */
import { randomBytes } from 'node:crypto';
import type { DfoDatasource } from '../../../connectors/dfo/index.ts';
import type { Holder } from '../../iga/model.ts';
import type { Logger } from '../../common/log.ts';
import { compareState, countByKind, indexSnapshot, type CompareScope, type DfoIndex, type Drift, type DriftKind, type StoredPerson, type StoredState } from './drift.ts';
import { reconcileMetrics } from './metrics.ts';
import { planRepairs } from './plan.ts';
import type { ReconcileOutput } from './producer.ts';
import { driftAuditRecord, repairRawEvent, runAuditKey, type RunAuditRecord, type RunOutcome } from './records.ts';
import type { ReconcileStores } from './stores.ts';

export type ReconcilePhase = 'dfo' | 'stores' | 'compare' | 'repair' | 'wait';

export interface ReconcileProgress {
  type: 'progress';
  runId: string;
  phase: ReconcilePhase;
  done: number;
  total: number | null;
  note?: string;
}

export interface ReconcileReport extends Omit<RunAuditRecord, 'type' | 'v'> {
  durationMs: number;
  /** The drifts found (at most `REPORT_LIMIT`; `drift` has the full counts). */
  drifts: Drift[];
  /** Drifts not yet repaired when the run ended (at most `REPORT_LIMIT`). */
  pendingDrifts: Drift[];
}

export interface ReconcilerDeps {
  dfo: Pick<DfoDatasource, 'listEmployees' | 'listPositions'>;
  stores: ReconcileStores;
  output: ReconcileOutput;
  log: Logger;
  clock?: () => number;
  /** How long a run waits for its repairs to show in the stores (default 120 s). */
  waitTimeoutMs?: number;
  /** How often the stores are re-read while waiting (default 250 ms). */
  pollMs?: number;
}

export interface RunOptions {
  dryRun?: boolean;
  trigger?: 'admin' | 'schedule';
  onProgress?: (p: ReconcileProgress) => void;
}

export const REPORT_LIMIT = 200;

/** Thrown when a run is asked for while one is running on this instance. */
export class ReconcileBusyError extends Error {
  readonly runId: string;
  constructor(runId: string) {
    super(`reconciliation run ${runId} is still running on this instance; wait for it (GET /admin/reconcile/last)`);
    this.name = 'ReconcileBusyError';
    this.runId = runId;
  }
}

export class Reconciler {
  private readonly deps: ReconcilerDeps;
  private current: string | null = null;
  private latest: ReconcileReport | null = null;

  constructor(deps: ReconcilerDeps) {
    this.deps = deps;
  }

  /** The id of the run in progress, or null. */
  running(): string | null {
    return this.current;
  }

  /** The report of the latest finished run on this instance, or null. */
  last(): ReconcileReport | null {
    return this.latest;
  }

  async run(opts: RunOptions = {}): Promise<ReconcileReport> {
    if (this.current) throw new ReconcileBusyError(this.current);
    const now = this.deps.clock ?? Date.now;
    const runId = newRunId(now());
    this.current = runId;
    const started = now();
    const dryRun = opts.dryRun ?? false;
    const trigger = opts.trigger ?? 'admin';
    const progress = (phase: ReconcilePhase, done: number, total: number | null, note?: string) =>
      opts.onProgress?.({ type: 'progress', runId, phase, done, total, ...(note ? { note } : {}) });
    const log = this.deps.log.child({ reconcileRun: runId });
    const base = { runId, trigger, dryRun, startedAt: new Date(started).toISOString() };
    let counts = { dfo: { employees: 0, positions: 0 }, stored: { persons: 0, positions: 0 } };
    const endTimer = reconcileMetrics.duration.startTimer({ mode: dryRun ? 'dry-run' : 'repair' });
    log.info({ dryRun, trigger }, 'reconciliation started');
    try {
      progress('dfo', 0, 2, 'reading DFØ collections');
      const snapshot = await this.readDfo();
      progress('dfo', 2, 2, `${snapshot.employees.size} employees, ${snapshot.positions.size} positions`);
      const stored = await this.readStores((n) => progress('stores', n, null));
      counts = { dfo: { employees: snapshot.employees.size, positions: snapshot.positions.size }, stored: { persons: stored.persons.size, positions: stored.positions.size } };
      progress('stores', stored.persons.size + stored.positions.size, stored.persons.size + stored.positions.size, `${stored.persons.size} persons, ${stored.positions.size} positions`);
      const drifts = compareState(snapshot, stored);
      const drift = countByKind(drifts);
      progress('compare', drifts.length, drifts.length, `${drifts.length} drift${drifts.length === 1 ? '' : 's'}`);
      recordDriftMetrics(drift);
      const at = new Date(now()).toISOString();
      const events = dryRun ? [] : planRepairs(drifts);
      const repairOf = new Map<string, string>();
      for (const e of events) for (const r of e.repairs) if (!repairOf.has(`${r.kind}|${r.subject}`)) repairOf.set(`${r.kind}|${r.subject}`, `${e.kind}:${e.id}`);
      await this.deps.output.sendAudit(drifts.map((d) => ({
        key: runAuditKey(runId), value: driftAuditRecord(d, runId, at, repairOf.get(`${d.kind}|${d.subject.type}:${d.subject.id}`) ?? null),
      })));
      let pending: Drift[] = [];
      if (events.length > 0) {
        for (let i = 0; i < events.length; i += 200) {
          const chunk = events.slice(i, i + 200);
          await this.deps.output.sendRaw(chunk.map((e) => repairRawEvent(e, runId, new Date(now()).toISOString())));
          for (const e of chunk) reconcileMetrics.repairs.inc({ kind: e.kind });
          progress('repair', Math.min(i + 200, events.length), events.length, 'repair events produced');
        }
        log.info({ events: events.length, drift }, 'repair events produced; waiting for the stores');
        pending = await this.waitForRepairs(snapshot, drifts, (n, note) => progress('wait', drifts.length - n, drifts.length, note));
      }
      const outcome: RunOutcome = drifts.length === 0 ? 'clean' : dryRun ? 'dry-run' : pending.length === 0 ? 'repaired' : 'pending';
      return await this.finish({ ...base, ...counts, outcome, drift, repairEvents: events.length, pending: pending.length }, drifts, pending, started, log);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.error({ err: message }, 'reconciliation failed');
      await this.finish({ ...base, ...counts, outcome: 'failed', drift: countByKind([]), repairEvents: 0, pending: 0, error: message }, [], [], started, log).catch(() => undefined);
      throw err;
    } finally {
      endTimer();
      this.current = null;
    }
  }

  private async finish(r: Omit<RunAuditRecord, 'type' | 'v' | 'endedAt'>, drifts: Drift[], pending: Drift[], started: number, log: Logger): Promise<ReconcileReport> {
    const ended = (this.deps.clock ?? Date.now)();
    const record: RunAuditRecord = { type: 'reconcile-run', v: 1, ...r, endedAt: new Date(ended).toISOString() };
    reconcileMetrics.runs.inc({ mode: r.dryRun ? 'dry-run' : 'repair', trigger: r.trigger, outcome: r.outcome });
    reconcileMetrics.pending.set(r.pending);
    reconcileMetrics.lastRun.set(ended / 1000);
    const { type: _t, v: _v, ...rest } = record;
    const report: ReconcileReport = { ...rest, durationMs: ended - started, drifts: drifts.slice(0, REPORT_LIMIT), pendingDrifts: pending.slice(0, REPORT_LIMIT) };
    this.latest = report;
    await this.deps.output.sendAudit([{ key: runAuditKey(r.runId), value: record }]);
    log.info({ outcome: r.outcome, drift: r.drift, repairEvents: r.repairEvents, pending: r.pending, durationMs: report.durationMs }, 'reconciliation finished');
    return report;
  }

  private async readDfo(): Promise<DfoIndex> {
    const [employees, positions] = await Promise.all([this.deps.dfo.listEmployees(), this.deps.dfo.listPositions()]);
    return indexSnapshot({ employees, positions });
  }

  /** Waits (bounded) until the replicas caught up, then reads both stores whole. */
  private async readStores(onCount: (n: number) => void): Promise<{ positions: Map<string, { holders: Holder[] }>; persons: Map<string, StoredPerson> }> {
    const { stores } = this.deps;
    await withTimeout(stores.ready, this.deps.waitTimeoutMs ?? 120_000, 'the store replicas to catch up');
    const until = Date.now() + 10_000;
    while (stores.lag() > 0 && Date.now() < until) await sleep(this.deps.pollMs ?? 250);
    const positions = new Map<string, { holders: Holder[] }>();
    const persons = new Map<string, StoredPerson>();
    let n = 0;
    for await (const [k, v] of stores.positions.range()) { positions.set(k, v); if (++n % 5000 === 0) onCount(n); }
    for await (const [k, v] of stores.persons.range()) { persons.set(k, v); if (++n % 5000 === 0) onCount(n); }
    return { positions, persons };
  }

  /**
   * Re-reads the subjects of `drifts` until none of them differs from DFØ any more, or the timeout.
   * DFØ is read again now and then, so a change that DFØ announced meanwhile (events keep flowing)
   * is compared with DFØ's newer answer rather than the run's first one. Returns what is pending.
   */
  private async waitForRepairs(snapshot: DfoIndex, drifts: Drift[], onPending: (n: number, note: string) => void): Promise<Drift[]> {
    const timeoutMs = this.deps.waitTimeoutMs ?? 120_000;
    const pollMs = this.deps.pollMs ?? 250;
    const refreshEveryMs = Math.max(5_000, timeoutMs / 6);
    const scope = scopeOf(drifts);
    const started = Date.now();
    let lastRefresh = started;
    let dfo = snapshot;
    for (;;) {
      const stored = await this.readScope(scope);
      const left = compareState(dfo, stored, scope);
      onPending(left.length, `${left.length} not yet visible in the stores`);
      if (left.length === 0) return [];
      if (Date.now() - started >= timeoutMs) {
        this.deps.log.warn({ pending: left.length, kinds: countByKind(left) }, 'repairs not visible in the stores before the timeout; reported as pending');
        return left;
      }
      if (Date.now() - lastRefresh >= refreshEveryMs) {
        dfo = await this.readDfo();
        lastRefresh = Date.now();
        continue;
      }
      await sleep(pollMs);
    }
  }

  private async readScope(scope: CompareScope): Promise<StoredState> {
    const positions = new Map<string, { holders: Holder[] }>();
    const persons = new Map<string, StoredPerson>();
    for (const id of scope.positions) { const v = await this.deps.stores.positions.get(id); if (v) positions.set(id, v); }
    for (const id of scope.persons) { const v = await this.deps.stores.persons.get(id); if (v) persons.set(id, v); }
    return { positions, persons };
  }
}

function scopeOf(drifts: readonly Drift[]): CompareScope {
  const positions = new Set<string>();
  const persons = new Set<string>();
  for (const d of drifts) (d.subject.type === 'position' ? positions : persons).add(d.subject.id);
  return { positions, persons };
}

function recordDriftMetrics(drift: Record<DriftKind, number>): void {
  for (const [kind, n] of Object.entries(drift)) {
    reconcileMetrics.drift.set({ kind }, n);
    if (n > 0) reconcileMetrics.driftFound.inc({ kind }, n);
  }
}

/** `20261201T104512Z-3fa2`: sortable, readable, unique enough across instances. */
export function newRunId(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(2).toString('hex')}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}
