/**
 * `iga_streams_input_lag_offsets{app,topic}`: how far the app's consumer group is behind on each
 * input topic (offsets, transaction markers included), computed when Prometheus scrapes. Every
 * instance reports the whole group, so alert on the max over instances.
 */
import client from 'prom-client';

interface LagSource { app: string; lag(): Promise<Array<{ topic: string; behind: number }>> }

const sources = new Set<LagSource>();
const SCRAPE_BUDGET_MS = 5_000;

const NAME = 'iga_streams_input_lag_offsets';
(client.register.getSingleMetric(NAME) as client.Gauge | undefined) ?? new client.Gauge({
  name: NAME,
  help: 'Offsets the stream group has not committed yet, per input topic (transaction markers included; the whole group, from any instance)',
  labelNames: ['app', 'topic'],
  async collect() {
    this.reset();
    for (const s of sources) {
      // A slow or unreachable broker must not hang the scrape: that app's series are left out.
      const timeout = new Promise<null>((r) => setTimeout(() => r(null), SCRAPE_BUDGET_MS).unref());
      const lag = await Promise.race([s.lag().catch(() => null), timeout]);
      if (!lag) continue;
      const byTopic = new Map<string, number>();
      for (const p of lag) byTopic.set(p.topic, (byTopic.get(p.topic) ?? 0) + p.behind);
      for (const [topic, behind] of byTopic) this.set({ app: s.app, topic }, behind);
    }
  },
});

/** Reports `source` on every scrape until the returned function is called. */
export function trackInputLag(source: LagSource): () => void {
  sources.add(source);
  return () => { sources.delete(source); };
}
