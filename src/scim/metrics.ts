/**
 * Prometheus metrics of the SCIM server: `iga_scim_requests_total{route,method,status}` and
 * `iga_scim_request_duration_seconds{route,method}`. Registered once per registry, so several apps
 * (tests) can share the default registry.
 */
import type { Middleware } from 'koa';
import { Counter, Histogram, register as defaultRegistry, type Registry } from 'prom-client';

interface ScimMetrics {
  requests: Counter<'route' | 'method' | 'status'>;
  duration: Histogram<'route' | 'method'>;
}

const byRegistry = new WeakMap<Registry, ScimMetrics>();

function metricsFor(registry: Registry): ScimMetrics {
  let m = byRegistry.get(registry);
  if (!m) {
    m = {
      requests: new Counter({
        name: 'iga_scim_requests_total', help: 'SCIM requests by route, method and status',
        labelNames: ['route', 'method', 'status'], registers: [registry],
      }),
      duration: new Histogram({
        name: 'iga_scim_request_duration_seconds', help: 'SCIM request latency by route and method',
        labelNames: ['route', 'method'], registers: [registry],
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      }),
    };
    byRegistry.set(registry, m);
  }
  return m;
}

/** Outermost middleware: counts and times every request by its route template (not its URL). */
export function metricsMiddleware(registry: Registry = defaultRegistry): Middleware {
  const m = metricsFor(registry);
  // Label children cached by key: skips prom-client's per-call label hashing on the hot path.
  const counters = new Map<string, { inc(): void }>();
  const timers = new Map<string, { observe(v: number): void }>();
  return async (ctx, next) => {
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const route = typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const key = `${ctx.method} ${route}`;
      let timer = timers.get(key);
      if (!timer) timers.set(key, (timer = m.duration.labels({ route, method: ctx.method })));
      timer.observe(seconds);
      const ckey = `${key} ${ctx.status}`;
      let counter = counters.get(ckey);
      if (!counter) counters.set(ckey, (counter = m.requests.labels({ route, method: ctx.method, status: String(ctx.status) })));
      counter.inc();
    }
  };
}
