/**
 * Dependency health: whether each external dependency (Kafka, RabbitMQ, the DFØ API; later LDAP,
 * Keycloak) answers. Components report failures and successes; this turns a stream of failures
 * into three kinds of log lines instead of one line per failure:
 *
 * - one warn line when the dependency goes down, with the first error;
 * - while it stays down, a summary at most every `summaryEveryMs` (failures since the last line,
 *   for how long, from which components), written when a failure comes in;
 * - one info line when it is back, with the outage's duration and failure count.
 *
 * "Back" means it answered and nothing failed for `settleMs`: with several brokers or concurrent
 * requests, answers and failures interleave while one part is still gone, and each interleaving
 * must not become a down/up pair of lines. A line is written on the logger of the component that
 * reported the event (its `component` and `instance` fields say who saw it).
 *
 * Metrics: `iga_dependency_up{dependency}` (1/0) and `iga_dependency_outages_total{dependency}`.
 * Reporting a success while the dependency is up is one boolean check, so hot paths may report
 * every answer.
 */
import type { Counter, Gauge } from 'prom-client';
import type { Logger } from './log.ts';
import { counter, gauge } from './metrics.ts';

/** Names in log lines; a dependency not listed is shown by its id. */
const LABELS: Record<string, string> = { kafka: 'Kafka', rabbitmq: 'RabbitMQ', dfo: 'DFØ API', ldap: 'LDAP', keycloak: 'Keycloak' };

export interface DependencyHealthOptions {
  /** Least time between two lines about one outage (default 30 s). */
  summaryEveryMs?: number;
  /** How long a dependency must answer without a failure before it counts as back (default 2 s). */
  settleMs?: number;
  now?: () => number;
  /** Runs `fn` after `ms`; returns a cancel function. Default: an unref'd setTimeout. */
  schedule?: (fn: () => void, ms: number) => () => void;
  /** Default: `iga_dependency_up` and `iga_dependency_outages_total` on the default registry. */
  metrics?: { up: Gauge; outages: Counter };
}

interface Outage {
  downAt: number;
  failures: number;
  lastFailureAt: number;
  lastLineAt: number;
  /** Failures since the last line, per reporting component. */
  sinceLine: Map<string, number>;
  /** The first answer after the last failure: the outage ends when nothing fails for settleMs after it. */
  recovering: { since: number; log: Logger; cancel: () => void } | null;
}

/** One dependency's reporter. `failure` and `success` are what components call. */
export class Dependency {
  readonly name: string;
  private outage: Outage | null = null;
  private readonly health: DependencyHealth;

  constructor(name: string, health: DependencyHealth) {
    this.name = name;
    this.health = health;
    health.metrics.up.set({ dependency: name }, 1);
  }

  get up(): boolean {
    return this.outage === null;
  }

  /** The dependency failed to answer (connection refused, timeout, 5xx, ...). `log` is the reporter's logger. */
  failure(err: unknown, log: Logger): void {
    const { now: clock, metrics, summaryEveryMs } = this.health;
    const now = clock();
    const error = describe(err);
    const source = componentOf(log);
    const o = this.outage;
    if (o === null) {
      this.outage = { downAt: now, failures: 1, lastFailureAt: now, lastLineAt: now, sinceLine: new Map(), recovering: null };
      metrics.up.set({ dependency: this.name }, 0);
      metrics.outages.inc({ dependency: this.name });
      log.warn({ dependency: this.name, err: error }, `${this.label} is down: ${error}`);
      return;
    }
    o.failures++;
    o.lastFailureAt = now;
    o.sinceLine.set(source, (o.sinceLine.get(source) ?? 0) + 1);
    if (o.recovering) {
      o.recovering.cancel();
      o.recovering = null;
    }
    if (now - o.lastLineAt < summaryEveryMs) return;
    const failures = [...o.sinceLine.values()].reduce((a, b) => a + b, 0);
    const sources = Object.fromEntries([...o.sinceLine].sort((a, b) => b[1] - a[1]));
    log.warn(
      { dependency: this.name, downForMs: now - o.downAt, failures, totalFailures: o.failures, sources, err: error },
      `${this.label} still down after ${formatDuration(now - o.downAt)}: ${failures} failures since the last report (${Object.entries(sources).map(([s, n]) => `${s} ${n}`).join(', ')}); last: ${error}`,
    );
    o.lastLineAt = now;
    o.sinceLine.clear();
  }

