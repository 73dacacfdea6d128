/**
 * Prometheus metrics of the RabbitMQ connectors. Registered once per registry (get-or-create), so
 * several ingress/egress instances in one process (tests) share the series instead of failing.
 */
import { Counter, Histogram, Gauge, register as defaultRegistry, type Registry } from 'prom-client';

function getOrCreate<T>(registry: Registry, name: string, create: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create();
}

export interface IngressMetrics {
  messages: Counter<'outcome'>;
  latency: Histogram;
  reconnects: Counter;
  produceRetries: Counter;
  stalled: Gauge;
  oldestHeld: Gauge;
  queueReady: Gauge;
  recycles: Counter<'reason'>;
}

/** Ingress metrics; `outcome` ∈ accepted | dead_lettered | requeued. */
export function ingressMetrics(registry: Registry = defaultRegistry): IngressMetrics {
  const registers = [registry];
  return {
    messages: getOrCreate(registry, 'iga_ingress_messages_total', () => new Counter({
      name: 'iga_ingress_messages_total', help: 'DFØ messages handled by the ingress, by outcome', labelNames: ['outcome'], registers,
    })),
    latency: getOrCreate(registry, 'iga_ingress_latency_seconds', () => new Histogram({
      name: 'iga_ingress_latency_seconds', help: 'Time from AMQP delivery to ack (Kafka write acknowledged)',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30], registers,
    })),
    reconnects: getOrCreate(registry, 'iga_ingress_amqp_reconnects_total', () => new Counter({
      name: 'iga_ingress_amqp_reconnects_total', help: 'AMQP reconnect attempts of the ingress', registers,
    })),
    produceRetries: getOrCreate(registry, 'iga_ingress_produce_retries_total', () => new Counter({
      name: 'iga_ingress_produce_retries_total', help: 'Failed Kafka produce attempts that were retried', registers,
    })),
    stalled: getOrCreate(registry, 'iga_ingress_stalled', () => new Gauge({
      name: 'iga_ingress_stalled', help: '1 while the ingress makes no progress (deliveries held, or messages waiting in the queue, longer than the stall window)', registers,
    })),
    oldestHeld: getOrCreate(registry, 'iga_ingress_oldest_unacked_seconds', () => new Gauge({
      name: 'iga_ingress_oldest_unacked_seconds', help: 'Age of the oldest delivery the ingress holds without an ack (0 when none)', registers,
    })),
    queueReady: getOrCreate(registry, 'iga_ingress_queue_ready_messages', () => new Gauge({
      name: 'iga_ingress_queue_ready_messages', help: 'Messages ready in the ingress queue at the last check (not yet delivered)', registers,
    })),
    recycles: getOrCreate(registry, 'iga_ingress_recoveries_total', () => new Counter({
      name: 'iga_ingress_recoveries_total', help: 'AMQP connections the ingress dropped and reopened because it made no progress, by reason', labelNames: ['reason'], registers,
    })),
  };
}

export interface EgressMetrics {
  events: Counter<'outcome'>;
  latency: Histogram;
  publishRetries: Counter<'reason'>;
  lag: Gauge<'partition'>;
}

/** Egress metrics; `outcome` ∈ published | dead_lettered; retries by reason (nack, returned, channel). */
export function egressMetrics(registry: Registry = defaultRegistry): EgressMetrics {
  const registers = [registry];
  return {
    events: getOrCreate(registry, 'iga_egress_events_total', () => new Counter({
      name: 'iga_egress_events_total', help: 'Notify events handled by the egress, by outcome', labelNames: ['outcome'], registers,
    })),
    latency: getOrCreate(registry, 'iga_egress_latency_seconds', () => new Histogram({
      name: 'iga_egress_latency_seconds', help: 'Time from publish to broker confirm, per chunk',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5], registers,
    })),
    publishRetries: getOrCreate(registry, 'iga_egress_publish_retries_total', () => new Counter({
      name: 'iga_egress_publish_retries_total', help: 'Notify publishes retried, by reason', labelNames: ['reason'], registers,
    })),
    lag: getOrCreate(registry, 'iga_egress_offset_lag', () => new Gauge({
      name: 'iga_egress_offset_lag', help: 'Records behind the high watermark after the last batch', labelNames: ['partition'], registers,
    })),
  };
}
