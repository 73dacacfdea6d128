/**
 * What the overview shows, for this instance: the flow's steps with their counts and what each
 * has left to read, the health of Kafka, RabbitMQ, the DFØ API and this instance's parts, and a
 * history of samples for the plots. Counts come from this process's Prometheus metrics (the same
 * series `/metrics` serves), lag from the instance status; the history is kept in memory, one
 * sample every `sampleMs` for `keepMs`, and starts empty when the instance starts. With a
 * Prometheus URL the plots come from Prometheus instead (plotSeries.ts).
 */
import client from 'prom-client';
import { seriesFromPrometheus, seriesFromSamples, type OverviewSample, type PlotSeries } from './plotSeries.ts';

export type { OverviewSample } from './plotSeries.ts';
import type { InstanceStatus } from '../status/status.ts';

export interface FlowStep {
  id: string;
  label: string;
  kind: 'source' | 'processor' | 'store' | 'sink';
  /** Records through this step since the instance started (null: the step does not run here). */
  count: number | null;
  /** Records per second over the last sample interval (null before two samples). */
  rate: number | null;
  /** Offsets the step has still to read (null when it has no input topic of its own). */
  behind: number | null;
}

export interface HealthLine { name: string; up: boolean | null; detail: string }

export interface OverviewSnapshot {
  instance: string;
  at: string;
  steps: FlowStep[];
  health: HealthLine[];
  accounts: { total: number; active: number };
  deadLetters: number;
}


export interface OverviewSource {
  snapshot(): Promise<OverviewSnapshot>;
  history(): OverviewSample[];
  /** The plots' points: from Prometheus when `prometheusUrl` is set and answers, else from the samples. */
  plots(): Promise<PlotSeries>;
  /** Takes a sample now (the timer does every `sampleMs`). */
  sample(): Promise<void>;
  close(): void;
}

export interface OverviewDeps {
  appId: string;
  instance: string;
  status: () => Promise<InstanceStatus>;
  accounts: () => { total: number; active: number };
  /** The input topics of steps A–D, for their lag (B reads person-events and account-inputs). */
  topics: { raw: string; personEvents: string; accountInputs: string; usernameClaims: string; brake: string };
  sampleMs: number;
  keepMs: number;
  /** The live members of the topology's group, every instance's (groupMembers.ts). */
  members?: () => Promise<Array<{ clientId: string; host: string; partitions: number }>>;
  /** IGA_PROMETHEUS_URL: the plots come from there. */
  prometheusUrl?: string | null;
  now?: () => number;
}

async function metricValues(name: string, appId: string): Promise<Array<{ value: number; labels: Partial<Record<string, string | number>> }>> {
  const m = client.register.getSingleMetric(name);
  if (!m) return [];
  const { values } = await m.get();
  return values.filter((v) => v.labels.app === undefined || v.labels.app === appId);
}

const sum = (vs: Array<{ value: number }>) => vs.reduce((n, v) => n + v.value, 0);

