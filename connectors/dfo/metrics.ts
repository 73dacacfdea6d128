/**
 * Prometheus metrics of the DFØ client, on prom-client's default registry (the admin endpoint
 * serves that registry). One sample per HTTP attempt, so retries are visible.
 */
import { Counter, Histogram, register } from 'prom-client';

/** Which DFØ endpoint an attempt went to. */
export type DfoEndpoint = 'employee' | 'position' | 'employee_list' | 'position_list';

/** How one attempt ended. */
export type DfoOutcome =
  | 'ok'
  | 'gone'
  | 'rate_limited'
  | 'server_error'
  | 'timeout'
  | 'network_error'
  | 'routing_404'
  | 'rejected'
  /** A 2xx answer that is not JSON or breaks the response limits. */
  | 'invalid';

function singleton<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const dfoRequests = singleton(
  'iga_dfo_requests_total',
  () =>
    new Counter({
      name: 'iga_dfo_requests_total',
      help: 'DFØ API HTTP attempts by endpoint and outcome',
      labelNames: ['endpoint', 'outcome'] as const,
    }),
);

export const dfoRequestDuration = singleton(
  'iga_dfo_request_duration_seconds',
  () =>
    new Histogram({
      name: 'iga_dfo_request_duration_seconds',
      help: 'DFØ API HTTP attempt latency by endpoint, body included',
      labelNames: ['endpoint'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
);

/** Records one attempt. */
export function observeAttempt(endpoint: DfoEndpoint, outcome: DfoOutcome, seconds: number): void {
  dfoRequests.inc({ endpoint, outcome });
  dfoRequestDuration.observe({ endpoint }, seconds);
}
