/**
 * The status exchange (`IGA_AMQP_EXCHANGE_STATUS`, default `ex_iga_status`): every tag written to
 * the change-status topic is published as a status event, so a publisher learns what became of its
 * message without asking (CIS: "same event lifetime 24 hours with tags regarding state changes").
 *
 * Its own consumer group (`<app>.status-events`) reads the compacted topic; each chunk is published
 * over a confirm channel and its offsets committed only after the broker confirmed it (at least
 * once; the message id is stable per tag, so a consumer can drop a repeat). Routing key
 * `<destination>.<state>` (e.g. `ldap.failed`); `correlationId` is the publisher's own message id;
 * every event expires after 24 hours (`expiration`), read or not. Not mandatory: with no queue
 * bound the event is dropped, and the tag stays on the topic and behind `GET /changes`.
 */
import { type Consumer, type EachBatchPayload } from 'kafkajs';
import type { Logger } from '../../../src/common/log.ts';
import { counter } from '../../../src/common/metrics.ts';
import { createKafka, CONNECTOR_RETRY, type KafkaConnectionOptions } from '../../../src/runtime/kafka/client.ts';
import { reportKafkaOutage } from '../../../src/runtime/kafka/health.ts';
import type { MemberRegistry } from '../../../src/runtime/kafka/memberRegistry.ts';
import { createGroupConsumer } from '../../../src/runtime/kafka/groupConsumer.ts';
import { changeStatusSchema, type ChangeStatus } from '../../../src/topology/contracts/changeStatus.ts';
import { backoffDelay, sleep } from '../../amqp/backoff.ts';
import { AmqpUnavailableError, createConfirmPublisher, type OutgoingMessage } from '../../amqp/confirmPublisher.ts';
import type { AmqpTls } from '../../amqp/tls.ts';

/** A status event's lifetime on RabbitMQ: 24 hours, as in CIS. */
export const STATUS_EVENT_TTL_MS = 24 * 60 * 60 * 1000;

export interface StatusEventsOptions {
  amqpUrl: string;
  amqpTls?: AmqpTls;
  exchange: string;
  connectionName?: string;
  kafka: KafkaConnectionOptions & { groupId: string; sessionTimeoutMs?: number };
  changeStatusTopic: string;
  /** Remembers the group member id in the state folder, so a restart after a crash rejoins as that member instead of waiting out its session. */
  members?: MemberRegistry;
  log: Logger;
}

export interface StatusEvents {
  stats(): { published: number; connected: boolean };
  stop(): Promise<void>;
}

/** The status event of one tag. */
export function statusEvent(tag: ChangeStatus): OutgoingMessage {
  return {
    routingKey: `${tag.destination}.${tag.state}`,
    body: Buffer.from(JSON.stringify(tag)),
    options: {
      messageId: `${tag.changeId}|${tag.destination}|${tag.state}|${tag.attempts}|${tag.at}`,
      ...(tag.messageId ? { correlationId: tag.messageId } : {}),
      expiration: String(STATUS_EVENT_TTL_MS),
      persistent: true,
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      type: 'iga.change-status',
      appId: 'iga-stream',
      timestamp: Math.floor(Date.parse(tag.at) / 1000),
      headers: { 'iga-change-id': tag.changeId, 'iga-destination': tag.destination, 'iga-state': tag.state, ...(tag.messageId ? { 'iga-message-id': tag.messageId } : {}) },
    },
  };
}

export async function startStatusEvents(opts: StatusEventsOptions): Promise<StatusEvents> {
  const log = opts.log;
  const published = counter('iga_driver_status_events_total', 'Change tags published to the status exchange');
  let count = 0;
  let stopping = false;
  const stopSignal = new AbortController();
  const publisher = createConfirmPublisher({ url: opts.amqpUrl, ...(opts.amqpTls ? { tls: opts.amqpTls } : {}), exchange: opts.exchange, mandatory: false, logger: log, connectionName: opts.connectionName ?? 'iga-stream status events' });
  const kafka = createKafka({ retry: CONNECTOR_RETRY, ...opts.kafka, log });
  const consumer: Consumer = createGroupConsumer(kafka, { ...opts.kafka, members: opts.members });

  async function eachBatch(p: EachBatchPayload): Promise<void> {
    const { topic, partition } = p.batch;
    const messages = p.batch.messages;
    for (let start = 0; start < messages.length; start += 256) {
      const chunk = messages.slice(start, start + 256);
      const events = chunk.flatMap((msg) => {
        try {
          const tag = changeStatusSchema.safeParse(JSON.parse(msg.value?.toString('utf8') ?? 'null'));
          return tag.success ? [statusEvent(tag.data as ChangeStatus)] : [];
        } catch {
          return [];
        }
      });
      for (let attempt = 1; ; attempt++) {
        if (stopping || !p.isRunning() || p.isStale()) return;
        let outage = false;
        try {
          const outcomes = events.length > 0 ? await publisher.publish(events) : [];
          if (outcomes.every((o) => o === 'confirmed')) {
            const last = chunk.at(-1)!.offset;
            p.resolveOffset(last);
            await consumer.commitOffsets([{ topic, partition, offset: (BigInt(last) + 1n).toString() }]);
            count += events.length;
            published.inc(events.length);
            break;
          }
        } catch (err) {
          outage = err instanceof AmqpUnavailableError || reportKafkaOutage(err, log);
          log[outage ? 'debug' : 'warn']({ err, attempt }, 'status events not published; retrying');
        }
        await sleep(backoffDelay(attempt, { initialMs: 100, maxMs: 5_000 }), stopSignal.signal);
        await p.heartbeat();
      }
    }
  }

  await publisher.connect();
  try {
    await consumer.connect();
  } catch (err) {
    await publisher.close();
    throw err;
  }
  await consumer.subscribe({ topic: opts.changeStatusTopic, fromBeginning: true });
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch });
  log.info({ exchange: opts.exchange, topic: opts.changeStatusTopic }, 'status events started');
  let stopped: Promise<void> | null = null;
  return {
    stats: () => ({ published: count, connected: publisher.isConnected() }),
    stop() {
      stopped ??= (async () => {
        stopping = true;
        stopSignal.abort();
        await consumer.disconnect().catch(() => undefined);
        await publisher.close();
      })();
      return stopped;
    },
  };
}