  /** The dependency answered. Cheap while it is up. */
  success(log: Logger): void {
    const o = this.outage;
    if (o === null || o.recovering !== null) return;
    const { now: clock, schedule, settleMs } = this.health;
    const now = clock();
    const wait = o.lastFailureAt + settleMs - now;
    if (wait <= 0) {
      this.recover(now, log);
      return;
    }
    const recovering: NonNullable<Outage['recovering']> = { since: now, log, cancel: () => undefined };
    o.recovering = recovering;
    recovering.cancel = schedule(() => {
      if (this.outage === o && o.recovering === recovering) this.recover(recovering.since, log);
    }, wait);
  }

  private recover(answeredAt: number, log: Logger): void {
    const o = this.outage!;
    this.outage = null;
    this.health.metrics.up.set({ dependency: this.name }, 1);
    const downForMs = answeredAt - o.downAt;
    // The back line pairs with the down line: shown wherever the warning was, also at level warn (the demo's).
    const out = !log.isLevelEnabled('info') && log.isLevelEnabled('warn') ? log.child({}, { level: 'info' }) : log;
    out.info({ dependency: this.name, downForMs, failures: o.failures }, `${this.label} is back after ${formatDuration(downForMs)} (${o.failures} ${o.failures === 1 ? 'failure' : 'failures'})`);
  }

  private get label(): string {
    return LABELS[this.name] ?? this.name;
  }
}

/** The dependencies of one process, with shared settings, clock and metrics. */
export class DependencyHealth {
  summaryEveryMs: number;
  settleMs: number;
  readonly now: () => number;
  readonly schedule: (fn: () => void, ms: number) => () => void;
  readonly metrics: { up: Gauge; outages: Counter };
  private readonly byName = new Map<string, Dependency>();

  constructor(opts: DependencyHealthOptions = {}) {
    this.summaryEveryMs = opts.summaryEveryMs ?? 30_000;
    this.settleMs = opts.settleMs ?? 2_000;
    this.now = opts.now ?? Date.now;
    this.schedule = opts.schedule ?? ((fn, ms) => {
      const t = setTimeout(fn, ms);
      t.unref();
      return () => clearTimeout(t);
    });
    this.metrics = opts.metrics ?? {
      up: gauge('iga_dependency_up', 'Whether an external dependency answers: 1 up, 0 during an outage', ['dependency']),
      outages: counter('iga_dependency_outages_total', 'Outages of an external dependency (each logged once when it starts and once when it ends)', ['dependency']),
    };
  }

  /** The reporter of `name` (created, and shown as up, on first use). */
  dependency(name: string): Dependency {
    let d = this.byName.get(name);
    if (!d) {
      d = new Dependency(name, this);
      this.byName.set(name, d);
    }
    return d;
  }

  /** Settings from the service configuration (`IGA_OUTAGE_SUMMARY_MS`). */
  configure(opts: { summaryEveryMs?: number; settleMs?: number }): void {
    if (opts.summaryEveryMs !== undefined) this.summaryEveryMs = opts.summaryEveryMs;
    if (opts.settleMs !== undefined) this.settleMs = opts.settleMs;
  }
}

/** The process's dependencies: every Kafka client, the AMQP connectors and the DFØ client report here. */
export const dependencyHealth = new DependencyHealth();

/** Shorthand for `dependencyHealth.dependency(name)`. */
export const dependency = (name: string): Dependency => dependencyHealth.dependency(name);

function componentOf(log: Logger): string {
  const c = (log.bindings() as { component?: unknown }).component;
  return typeof c === 'string' ? c : 'unknown';
}

function describe(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err instanceof AggregateError && !err.message && err.errors.length > 0) return describe(err.errors[0]); // net.connect to a name with several addresses
  if (err instanceof Error) return err.message || (err as { code?: string }).code || err.name;
  return String(err);
}

/** `850 ms`, `8.2 s`, `38 s`, `4 min 12 s`, `2 h 5 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.floor(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
