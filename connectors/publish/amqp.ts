/**
 * The publisher input over AMQP (README "Publishers"), for publishers that prefer a queue: a
 * durable topic exchange (IGA_AMQP_EXCHANGE_PUBLISH, default `ex_iga_publish`) with our queue bound
 * by each configured publisher's name as routing key. A message's routing key names its publisher;
 * its header `iga-token` carries that publisher's token (the same as over HTTP), its `messageId` the
 * publisher's message id. The body is what the HTTP input takes: one profile or a batch.
 * Each message is acked only after its profiles are on the raw profile topic. What cannot be stored
 * (no or a wrong token, over a limit, not JSON) goes to the dead-letter topic with the reason and
 * the original bytes, then is acked, so no message blocks the queue and none is dropped silently.
 * While Kafka is unavailable nothing is acked; on stop the unfinished ones go back to the queue.
 */
import { randomUUID } from 'node:crypto';
import type { ConsumeMessage } from 'amqplib';
import type { Logger } from '../../src/common/log.ts';
import type { JsonLimits } from '../../src/common/jsonLimits.ts';
import type { TokenRegistry } from '../../src/common/tokenRegistry.ts';
import { deadLetterRecord, type DeadLetterRecord } from '../../src/topology/contracts/deadLetter.ts';
import type { PublishersConfig } from '../../src/topology/contracts/publishers.ts';
import { startAmqpConsumer, type AmqpConsumer, type ChannelHandle } from '../amqp/consumer.ts';
import type { AmqpTls } from '../amqp/tls.ts';
import type { DurableProducer } from './durableProducer.ts';
import { publishedProfiles } from './metrics.ts';
import { MESSAGE_ID, profileRecords } from './records.ts';

/** The header that carries a publisher's token on an AMQP message. */
export const TOKEN_HEADER = 'iga-token';

export interface PublishAmqpOptions {
  amqpUrl: string;
  amqpTls?: AmqpTls;
  connectionName: string;
  exchange: string;
  queue: string;
  prefetch: number;
  publishers: PublishersConfig;
  tokens: Pick<TokenRegistry, 'authenticate'>;
  producer: DurableProducer;
  rawTopic: string;
  dlqTopic: string;
  limits: JsonLimits;
  maxRecordBytes: number;
  /** How much of a dead-lettered body is kept. */
  deadLetterKeepBytes: number;
  /** Writes a dead letter's value: the schema registry's wire format when the DLQ topic has a registered schema; default plain JSON. */
  encodeDeadLetter?: (record: DeadLetterRecord) => Buffer;
  log: Logger;
}

export interface PublishAmqpInput {
  stats(): { connected: boolean; received: number; accepted: number; deadLettered: number; pending: number };
  stop(): Promise<void>;
}

