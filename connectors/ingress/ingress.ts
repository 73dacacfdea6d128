/**
 * Ingress connector: DFØ notifications on RabbitMQ → the raw Kafka topic (README "Semantics").
 *
 * Each delivery becomes a Kafka record (record.ts): the mirrored event keyed `kind:id` on
 * the raw topic, or a dead letter with the reason when it is malformed or breaks the input limits.
 * Deliveries are produced in micro-batches, one batch at a time (serialBatcher.ts; idempotent
 * producer, acks=all, cut to fit Kafka's maximum message size), and acked only after Kafka
 * acknowledged them. Kafka unavailable: the batch is retried with backoff and nothing is acked;
 * on stop the unproduced deliveries are nacked with requeue, so they stay in RabbitMQ. A record
 * Kafka refuses for good is dead-lettered after a few attempts, so no message can block the rest.
 * A watchdog (progress.ts) makes any stall visible and recycles the connection when the
 * fault is ours.
 */
import type { ConsumeMessage } from 'amqplib';
import { Partitioners, type Message as KafkaMessage, type Producer, type TopicMessages } from 'kafkajs';
import type { Registry } from 'prom-client';
import { componentLogger, type Logger } from '../../src/common/log.ts';
import { reportKafkaOutage } from '../../src/runtime/kafka/health.ts';
import type { JsonLimits } from '../../src/common/jsonLimits.ts';
import { startAmqpConsumer, type AmqpConsumer, type ChannelHandle } from '../amqp/consumer.ts';
import { backoffDelay, sleep, type BackoffOptions } from '../amqp/backoff.ts';
import { DEFAULT_DFO_MESSAGE_LIMITS } from '../dfo/notification.ts';
import { MAX_DEAD_LETTER_BODY_BYTES, type DeadLetterRecord } from '../../src/topology/contracts/deadLetter.ts';
import { deadLetterFor, recordForDelivery, type IngressRecord } from './record.ts';
import { judgeProgress, type StallReason } from './progress.ts';
import { classifyProduceFailure } from './kafkaRefusal.ts';
import { maxMessageBytes } from '../../src/runtime/kafka/maxMessageBytes.ts';
import { CONNECTOR_RETRY, createKafka, type KafkaConnectionOptions } from '../../src/runtime/kafka/client.ts';
import { ingressMetrics } from '../amqp/metrics.ts';
import { SerialBatcher } from './serialBatcher.ts';
import type { AmqpTls } from '../amqp/tls.ts';

export interface IngressOptions {
  amqpUrl: string;
  /** For an `amqps://` URL: a private CA, a client certificate. */
  amqpTls?: AmqpTls;
  /** The AMQP connection's name as RabbitMQ shows it (default `iga-stream ingress`). */
  connectionName?: string;
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
  /** Limits on each message body, checked before it is parsed (default DEFAULT_DFO_MESSAGE_LIMITS). */
  limits?: Partial<JsonLimits>;
  /** Times Kafka may refuse a record for good before it is dead-lettered (default 3). */
  maxKafkaRefusals?: number;
  /**
   * With a quorum queue (`queueArguments['x-queue-type'] === 'quorum'`): deliveries of one message
   * (RabbitMQ's x-delivery-count) before it is dead-lettered (default 10, below the 20 after which RabbitMQ 4 drops a message from a quorum queue that has no dead-letter exchange). Classic queues do not
   * count deliveries, and a header a publisher set itself is not trusted.
   */
  maxDeliveries?: number;
  /** How long without progress counts as a stall (default 60 s). */
  stallAfterMs?: number;
  /** How often progress is checked (default 5 s). */
  watchdogIntervalMs?: number;
  kafka: KafkaConnectionOptions;
  rawTopic: string;
  dlqTopic: string;
  /** Writes a dead letter's value: the schema registry's wire format when the DLQ topic has a registered schema; default plain JSON. */
  encodeDeadLetter?: (record: DeadLetterRecord) => Buffer;
  backoff?: BackoffOptions;
  registry?: Registry;
  logger?: Logger;
}

