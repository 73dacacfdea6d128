/**
 * Ingress connector: DFØ notifications on RabbitMQ → the raw Kafka topic (DESIGN.md "Semantics").
 *
 * Each delivery is parsed; a valid one becomes a RawDfoEvent keyed `kind:id` on the raw topic, a
 * malformed one a dead-letter record on the DLQ topic. Deliveries are produced in micro-batches
 * (one sendBatch per batch, idempotent producer, acks=all) and acked only after Kafka acknowledged
 * the batch. If Kafka is unavailable the batch is retried with backoff and nothing is acked; on
 * stop the unproduced deliveries are nacked with requeue, so they stay in RabbitMQ.
 */
import type { ConsumeMessage } from 'amqplib';
import { Partitioners, type Message as KafkaMessage, type Producer, type TopicMessages } from 'kafkajs';
import type { Registry } from 'prom-client';
import { componentLogger, type Logger } from '../../src/log.ts';
import { startAmqpConsumer, type AmqpConsumer, type ChannelHandle } from './amqpConsumer.ts';
import { backoffDelay, isRetriable, sleep, type BackoffOptions } from './backoff.ts';
import { deadLetterRecord } from './deadLetter.ts';
import { parseDfoMessage, rawEventKey } from './dfoMessage.ts';
import { createKafka, type KafkaConnectionOptions } from './kafkaClient.ts';
import { ingressMetrics } from './metrics.ts';
import type { AmqpTls } from './amqpTls.ts';

export interface IngressOptions {
  amqpUrl: string;
  /** For an `amqps://` URL: a private CA, a client certificate. */
  amqpTls?: AmqpTls;
  /** Default `ex_from_dfo`. */
  exchange?: string;
  queue: string;
  /** Default `['ansatte', 'stillinger']`. */
  routingKeys?: string[];
  /** Unacked deliveries in flight, also the largest batch (default 64). */
  prefetch?: number;
  /** How long a batch waits for more deliveries before it is produced (default 5 ms). */
  batchWindowMs?: number;
  /** Extra queue arguments, e.g. `{ 'x-queue-type': 'quorum' }`. */
  queueArguments?: Record<string, unknown>;
  kafka: KafkaConnectionOptions;
  rawTopic: string;
  dlqTopic: string;
  backoff?: BackoffOptions;
  registry?: Registry;
  logger?: Logger;
}

export interface IngressStats {
  connected: boolean;
  received: number;
  accepted: number;
  deadLettered: number;
  requeued: number;
  /** Received but not yet acked. */
  pending: number;
  produceRetries: number;
  reconnects: number;
}

export interface Ingress {
  /** Stops consuming, finishes (and acks) the batch in flight, requeues the rest, closes. Idempotent. */
  stop(): Promise<void>;
  stats(): IngressStats;
}

interface Pending {
  msg: ConsumeMessage;
  handle: ChannelHandle;
  startedAt: bigint;
  topicMessage: { topic: string; message: KafkaMessage };
  deadLettered: boolean;
}

/**
 * Starts the ingress. Throws when the first connection to Kafka or RabbitMQ fails; later outages
 * are retried with backoff. Called by the service start-up (src/cli) and the integration tests.
 */