export async function startPublishAmqp(opts: PublishAmqpOptions): Promise<PublishAmqpInput> {
  const log = opts.log;
  const metric = publishedProfiles();
  const counts = { received: 0, accepted: 0, deadLettered: 0 };
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();

  function settle(handle: ChannelHandle, msg: ConsumeMessage, ack: boolean): void {
    if (!handle.open) return; // the broker redelivers it on the next channel
    try {
      if (ack) handle.channel.ack(msg);
      else handle.channel.nack(msg, false, true);
    } catch (err) {
      log.warn({ err }, 'ack failed (channel closed); the broker will redeliver');
    }
  }

  async function handle(msg: ConsumeMessage, channel: ChannelHandle): Promise<void> {
    const publisher = msg.fields.routingKey;
    const given = typeof msg.properties.messageId === 'string' ? msg.properties.messageId : null;
    const messageId = given !== null && MESSAGE_ID.test(given) ? given : null;
    const contentType = typeof msg.properties.contentType === 'string' ? msg.properties.contentType.slice(0, 100) : null;
    const receivedAt = new Date().toISOString();
    const token = msg.properties.headers?.[TOKEN_HEADER];
    const client = typeof token === 'string' ? opts.tokens.authenticate(token) : undefined;
    let reason: string | null = null;
    let records: ReturnType<typeof profileRecords> | null = null;
    if (!opts.publishers.publishers.has(publisher)) reason = `no publisher ${JSON.stringify(publisher.slice(0, 40))} is configured`;
    else if (typeof token !== 'string') reason = `no ${TOKEN_HEADER} header: a message must carry its publisher's token`;
    else if (client === undefined) reason = `the ${TOKEN_HEADER} header holds no valid token`;
    else if (client !== publisher) reason = `the token is ${client}'s; it may publish only as ${client}`;
    else if (given !== null && messageId === null) reason = 'message id: printable ASCII without spaces, at most 200 characters';
    else {
      records = profileRecords(msg.content, { publisher, transport: 'amqp', exchange: msg.fields.exchange, routingKey: publisher, contentType, messageId, receivedAt }, { limits: opts.limits, maxRecordBytes: opts.maxRecordBytes });
      if (!records.ok) reason = records.reason;
    }
    let outcome;
    if (reason === null && records?.ok) {
      outcome = await opts.producer.send(opts.rawTopic, records.records.map((r) => r.message), { deadlineMs: null, signal: stopping.signal });
      if (outcome.ok) {
        counts.accepted++;
        metric.inc({ publisher, transport: 'amqp', outcome: 'accepted' }, records.records.length);
        settle(channel, msg, true);
        return;
      }
      if (outcome.kind === 'stopping') return settle(channel, msg, false);
      reason = outcome.reason; // Kafka refused the records for good
    }
    const dlqKey = messageId ?? given?.slice(0, 200) ?? randomUUID();
    log.warn({ publisher: publisher.slice(0, 40), messageId: dlqKey, reason }, 'published AMQP message not stored; dead-lettering');
    const dead = deadLetterRecord({
      reason: reason!, source: 'publish', publisher: publisher.slice(0, 40), exchange: msg.fields.exchange, routingKey: publisher.slice(0, 256),
      messageId: dlqKey, contentType, receivedAt,
    }, msg.content, opts.deadLetterKeepBytes);
    outcome = await opts.producer.send(opts.dlqTopic, [{ key: dlqKey, value: opts.encodeDeadLetter?.(dead) ?? JSON.stringify(dead) }], { deadlineMs: null, signal: stopping.signal });
    if (!outcome.ok) return settle(channel, msg, false);
    counts.deadLettered++;
    metric.inc({ publisher: opts.publishers.publishers.has(publisher) ? publisher : 'unknown', transport: 'amqp', outcome: 'dead_lettered' });
    settle(channel, msg, true);
  }

  const consumer: AmqpConsumer = await startAmqpConsumer({
    url: opts.amqpUrl, ...(opts.amqpTls ? { tls: opts.amqpTls } : {}), connectionName: opts.connectionName,
    exchange: opts.exchange, queue: opts.queue, routingKeys: [...opts.publishers.publishers.keys()], prefetch: opts.prefetch, logger: log,
    onDelivery(msg, channel) {
      counts.received++;
      const p = handle(msg, channel).catch((err: unknown) => {
        // A bug of ours: leave it unacked; it comes back on the next channel.
        log.error({ err }, 'published AMQP message failed unexpectedly; it stays in the queue');
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    },
    onChannelClosed() {
      // Unacked deliveries come back on the next channel; the work in flight finds its channel closed.
    },
  });

  let stopped: Promise<void> | null = null;
  return {
    stats: () => ({ ...counts, connected: consumer.isConnected(), pending: inFlight.size }),
    stop() {
      stopped ??= (async () => {
        await consumer.cancel();
        // Give the profiles in flight a moment to reach Kafka and be acked; then the rest goes back.
        const drained = Promise.all([...inFlight]);
        const timer = setTimeout(() => stopping.abort(), 5_000);
        await drained;
        clearTimeout(timer);
        await consumer.close();
        log.info(counts, 'publisher AMQP input stopped');
      })();
      return stopped;
    },
  };
}