export interface IngressStats {
  connected: boolean;
  /** True while the ingress makes no progress (see `stalledReason`). */
  stalled: boolean;
  stalledReason: StallReason | null;
  received: number;
  accepted: number;
  deadLettered: number;
  requeued: number;
  /** Received but not yet acked. */
  pending: number;
  produceRetries: number;
  reconnects: number;
  /** Connections dropped by the watchdog because nothing moved. */
  recoveries: number;
  /** Messages ready in the queue at the last check (-1: not known yet). */
  queueReady: number;
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
  receivedAtMs: number;
  receivedAt: string;
  record: IngressRecord;
  /** Times Kafka refused this record for good. */
  refusals: number;
}

/** Room left in a batch for Kafka's record-batch header and our size estimate's error. */
const BATCH_OVERHEAD_BYTES = 4096;
/** Largest produce request we build: well under the broker's limits, as the runtime's commits do. */
const MAX_SEND_BYTES = 512 * 1024;

/**
 * Starts the ingress. Throws when the first connection to Kafka or RabbitMQ fails; later outages
 * are retried with backoff. Called by the service start-up and the integration tests.
 */
export async function startIngress(opts: IngressOptions): Promise<Ingress> {
  const exchange = opts.exchange ?? 'ex_from_dfo';
  const prefetch = opts.prefetch ?? 64;
  const maxRefusals = opts.maxKafkaRefusals ?? 3;
  const stallAfterMs = opts.stallAfterMs ?? 60_000;
  const quorum = opts.queueArguments?.['x-queue-type'] === 'quorum';
  // Kafka or RabbitMQ back after a long outage should see us within seconds, not after a 30 s back-off.
  const backoff: BackoffOptions = opts.backoff ?? { initialMs: 100, maxMs: 5_000 };
  const log = opts.logger ?? componentLogger('ingress');
  const metrics = ingressMetrics(opts.registry);
  const counts = { received: 0, accepted: 0, deadLettered: 0, requeued: 0, produceRetries: 0, reconnects: 0, recoveries: 0 };
  const stopSignal = new AbortController();
  let stopping = false;

  const kafka = createKafka({ retry: CONNECTOR_RETRY, ...opts.kafka, log });
  // Known at start-up and respected: no record or batch larger than the topics take is ever sent.
  const kafkaMax = await maxMessageBytes(kafka, [opts.rawTopic, opts.dlqTopic], log);
  const maxRecordBytes = kafkaMax - BATCH_OVERHEAD_BYTES;
  const maxSendBytes = Math.min(MAX_SEND_BYTES, maxRecordBytes);
  const limits: JsonLimits = { ...DEFAULT_DFO_MESSAGE_LIMITS, ...opts.limits };
  // A dead letter (base64 body, 4/3 larger, plus fields) must fit too.
  const deadLetterKeepBytes = Math.max(0, Math.min(MAX_DEAD_LETTER_BODY_BYTES, Math.floor((maxRecordBytes - 16 * 1024) * 0.75)));
  log.info({ maxMessageBytes: kafkaMax, maxBodyBytes: limits.maxBytes, maxDepth: limits.maxDepth }, 'ingress limits');

  const newProducer = (): Producer => kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner, // Java-compatible murmur2: the partition a Java client would pick
  });
  let producer = newProducer();
  await producer.connect();

  let producing = false;
  let lastDeliveryAt = Date.now();
  const batcher = new SerialBatcher<Pending>({
    maxBatch: prefetch,
    windowMs: opts.batchWindowMs ?? 5,
    run: produceAndAck,
    onError(err, batch) {
      // A bug of ours. The batch's deliveries are unacked: drop the connection so RabbitMQ redelivers them.
      log.error({ err, batchSize: batch.length }, 'ingress batch failed unexpectedly; reconnecting so the broker redelivers it');
      consumer.recycle('a batch failed unexpectedly');
    },
  });

  function toPending(msg: ConsumeMessage, handle: ChannelHandle): Pending {
    const receivedAtMs = Date.now();
    const receivedAt = new Date(receivedAtMs).toISOString();
    const record = recordForDelivery(msg, { rawTopic: opts.rawTopic, dlqTopic: opts.dlqTopic, limits, maxRecordBytes, deadLetterKeepBytes, maxDeliveries: quorum ? (opts.maxDeliveries ?? 10) : null, receivedAt,
      ...(opts.encodeDeadLetter ? { encodeDeadLetter: opts.encodeDeadLetter } : {}) });
    if (record.deadLettered) log.warn({ reason: record.reason, routingKey: msg.fields.routingKey, messageId: record.message.key?.toString() ?? null }, 'malformed DFØ message; dead-lettering');
    return { msg, handle, startedAt: process.hrtime.bigint(), receivedAtMs, receivedAt, record, refusals: 0 };
  }

  /** Produces a batch in size-bounded chunks, in delivery order, acking each chunk once Kafka has it. */
  async function produceAndAck(batch: Pending[]): Promise<void> {
    producing = true;
    try {
      const chunks = chunkBySize(batch, maxSendBytes);
      for (let i = 0; i < chunks.length; i++) {
        if (!(await produceChunk(chunks[i]!))) {
          // Only when stopping with Kafka unreachable: everything goes back to RabbitMQ.
          requeue(chunks.slice(i).flat());
          requeue(batcher.takeWaiting());
          return;
        }
        ack(chunks[i]!);
      }
    } finally {
      producing = false;
    }
  }

  /** Resolves true once Kafka acknowledged the chunk; false when stop() interrupted the retries. */
  async function produceChunk(chunk: Pending[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const live = chunk.filter((p) => p.handle.open);
      if (live.length === 0) return true; // all will be redelivered on a new channel
      try {
        await producer.sendBatch({ topicMessages: groupByTopic(live), acks: -1 });
        return true;
      } catch (err) {
        counts.produceRetries++;
        metrics.produceRetries.inc();
        const failure = classifyProduceFailure(err);
        if (failure === 'record' && live.length > 1) {
          // Find the record Kafka refuses: one at a time, in order, so the others still go through.
          for (const p of live) if (!(await produceChunk([p]))) return false;
          return true;
        }
        if (failure === 'record') {
          const p = live[0]!;
          p.refusals++;
          if (p.refusals >= maxRefusals && !p.record.deadLettered) {
            p.record = deadLetterFor(p.msg, `Kafka refused the record ${p.refusals} times: ${String(err)}`, { dlqTopic: opts.dlqTopic, deadLetterKeepBytes, receivedAt: p.receivedAt, ...(opts.encodeDeadLetter ? { encodeDeadLetter: opts.encodeDeadLetter } : {}) });
            log.warn({ reason: p.record.reason, routingKey: p.msg.fields.routingKey }, 'Kafka keeps refusing a record; dead-lettering it');
            continue;
          }
        }
        const delay = backoffDelay(attempt, backoff);
        // A lost broker is logged once per outage by dependency health; anything else on its own line.
        const outage = reportKafkaOutage(err, log);
        log[outage ? 'debug' : 'warn']({ err, attempt, delay, failure, batchSize: live.length }, 'Kafka produce failed; retrying (messages stay unacked)');
        if (stopping) return false;
        await sleep(delay, stopSignal.signal);
        if (stopping) return false;
        if (failure === 'client') await renewProducer();
      }
    }
  }

  /** A producer that failed in a way that is neither retriable nor about the records is replaced. */
  async function renewProducer(): Promise<void> {
    const old = producer;
    producer = newProducer();
    await old.disconnect().catch(() => undefined);
    await producer.connect().catch((err: unknown) => log.warn({ err }, 'Kafka producer reconnect failed; the next attempt retries'));
  }

  function ack(chunk: Pending[]): void {
    // Chunks are produced in delivery order, so the last delivery of a channel covers the whole chunk.
    const lastByChannel = new Map<ChannelHandle, ConsumeMessage>();
    for (const p of chunk) if (p.handle.open) lastByChannel.set(p.handle, p.msg);
    for (const [handle, last] of lastByChannel) {
      try {
        handle.channel.ack(last, true);
      } catch (err) {
        log.warn({ err }, 'ack failed (channel closed); the broker will redeliver');
      }
    }
    const now = process.hrtime.bigint();
    for (const p of chunk) {
      if (!p.handle.open) continue;
      if (p.record.deadLettered) counts.deadLettered++;
      else counts.accepted++;
      metrics.messages.inc({ outcome: p.record.deadLettered ? 'dead_lettered' : 'accepted' });
      metrics.latency.observe(Number(now - p.startedAt) / 1e9);
    }
  }

  function requeue(items: Pending[]): void {
    for (const p of items) {
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
      connectionName: opts.connectionName ?? 'iga-stream ingress',
      exchange,
      queue: opts.queue,
      routingKeys: opts.routingKeys ?? ['ansatte', 'stillinger'],
      prefetch,
      queueArguments: opts.queueArguments,
      backoff,
      logger: log,
      onDelivery(msg, handle) {
        counts.received++;
        lastDeliveryAt = Date.now();
        batcher.push(toPending(msg, handle));
      },
      onChannelClosed(handle) {
        // Not yet produced: the broker redelivers them on the next channel, so drop our copies.
        batcher.discard((p) => p.handle === handle);
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

  // The watchdog: a stall is always visible; when the fault is ours, the connection is recycled.
  let stall: { reason: StallReason; since: number } | null = null;
  let queueReady = -1;
  async function checkProgress(): Promise<void> {
    const depth = await consumer.queueDepth();
    if (depth !== null) {
      queueReady = depth;
      metrics.queueReady.set(depth);
    }
    const now = Date.now();
    const held = [...(batcher.batchInHand ?? []), ...batcher.waitingItems];
    const oldest = held.reduce<number | null>((m, p) => (m === null || p.receivedAtMs < m ? p.receivedAtMs : m), null);
    metrics.oldestHeld.set(oldest === null ? 0 : (now - oldest) / 1000);
    const verdict = judgeProgress({
      now, connected: consumer.isConnected(), held: held.length, oldestHeldSince: oldest, producing, stuck: batcher.stuck,
      lastDeliveryAt, queueReady: depth,
    }, stallAfterMs);
    // A lost connection is RabbitMQ's outage, logged once by dependency health: no stall lines for it.
    if (!verdict.stalled) {
      if (stall && stall.reason !== 'disconnected') log.info({ reason: stall.reason, forMs: now - stall.since }, 'ingress is making progress again');
      stall = null;
      metrics.stalled.set(0);
      return;
    }
    if (stall?.reason !== verdict.reason) {
      if (verdict.reason !== 'disconnected') log[verdict.recycle ? 'error' : 'warn']({ reason: verdict.reason, detail: verdict.detail }, 'ingress is not making progress');
      stall = { reason: verdict.reason, since: now };
    }
    metrics.stalled.set(verdict.reason === 'disconnected' ? 0 : 1);
    if (verdict.recycle) {
      counts.recoveries++;
      metrics.recycles.inc({ reason: verdict.reason });
      lastDeliveryAt = now; // give the new connection a full window
      consumer.recycle(verdict.detail);
    }
  }
  let checking = false;
  const watchdog = setInterval(() => {
    if (checking || stopping) return;
    checking = true;
    checkProgress().catch((err: unknown) => log.warn({ err }, 'ingress progress check failed')).finally(() => { checking = false; });
  }, opts.watchdogIntervalMs ?? 5_000);
  watchdog.unref();
  metrics.stalled.set(0);
  metrics.oldestHeld.set(0);

  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= (async () => {
        stopping = true;
        clearInterval(watchdog);
        stopSignal.abort(); // cuts a backoff sleep short; the produce in flight still completes
        await consumer.cancel();
        // Finish what arrived: a healthy Kafka gets it and we ack; an unreachable one → requeue.
        await batcher.flush();
        requeue(batcher.takeWaiting());
        await consumer.close();
        await producer.disconnect().catch((err: unknown) => log.warn({ err }, 'producer disconnect failed'));
        log.info(counts, 'ingress stopped');
      })();
      return stopped;
    },
    stats: () => ({
      ...counts, connected: consumer.isConnected(), pending: batcher.size, queueReady,
      // Disconnected is reported by `connected`; a stall is about a live connection that does not move.
      stalled: stall !== null && stall.reason !== 'disconnected', stalledReason: stall?.reason ?? null,
    }),
  };
}

/** Consecutive chunks of at most `maxBytes` (a larger record gets a chunk of its own). */
function chunkBySize(batch: Pending[], maxBytes: number): Pending[][] {
  const chunks: Pending[][] = [];
  let current: Pending[] = [];
  let size = 0;
  for (const p of batch) {
    if (current.length > 0 && size + p.record.bytes > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(p);
    size += p.record.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function groupByTopic(batch: Pending[]): TopicMessages[] {
  const byTopic = new Map<string, KafkaMessage[]>();
  for (const { record } of batch) {
    const list = byTopic.get(record.topic) ?? [];
    list.push(record.message);
    byTopic.set(record.topic, list);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
