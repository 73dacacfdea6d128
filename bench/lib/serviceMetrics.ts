/**
 * What the service process under test produced, read from its /metrics endpoint (Prometheus text):
 * records by topic (the runtime's `iga_streams_records_produced_total`, counted when a commit
 * succeeded, and the ingress's accepted deliveries, each one raw record), Kafka transactions and
 * task commits. A snapshot before and after a part gives what the part cost, per 1,000 notifications.
 */

/** One sample per series: `name{labels}` → value. */
export type MetricsSnapshot = Map<string, { name: string; labels: Record<string, string>; value: number }>;

/** Parses the Prometheus text format's samples (comments and blank lines skipped). */
export function parsePrometheusText(text: string): MetricsSnapshot {
  const out: MetricsSnapshot = new Map();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.set(`${m[1]}${m[2] ?? ''}`, { name: m[1]!, labels, value: Number(m[4]) });
  }
  return out;
}

export async function scrapeMetrics(adminUrl: string): Promise<MetricsSnapshot> {
  const res = await fetch(`${adminUrl}/metrics`);
  if (!res.ok) throw new Error(`GET ${adminUrl}/metrics: ${res.status}`);
  return parsePrometheusText(await res.text());
}

/**
 * Scrapes until the runtime's counters stop moving (two scrapes `intervalMs` apart alike, at most
 * `maxMs`): the last notify event can arrive before the other tasks' last commits.
 */
export async function scrapeSettled(adminUrl: string, intervalMs = 1_000, maxMs = 15_000): Promise<MetricsSnapshot> {
  const moving = (s: MetricsSnapshot) => [...s.values()].filter((v) => v.name.startsWith('iga_streams_') && v.name.endsWith('_total')).map((v) => v.value).join(',');
  const until = Date.now() + maxMs;
  let last = await scrapeMetrics(adminUrl);
  for (;;) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const next = await scrapeMetrics(adminUrl);
    if (moving(next) === moving(last) || Date.now() > until) return next;
    last = next;
  }
}

/** Sum of the samples of `name` whose labels match `where`, after minus before. */
function delta(before: MetricsSnapshot, after: MetricsSnapshot, name: string, where: (labels: Record<string, string>) => boolean = () => true): number {
  let n = 0;
  for (const [series, s] of after) if (s.name === name && where(s.labels)) n += s.value - (before.get(series)?.value ?? 0);
  return n;
}

export interface ProducedPer1000 {
  notifications: number;
  /** Records per 1,000 notifications by topic: `raw`, `person-events`, … (the name without the app id), and `changelogs` summed. */
  recordsByTopic: Record<string, number>;
  /** Changelog records per 1,000 notifications, by store. */
  changelogsByStore: Record<string, number>;
  /** Store writes dropped because they repeated the committed value (no changelog record), per 1,000 notifications, by store. */
  unchangedWritesByStore: Record<string, number>;
  /** Every record produced, per 1,000 notifications. */
  records: number;
  /** Kafka transactions committed, per 1,000 notifications. */
  transactions: number;
  /** Task commits (one transaction each under exactly_once; grouped into one per instance under exactly_once_v2). */
  taskCommits: number;
}

/** The short name of one of `appId`'s topics: `person-events` for `<app>-person-events-repartition`, `accounts` for `<app>.iga.accounts`. */
export function shortTopic(appId: string, topic: string): string {
  let t = topic;
  if (t.startsWith(`${appId}.`) || t.startsWith(`${appId}-`)) t = t.slice(appId.length + 1);
  return t.replace(/^iga\./, '').replace(/-repartition$/, '').replace(/^dfo\.events$/, 'raw');
}

/** What `appId` produced between the two snapshots, per 1,000 of `notifications`. */
export function producedPer1000(appId: string, notifications: number, before: MetricsSnapshot, after: MetricsSnapshot): ProducedPer1000 {
  const per1000 = (n: number) => Math.round((n / notifications) * 1000 * 10) / 10;
  const byTopic = new Map<string, number>([['raw', delta(before, after, 'iga_ingress_messages_total', (l) => l.outcome === 'accepted')]]);
  const byStore = new Map<string, number>();
  let changelogs = 0;
  for (const [series, s] of after) {
    if (s.name !== 'iga_streams_records_produced_total' || s.labels.app !== appId) continue;
    const n = s.value - (before.get(series)?.value ?? 0);
    const topic = s.labels.topic ?? '';
    if (topic.endsWith('-changelog')) {
      const store = topic.slice(appId.length + 1, -'-changelog'.length);
      byStore.set(store, (byStore.get(store) ?? 0) + n);
      changelogs += n;
    } else {
      const short = shortTopic(appId, topic);
      byTopic.set(short, (byTopic.get(short) ?? 0) + n);
    }
  }
  byTopic.set('changelogs', changelogs);
  const unchanged = new Map<string, number>();
  for (const [series, s] of after) {
    if (s.name === 'iga_streams_store_unchanged_writes_total' && s.labels.app === appId) unchanged.set(s.labels.store ?? '', s.value - (before.get(series)?.value ?? 0));
  }
  const records = [...byTopic.values()].reduce((a, b) => a + b, 0);
  const app = (l: Record<string, string>) => l.app === appId;
  return {
    notifications,
    recordsByTopic: Object.fromEntries([...byTopic].map(([k, v]) => [k, per1000(v)])),
    changelogsByStore: Object.fromEntries([...byStore].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, per1000(v)])),
    unchangedWritesByStore: Object.fromEntries([...unchanged].filter(([, v]) => v > 0).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, per1000(v)])),
    records: per1000(records),
    transactions: per1000(delta(before, after, 'iga_streams_transactions_total', app)),
    taskCommits: per1000(delta(before, after, 'iga_streams_commits_total', app)),
  };
}

/** One line for the bench's stderr summary. */
export function describeProduced(p: ProducedPer1000): string {
  const list = (r: Record<string, number>) => Object.entries(r).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  return `per 1000 notifications: ${p.records} records (${list(p.recordsByTopic)}; changelogs by store: ${list(p.changelogsByStore)}), `
    + `${p.transactions} transactions, ${p.taskCommits} task commits; unchanged store writes dropped: ${list(p.unchangedWritesByStore)}`;
}
