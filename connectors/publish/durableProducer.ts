/**
 * Writes a publish request's records to Kafka and resolves only once every in-sync replica has them
 * (idempotent producer, acks=all): the publisher's 201 or ack comes after that, never before. Kafka
 * failing is retried with back-off until the caller's deadline (HTTP: then 503, the publisher sends
 * again; AMQP: no deadline, the message stays unacked in RabbitMQ). A record Kafka refuses for good
 * (too large, invalid) is not retried: the caller refuses the request.
 */
import { Partitioners, type Message, type Producer } from 'kafkajs';
import type { Logger } from '../../src/common/log.ts';
import { reportKafkaOutage } from '../../src/runtime/kafka/health.ts';
import { CONNECTOR_RETRY, createKafka, type Kafka, type KafkaConnectionOptions } from '../../src/runtime/kafka/client.ts';
import { backoffDelay, sleep, type BackoffOptions } from '../amqp/backoff.ts';
import { classifyProduceFailure } from '../ingress/kafkaRefusal.ts';

export type SendOutcome = { ok: true } | { ok: false; kind: 'refused' | 'unavailable' | 'stopping'; reason: string };

export interface DurableProducer {
  readonly kafka: Kafka;
  /** Sends `messages` to `topic` in order; resolves once Kafka has them all, or why not. */
  send(topic: string, messages: Message[], opts: { deadlineMs: number | null; signal?: AbortSignal }): Promise<SendOutcome>;
  close(): Promise<void>;
}

export async function startDurableProducer(opts: { kafka: KafkaConnectionOptions; log: Logger; backoff?: BackoffOptions }): Promise<DurableProducer> {
  const log = opts.log;
  const kafka = createKafka({ retry: CONNECTOR_RETRY, ...opts.kafka, log });
  const backoff = opts.backoff ?? { initialMs: 100, maxMs: 5_000 };
  const newProducer = (): Producer => kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  let producer = newProducer();
  await producer.connect();
  let closed = false;

  return {
    kafka,
    async send(topic, messages, { deadlineMs, signal }) {
      const until = deadlineMs === null ? Infinity : Date.now() + deadlineMs;
      for (let attempt = 1; ; attempt++) {
        if (closed || signal?.aborted) return { ok: false, kind: 'stopping', reason: 'the publisher input is stopping' };
        try {
          await producer.send({ topic, messages, acks: -1 });
          return { ok: true };
        } catch (err) {
          const failure = classifyProduceFailure(err);
          if (failure === 'record') return { ok: false, kind: 'refused', reason: `Kafka refused the records: ${String(err).slice(0, 300)}` };
          const outage = reportKafkaOutage(err, log);
          log[outage ? 'debug' : 'warn']({ err, attempt, failure }, 'Kafka produce of published profiles failed; retrying');
          const delay = backoffDelay(attempt, backoff);
          if (Date.now() + delay > until) return { ok: false, kind: 'unavailable', reason: 'Kafka is not taking records now; nothing was stored, send again later' };
          await sleep(delay, signal);
          if (failure === 'client') {
            const old = producer;
            producer = newProducer();
            await old.disconnect().catch(() => undefined);
            await producer.connect().catch((e: unknown) => log.warn({ err: e }, 'Kafka producer reconnect failed; the next attempt retries'));
          }
        }
      }
    },
    async close() {
      closed = true;
      await producer.disconnect().catch((err: unknown) => log.warn({ err }, 'producer disconnect failed'));
    },
  };
}