export async function startIngress(opts: IngressOptions): Promise<Ingress> {
  const exchange = opts.exchange ?? 'ex_from_dfo';
  const prefetch = opts.prefetch ?? 64;
  const batchWindowMs = opts.batchWindowMs ?? 5;
  const log = opts.logger ?? componentLogger('ingress');
  const metrics = ingressMetrics(opts.registry);
  const counts = { received: 0, accepted: 0, deadLettered: 0, requeued: 0, produceRetries: 0, reconnects: 0 };
  const stopSignal = new AbortController();
  let stopping = false;
  let inFlight = 0;

  const producer: Producer = createKafka(opts.kafka, log).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner, // Java-compatible murmur2: the partition a Java client would pick
  });
  await producer.connect();

  let pending: Pending[] = [];
  let flushTimer: NodeJS.Timeout | null = null;
  let draining: Promise<void> | null = null;

  function toPending(msg: ConsumeMessage, handle: ChannelHandle): Pending {
    const receivedAt = new Date().toISOString();
    const messageId = typeof msg.properties.messageId === 'string' ? msg.properties.messageId : undefined;
    const contentType = typeof msg.properties.contentType === 'string' ? msg.properties.contentType : undefined;
    const { routingKey } = msg.fields;
    const headers: KafkaMessage['headers'] = messageId ? { 'amqp-message-id': messageId } : {};
    const parsed = parseDfoMessage(msg.content, { routingKey, exchange: msg.fields.exchange, contentType, messageId, receivedAt });
    if (parsed.ok) {
      const value = JSON.stringify(parsed.event);
      return { msg, handle, startedAt: process.hrtime.bigint(), deadLettered: false, topicMessage: { topic: opts.rawTopic, message: { key: rawEventKey(parsed.event), value, headers } } };
    }
    log.warn({ reason: parsed.reason, routingKey, messageId }, 'malformed DFØ message; dead-lettering');
    const record = deadLetterRecord(
      { reason: parsed.reason, source: 'ingress', exchange: msg.fields.exchange, routingKey, messageId: messageId ?? null, contentType: contentType ?? null, receivedAt },
      msg.content,
    );
    return { msg, handle, startedAt: process.hrtime.bigint(), deadLettered: true, topicMessage: { topic: opts.dlqTopic, message: { key: messageId ?? null, value: JSON.stringify(record), headers } } };
  }

  function scheduleFlush(): void {
    if (draining) return; // the drain loop picks up whatever arrives meanwhile
    if (pending.length >= prefetch) {
      if (flushTimer) clearTimeout(flushTimer);
      flushTimer = null;
      void drain();
    } else if (!flushTimer) {
      flushTimer = setTimeout(() => {
        flushTimer = null;
        void drain();
      }, batchWindowMs);
    }
  }

  /** Produces batches one after another (this keeps per-key order) until nothing is pending. */
  function drain(): Promise<void> {
    draining ??= (async () => {
      try {
        while (pending.length > 0) {
          const batch = pending.splice(0, prefetch);
          inFlight = batch.length;
          if (await produceWithRetry(batch)) {
            ackBatch(batch);
          } else {
            // Only when stopping with Kafka unreachable: everything goes back to RabbitMQ.
            requeue(batch);
            requeue(pending.splice(0));
          }
          inFlight = 0;
        }
      } finally {
        inFlight = 0;
        draining = null;
      }
    })();
    return draining;
  }

  /** Resolves true once Kafka acknowledged the batch; false when stop() interrupted the retries. */
  async function produceWithRetry(batch: Pending[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const live = batch.filter((p) => p.handle.open);
      if (live.length === 0) return true; // all will be redelivered on a new channel
      try {
        await producer.sendBatch({ topicMessages: groupByTopic(live), acks: -1 });
        return true;
      } catch (err) {
        counts.produceRetries++;
        metrics.produceRetries.inc();
        const retriable = isRetriable(err);
        const delay = retriable ? backoffDelay(attempt, opts.backoff) : backoffDelay(Number.MAX_SAFE_INTEGER, opts.backoff);
        log[retriable ? 'warn' : 'error']({ err, attempt, delay, batchSize: live.length }, 'Kafka produce failed; retrying (messages stay unacked)');
        if (stopping) return false;
        await sleep(delay, stopSignal.signal);
        if (stopping) return false;
      }
    }
  }

  function ackBatch(batch: Pending[]): void {
    // Batches are produced in delivery order, so the last delivery of a channel covers the whole batch.
    const lastByChannel = new Map<ChannelHandle, ConsumeMessage>();
    for (const p of batch) if (p.handle.open) lastByChannel.set(p.handle, p.msg);
    for (const [handle, last] of lastByChannel) {
      try {
        handle.channel.ack(last, true);
      } catch (err) {
        log.warn({ err }, 'ack failed (channel closed); the broker will redeliver');
      }
    }
    const now = process.hrtime.bigint();
    for (const p of batch) {
      if (!p.handle.open) continue;
      const outcome = p.deadLettered ? 'dead_lettered' : 'accepted';
      if (p.deadLettered) counts.deadLettered++;
      else counts.accepted++;
      metrics.messages.inc({ outcome });
      metrics.latency.observe(Number(now - p.startedAt) / 1e9);
    }
  }

  function requeue(batch: Pending[]): void {
    for (const p of batch) {
      if (!p.handle.open) continue;
      try {
        p.handle.channel.nack(p.msg, false, true);
        counts.requeued++;
        metrics.messages.inc({ outcome: 'requeued' });
      } catch (err) {
        log.warn({ err }, 'nack failed (channel closed); the broker will redeliver');
      }
    }
  }

  let consumer: AmqpConsumer;
  try {
    consumer = await startAmqpConsumer({
      url: opts.amqpUrl,
      ...(opts.amqpTls ? { tls: opts.amqpTls } : {}),
      exchange,
      queue: opts.queue,
      routingKeys: opts.routingKeys ?? ['ansatte', 'stillinger'],
      prefetch,
      queueArguments: opts.queueArguments,
      backoff: opts.backoff,
      logger: log,
      onDelivery(msg, handle) {
        counts.received++;
        pending.push(toPending(msg, handle));
        scheduleFlush();
      },
      onChannelClosed(handle) {
        // Not yet produced: the broker redelivers them on the next channel, so drop our copies.
        pending = pending.filter((p) => p.handle !== handle);
      },
      onReconnectAttempt() {
        counts.reconnects++;
        metrics.reconnects.inc();
      },
    });
  } catch (err) {
    await producer.disconnect().catch(() => undefined);
    throw err;
  }

  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= (async () => {
        stopping = true;
        stopSignal.abort(); // cuts a backoff sleep short; the produce in flight still completes
        await consumer.cancel();
        if (flushTimer) clearTimeout(flushTimer);
        flushTimer = null;
        // Finish what arrived: a healthy Kafka gets it and we ack; an unreachable one → requeue.
        await drain();
        requeue(pending.splice(0));
        await consumer.close();
        await producer.disconnect().catch((err: unknown) => log.warn({ err }, 'producer disconnect failed'));
        log.info(counts, 'ingress stopped');
      })();
      return stopped;
    },
    stats: () => ({ ...counts, connected: consumer.isConnected(), pending: pending.length + inFlight }),
  };
}

function groupByTopic(batch: Pending[]): TopicMessages[] {
  const byTopic = new Map<string, KafkaMessage[]>();
  for (const { topicMessage } of batch) {
    const list = byTopic.get(topicMessage.topic) ?? [];
    list.push(topicMessage.message);
    byTopic.set(topicMessage.topic, list);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
