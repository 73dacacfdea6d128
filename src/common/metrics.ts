/**
 * Get-or-create Prometheus metrics on prom-client's default registry (served on /metrics). A module
 * evaluated twice, or a service restarted in one process (tests), reuses the registered series
 * instead of failing on a duplicate name.
 */
import client from 'prom-client';

export function counter(name: string, help: string, labelNames: readonly string[] = []): client.Counter {
  return (client.register.getSingleMetric(name) as client.Counter | undefined) ?? new client.Counter({ name, help, labelNames });
}

/** `collect`: called on every scrape to set the value (the first registration's callback stays). */
export function gauge(name: string, help: string, labelNames: readonly string[] = [], collect?: (g: client.Gauge) => Promise<void> | void): client.Gauge {
  return (client.register.getSingleMetric(name) as client.Gauge | undefined) ?? new client.Gauge({ name, help, labelNames, ...(collect ? { collect() { return collect(this); } } : {}) });
}

export function histogram(name: string, help: string, buckets: number[], labelNames: readonly string[] = []): client.Histogram {
  return (client.register.getSingleMetric(name) as client.Histogram | undefined) ?? new client.Histogram({ name, help, buckets, labelNames });
}
