/**
 * Egress connector: notify records from Kafka → SCIM notify events on RabbitMQ (`ex_from_iga`).
 *
 * A KafkaJS consumer group (read_committed, autoCommit off) reads the notify topic in batches;
 * each chunk is published over a confirm channel and the Kafka offset is committed only after the
 * broker confirmed every event up to it. A nack, return (unroutable) or closed channel is retried
 * with backoff, never skipped; a crash before the commit re-publishes (at-least-once; the stable
 * messageId = eventId lets consumers de-duplicate). Invalid records go to the DLQ topic.
 */
import { Partitioners, type Consumer, type EachBatchPayload, type KafkaMessage, type Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import { componentLogger, type Logger } from '../../src/common/log.ts';
import { backoffDelay, sleep, type BackoffOptions } from '../amqp/backoff.ts';
import { AmqpUnavailableError, createConfirmPublisher, type OutgoingMessage } from '../amqp/confirmPublisher.ts';
import { reportKafkaOutage } from '../../src/runtime/kafka/health.ts';
import { deadLetterRecord, type DeadLetterRecord } from '../../src/topology/contracts/deadLetter.ts';
import { CONNECTOR_RETRY, createKafka, type KafkaConnectionOptions } from '../../src/runtime/kafka/client.ts';
import { egressMetrics } from '../amqp/metrics.ts';
import { notifyMessageType, notifyRoutingKey, parseNotifyRecord, toScimEvent } from './notifyEvent.ts';
import type { AmqpTls } from '../amqp/tls.ts';
import type { MemberRegistry } from '../../src/runtime/kafka/memberRegistry.ts';
import { createGroupConsumer } from '../../src/runtime/kafka/groupConsumer.ts';

export interface EgressOptions {
  amqpUrl: string;
  /** For an `amqps://` URL: a private CA, a client certificate. */
  amqpTls?: AmqpTls;
  /** The AMQP connection's name as RabbitMQ shows it (default `iga-stream egress`). */
  connectionName?: string;
  /** Default `ex_from_iga`. */
  exchange?: string;
  /** Template; `{type}` → create / modify. Default `no.example.iga.scim.user.{type}`. */
  routingKey?: string;
  /** sessionTimeoutMs: how soon a killed instance's partitions move on (KafkaJS default 30 s). */
  kafka: KafkaConnectionOptions & { groupId: string; sessionTimeoutMs?: number };
  notifyTopic: string;
  /** Where invalid notify records go; without it they are logged at error level (with their bytes). */
  dlqTopic?: string;
  /** Writes a dead letter's value: the schema registry's wire format when the DLQ topic has a registered schema; default plain JSON. */
  encodeDeadLetter?: (record: DeadLetterRecord) => Buffer;
  /** Return unroutable events and retry them until a queue is bound (default true). */
  mandatory?: boolean;
  /** Events published per confirm round (default 256). */
  chunkSize?: number;
  /** Retry backoff (default 100 ms doubling to 5 s, well inside the consumer session timeout). */
  backoff?: BackoffOptions;
  registry?: Registry;
  /** The instance's state-folder member ids: after a crash the egress rejoins its group as the member it was. */
  members?: MemberRegistry;
  logger?: Logger;
}

export interface EgressStats {
  connected: boolean;
  published: number;
  deadLettered: number;
  retries: number;
  commits: number;
}

export interface Egress {
  /** Stops consuming; an unconfirmed chunk is left uncommitted (re-published later). Idempotent. */
  stop(): Promise<void>;
  stats(): EgressStats;
}

type Item = { message: KafkaMessage; done: boolean; out: OutgoingMessage | null; deadLetter: DeadLetterRecord | null };

/** Starts the egress. Throws when the first connection to RabbitMQ or Kafka fails. Called by the service start-up and tests. */
export async function startEgress(opts: EgressOptions): Promise<Egress> {
  const log = opts.logger ?? componentLogger('egress');
  const exchange = opts.exchange ?? 'ex_from_iga';
  const template = opts.routingKey ?? 'no.example.iga.scim.user.{type}';
  const chunkSize = opts.chunkSize ?? 256;
  const metrics = egressMetrics(opts.registry);
  const counts = { published: 0, deadLettered: 0, retries: 0, commits: 0 };
  const stopSignal = new AbortController();
  let stopping = false;
  // Short cap: the retry loop heartbeats between attempts and must stay inside the session timeout.
  const backoff: BackoffOptions = opts.backoff ?? { initialMs: 100, maxMs: 5_000 };

  const kafka = createKafka({ retry: CONNECTOR_RETRY, ...opts.kafka, log });
  // read_committed: only notify records of committed topology transactions; short polls for a quick stop.
  const consumer: Consumer = createGroupConsumer(kafka, { ...opts.kafka, members: opts.members });
  const producer: Producer | null = opts.dlqTopic ? kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner }) : null;
  const publisher = createConfirmPublisher({ url: opts.amqpUrl, ...(opts.amqpTls ? { tls: opts.amqpTls } : {}), exchange, mandatory: opts.mandatory ?? true, logger: log, connectionName: opts.connectionName ?? 'iga-stream egress' });

  function toItem(message: KafkaMessage, topic: string, partition: number): Item {
    const parsed = parseNotifyRecord(message.value);
    if (!parsed.ok) {
      const record = deadLetterRecord(
        { reason: parsed.reason, source: 'egress', exchange, routingKey: null, messageId: null, contentType: null, receivedAt: new Date().toISOString(), kafka: { topic, partition, offset: message.offset } },
        message.value ?? Buffer.alloc(0),
      );
      return { message, done: false, out: null, deadLetter: record };
    }
    const r = parsed.record;
    const out: OutgoingMessage = {
      routingKey: notifyRoutingKey(template, r.type),
      body: Buffer.from(JSON.stringify(toScimEvent(r))),
      options: {
        messageId: r.eventId,
        persistent: true,
        contentType: 'application/json',
        contentEncoding: 'utf-8',
        timestamp: Math.floor(Date.parse(r.occurredAt) / 1000),
        type: notifyMessageType(r.type),
        appId: 'iga-stream',
      },
    };
    return { message, done: false, out, deadLetter: null };
  }

  /** One attempt at everything not yet done in the chunk; marks what the brokers took. */
  async function attempt(items: Item[]): Promise<void> {
    const dead = items.filter((i) => !i.done && i.deadLetter !== null);
    if (dead.length > 0) {
      if (producer) {
        await producer.send({ topic: opts.dlqTopic!, acks: -1, messages: dead.map((i) => ({ key: i.message.key, value: opts.encodeDeadLetter?.(i.deadLetter!) ?? JSON.stringify(i.deadLetter) })) });
      } else {
        for (const i of dead) log.error({ deadLetter: i.deadLetter }, 'invalid notify record (no DLQ topic configured)');
      }
      for (const i of dead) i.done = true;
      counts.deadLettered += dead.length;
      metrics.events.inc({ outcome: 'dead_lettered' }, dead.length);
    }
    const todo = items.filter((i) => !i.done && i.out !== null);
    if (todo.length === 0) return;
    const endTimer = metrics.latency.startTimer();
    const outcomes = await publisher.publish(todo.map((i) => i.out!));
    endTimer();
    outcomes.forEach((outcome, n) => {
      if (outcome === 'confirmed') {
        todo[n]!.done = true;
        counts.published++;
        metrics.events.inc({ outcome: 'published' });
      } else {
        metrics.publishRetries.inc({ reason: outcome });
      }
    });
  }

  /** Resolves and commits the offsets of the leading done items; returns how many were committed. */
  async function commitDonePrefix(items: Item[], p: EachBatchPayload): Promise<number> {
    let n = 0;
    while (n < items.length && items[n]!.done) n++;
    if (n === 0) return 0;
    const last = items[n - 1]!.message.offset;
    p.resolveOffset(last);
    await consumer.commitOffsets([{ topic: p.batch.topic, partition: p.batch.partition, offset: (BigInt(last) + 1n).toString() }]);
    counts.commits++;
    return n;
  }

  async function eachBatch(p: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = p.batch;
    for (let start = 0; start < messages.length; start += chunkSize) {
      let items = messages.slice(start, start + chunkSize).map((m) => toItem(m, topic, partition));
      for (let tryNo = 1; items.length > 0; tryNo++) {
        if (stopping || !p.isRunning() || p.isStale()) return; // uncommitted → re-published later
        // A broker that is gone is logged once per outage by dependency health, not on every retry.
        let outage = false;
        try {
          await attempt(items);
        } catch (err) {
          outage = err instanceof AmqpUnavailableError || reportKafkaOutage(err, log);
          log[outage ? 'debug' : 'warn']({ err, tryNo }, 'notify publish attempt failed');
        }
        items = items.slice(await commitDonePrefix(items, p));
        if (items.length === 0) break;
        counts.retries++;
        const delay = backoffDelay(tryNo, backoff);
        log[outage ? 'debug' : 'warn']({ pending: items.length, tryNo, delay }, 'notify events not confirmed; retrying');
        await sleep(delay, stopSignal.signal);
        await p.heartbeat();
      }
    }
    metrics.lag.set({ partition: String(partition) }, Number(BigInt(p.batch.highWatermark) - BigInt(p.batch.lastOffset()) - 1n));
  }

  await publisher.connect(); // fail start-up on a wrong URL or permission; later drops are retried
  try {
    await consumer.connect();
    if (producer) await producer.connect();
  } catch (err) {
    await publisher.close();
    throw err;
  }
  await consumer.subscribe({ topic: opts.notifyTopic, fromBeginning: true });
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch });
  log.info({ topic: opts.notifyTopic, exchange, routingKey: template }, 'egress started');

  let stopped: Promise<void> | null = null;
  return {
    stop() {
      stopped ??= (async () => {
        stopping = true;
        stopSignal.abort();
        await consumer.disconnect().catch((err: unknown) => log.warn({ err }, 'consumer disconnect failed'));
        await producer?.disconnect().catch(() => undefined);
        await publisher.close();
        log.info(counts, 'egress stopped');
      })();
      return stopped;
    },
    stats: () => ({ ...counts, connected: publisher.isConnected() }),
  };
}
