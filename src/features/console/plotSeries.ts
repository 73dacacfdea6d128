/**
 * The overview's plots as one series of points: records per second received, processed and
 * notified, offsets behind, and dead letters. From this instance's in-memory samples (rates from
 * consecutive samples), or, when IGA_PROMETHEUS_URL is set, from Prometheus's query_range over the
 * same window for the whole deployment (every instance it scrapes); when Prometheus cannot answer,
 * the samples are used and the answer says why.
 */
import { z } from 'zod';

/** One sample of the overview: cumulative counts (rates are their differences) and gauges. */
export interface OverviewSample { t: number; received: number; processed: number; notified: number; behind: number; deadLetters: number; /** Processed per sub-topology A–D. */ steps: number[] }

export interface PlotPoint { t: number; received: number | null; processed: number | null; notified: number | null; behind: number | null; deadLetters: number | null }

export interface PlotSeries {
  source: 'memory' | 'prometheus';
  /** Set when Prometheus was asked and could not answer (the points are then this instance's). */
  fallback?: string;
  points: PlotPoint[];
}

/** Rates between consecutive samples; the first point has none. */
export function seriesFromSamples(samples: OverviewSample[]): PlotPoint[] {
  return samples.map((s, i) => {
    const prev = samples[i - 1];
    const dt = prev ? (s.t - prev.t) / 1000 : 0;
    const rate = (pick: (x: OverviewSample) => number) => (prev && dt > 0 ? Math.max(0, (pick(s) - pick(prev)) / dt) : null);
    return { t: s.t, received: rate((x) => x.received), processed: rate((x) => x.processed), notified: rate((x) => x.notified), behind: s.behind, deadLetters: s.deadLetters };
  });
}

/** The PromQL of each series; `app` selects this deployment's stream series. */
export function plotQueries(appId: string, rateWindowS: number): Record<Exclude<keyof PlotPoint, 't'>, string> {
  const app = `app="${appId.replace(/["\\]/g, '')}"`;
  return {
    received: `sum(rate(iga_ingress_messages_total{outcome!="requeued"}[${rateWindowS}s]))`,
    processed: `sum(rate(iga_streams_records_processed_total{${app}}[${rateWindowS}s]))`,
    notified: `sum(rate(iga_egress_events_total{outcome="published"}[${rateWindowS}s]))`,
    // Every instance reports the group's lag per topic: one value per topic, not one per instance.
    behind: `sum(max by (topic) (iga_streams_input_lag_offsets{${app}}))`,
    deadLetters: `sum(iga_streams_records_dead_lettered_total{${app}})`,
  };
}

const rangeAnswer = z.object({
  status: z.literal('success'),
  data: z.object({ resultType: z.literal('matrix'), result: z.array(z.object({ values: z.array(z.tuple([z.number(), z.string()])) })) }),
});

/**
 * Asks Prometheus for the last `historyMs` at `stepMs`. Throws Error with the reason (unreachable,
 * an error status, an answer of another shape).
 */
export async function seriesFromPrometheus(opts: {
  url: string; appId: string; historyMs: number; stepMs: number; now: number; timeoutMs?: number;
  /** The window of rate(); default 4 steps and at least a minute (a few scrapes at usual intervals). */
  rateWindowS?: number;
}): Promise<PlotPoint[]> {
  const stepS = Math.max(1, Math.round(opts.stepMs / 1000));
  const queries = plotQueries(opts.appId, opts.rateWindowS ?? Math.max(60, 4 * stepS));
  const end = Math.floor(opts.now / 1000);
  const start = end - Math.floor(opts.historyMs / 1000);
  const byTime = new Map<number, PlotPoint>();
  await Promise.all(Object.entries(queries).map(async ([name, query]) => {
    const u = new URL('api/v1/query_range', opts.url.endsWith('/') ? opts.url : `${opts.url}/`);
    u.search = new URLSearchParams({ query, start: String(start), end: String(end), step: String(stepS) }).toString();
    const res = await fetch(u, { signal: AbortSignal.timeout(opts.timeoutMs ?? 5000) });
    const body = await res.json().catch(() => null) as unknown;
    if (!res.ok) throw new Error(`Prometheus answered ${res.status} to ${name}: ${(body as { error?: string } | null)?.error ?? res.statusText}`);
    const parsed = rangeAnswer.safeParse(body);
    if (!parsed.success) throw new Error(`Prometheus's answer to ${name} is not a range matrix`);
    for (const serie of parsed.data.data.result) for (const [ts, v] of serie.values) {
      const t = ts * 1000;
      const point = byTime.get(t) ?? { t, received: null, processed: null, notified: null, behind: null, deadLetters: null };
      const n = Number(v);
      point[name as Exclude<keyof PlotPoint, 't'>] = Number.isFinite(n) ? n : null;
      byTime.set(t, point);
    }
  }));
  return [...byTime.values()].sort((a, b) => a.t - b.t);
}