export function startOverviewSource(deps: OverviewDeps): OverviewSource {
  const now = deps.now ?? Date.now;
  const samples: OverviewSample[] = [];

  async function counts() {
    const processed = await metricValues('iga_streams_records_processed_total', deps.appId);
    const bySub = (s: string) => sum(processed.filter((v) => String(v.labels.subtopology) === s));
    const received = sum((await metricValues('iga_ingress_messages_total', deps.appId)).filter((v) => v.labels.outcome !== 'requeued'));
    const notified = sum((await metricValues('iga_egress_events_total', deps.appId)).filter((v) => v.labels.outcome === undefined || v.labels.outcome === 'published'));
    const lag = await metricValues('iga_streams_input_lag_offsets', deps.appId);
    const driverChanges = await metricValues('iga_driver_changes_total', deps.appId);
    return { received, notified, processed: sum(processed), bySub, lag, driverChanges };
  }

  async function sample(): Promise<void> {
    const c = await counts();
    samples.push({ t: now(), received: c.received, processed: c.processed, notified: c.notified, behind: sum(c.lag), deadLetters: sum(await metricValues('iga_streams_records_dead_lettered_total', deps.appId)), steps: ['0', '1', '2', '3'].map(c.bySub) });
    const oldest = now() - deps.keepMs;
    while (samples.length > 0 && samples[0]!.t < oldest) samples.shift();
  }
  const timer = setInterval(() => { void sample().catch(() => undefined); }, deps.sampleMs);
  timer.unref();
  void sample().catch(() => undefined);

  /** Every other instance in the topology's group, as Kafka sees it (a member is alive). */
  async function membersHealth(self: string): Promise<HealthLine[]> {
    if (!deps.members) return [];
    try {
      return (await deps.members())
        .filter((m) => m.clientId !== `${deps.appId}-${self}`)
        .map((m) => ({ name: `Instance ${m.clientId.startsWith(`${deps.appId}-`) ? m.clientId.slice(deps.appId.length + 1) : m.clientId}`, up: true, detail: `in the group from ${m.host}, ${m.partitions} partitions` }));
    } catch (err) {
      return [{ name: 'Other instances', up: null, detail: `Kafka did not list the group's members: ${err instanceof Error ? err.message : String(err)}` }];
    }
  }

  /** Per-second rate of one cumulative series over the last two samples. */
  const rate = (pick: (s: OverviewSample) => number): number | null => {
    const [a, b] = samples.slice(-2);
    if (!a || !b || b.t === a.t) return null;
    return Math.max(0, (pick(b) - pick(a)) / ((b.t - a.t) / 1000));
  };

  return {
    async snapshot() {
      const [st, c] = await Promise.all([deps.status(), counts()]);
      const lagOf = (...topics: string[]) => {
        const behind = st.progress.topology.lagging.filter((l) => topics.includes(l.topic)).reduce((sum, l) => sum + l.behind, 0);
        return st.streams.state === 'running' ? behind : null;
      };
      const up = async (dep: string): Promise<boolean | null> => {
        const v = (await metricValues('iga_dependency_up', deps.appId)).find((x) => x.labels.dependency === dep);
        return v === undefined ? null : v.value === 1;
      };
      const drivers = Object.entries(st.drivers ?? {});
      const steps: FlowStep[] = [
        { id: 'ingress', label: 'DFØ notifications (RabbitMQ → Kafka)', kind: 'source', count: st.ingress ? c.received : null, rate: st.ingress ? rate((s) => s.received) : null, behind: null },
        { id: 'A', label: 'A · DFØ events (positions, enrichment)', kind: 'processor', count: c.bySub('0'), rate: rate((s) => s.steps[0] ?? 0), behind: lagOf(deps.topics.raw) },
        { id: 'B', label: 'B · persons and accounts', kind: 'processor', count: c.bySub('1'), rate: rate((s) => s.steps[1] ?? 0), behind: lagOf(deps.topics.personEvents, deps.topics.accountInputs) },
        { id: 'C', label: 'C · username registry', kind: 'processor', count: c.bySub('2'), rate: rate((s) => s.steps[2] ?? 0), behind: lagOf(deps.topics.usernameClaims) },
        { id: 'D', label: 'D · mass-change brake', kind: 'processor', count: c.bySub('3'), rate: rate((s) => s.steps[3] ?? 0), behind: lagOf(deps.topics.brake) },
        { id: 'accounts', label: 'Accounts (SCIM)', kind: 'store', count: deps.accounts().total, rate: null, behind: null },
        { id: 'egress', label: 'Notify events (Kafka → RabbitMQ)', kind: 'sink', count: st.egress ? c.notified : null, rate: st.egress ? rate((s) => s.notified) : null, behind: st.progress.egress?.behind ?? null },
        ...drivers.map(([name, d]): FlowStep => ({ id: `driver-${name}`, label: `Driver ${name}`, kind: 'sink', count: d.applied + d.unchanged + d.failed + d.skipped, rate: null, behind: null })),
      ];
      const health: HealthLine[] = [
        { name: 'Kafka', up: await up('kafka'), detail: `streams ${st.streams.state}, ${st.streams.tasks.length} tasks` },
        { name: 'RabbitMQ', up: await up('rabbitmq'), detail: st.ingress ? `ingress ${st.ingress.stalled === true ? 'stalled' : 'flowing'}` : 'no ingress here' },
        { name: 'DFØ API', up: await up('dfo'), detail: '' },
        ...drivers.map(([name, d]): HealthLine => ({ name: `Driver ${name}`, up: d.retrying === 0, detail: d.lastError ?? `${d.applied} applied, ${d.failed} failed` })),
        { name: `Instance ${st.instance}`, up: st.ready, detail: `${Object.entries(st.parts).filter(([, ok]) => !ok).map(([p]) => `${p} not ready`).join(', ') || `ready, up ${st.uptimeSeconds} s`} (this one)` },
        ...(await membersHealth(st.instance)),
      ];
      return { instance: st.instance, at: new Date(now()).toISOString(), steps, health, accounts: deps.accounts(), deadLetters: st.deadLetterOffsets };
    },
    history: () => samples.slice(),
    async plots() {
      if (!deps.prometheusUrl) return { source: 'memory', points: seriesFromSamples(samples) };
      try {
        return { source: 'prometheus', points: await seriesFromPrometheus({ url: deps.prometheusUrl, appId: deps.appId, historyMs: deps.keepMs, stepMs: deps.sampleMs, now: now() }) };
      } catch (err) {
        return { source: 'memory', fallback: err instanceof Error ? err.message : String(err), points: seriesFromSamples(samples) };
      }
    },
    sample,
    close: () => clearInterval(timer),
  };
}
