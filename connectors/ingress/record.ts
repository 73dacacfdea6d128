/**
 * What the ingress writes to Kafka for one AMQP delivery: the mirrored DFØ event on the raw topic,
 * or a dead-letter record with the reason and the original bytes (an excerpt when large). Never
 * throws: whatever goes wrong while reading a delivery becomes a dead letter, because an exception
 * here would close the channel and the broker would redeliver the same message forever.
 */
import type { ConsumeMessage } from 'amqplib';
import type { Message as KafkaMessage } from 'kafkajs';
import type { JsonLimits } from '../../src/common/jsonLimits.ts';
import { deadLetterRecord, type DeadLetterRecord } from '../../src/topology/contracts/deadLetter.ts';
import { RAW_HEADERS, rawEventKey } from '../../src/topology/contracts/raw.ts';
import { parseDfoMessage } from '../dfo/notification.ts';

export interface IngressRecord {
  topic: string;
  message: KafkaMessage;
  /** Approximate bytes on the wire (key, value, headers and record overhead). */
  bytes: number;
  deadLettered: boolean;
  /** Why it was dead-lettered. */
  reason?: string;
}

export interface IngressRecordOptions {
  rawTopic: string;
  dlqTopic: string;
  limits: JsonLimits;
  /** Largest record Kafka accepts on these topics (from max.message.bytes, less batch overhead). */
  maxRecordBytes: number;
  /** How much of an original body a dead letter keeps. */
  deadLetterKeepBytes: number;
  /** A delivery RabbitMQ counts (x-delivery-count, quorum queues only) more often than this is dead-lettered; null: not counted. */
  maxDeliveries: number | null;
  /** ISO time of receipt. */
  receivedAt: string;
  /** Writes a dead letter's value: the schema registry's wire format when the DLQ topic has a registered schema; default plain JSON. */
  encodeDeadLetter?: (record: DeadLetterRecord) => Buffer;
}

type Delivery = Pick<ConsumeMessage, 'content' | 'fields' | 'properties'>;

/** The record for one delivery. */
export function recordForDelivery(msg: Delivery, opts: IngressRecordOptions): IngressRecord {
  try {
    const { messageId, contentType } = metaOf(msg);
    const deliveries = Number(msg.properties.headers?.['x-delivery-count'] ?? 0);
    if (opts.maxDeliveries !== null && deliveries > opts.maxDeliveries) return deadLetterFor(msg, `delivered ${deliveries} times without being acked (more than ${opts.maxDeliveries})`, opts);
    const parsed = parseDfoMessage(msg.content, {
      routingKey: msg.fields.routingKey, exchange: msg.fields.exchange, receivedAt: opts.receivedAt, limits: opts.limits,
      ...(contentType ? { contentType } : {}), ...(messageId ? { messageId } : {}),
    });
    if (!parsed.ok) return deadLetterFor(msg, parsed.reason, opts);
    const message: KafkaMessage = { key: rawEventKey(parsed.event), value: JSON.stringify(parsed.event), headers: headersOf(messageId) };
    const bytes = messageBytes(message);
    if (bytes > opts.maxRecordBytes) {
      return deadLetterFor(msg, `the mirrored record would be ${bytes} bytes, more than Kafka accepts on ${opts.rawTopic} (${opts.maxRecordBytes})`, opts);
    }
    return { topic: opts.rawTopic, message, bytes, deadLettered: false };
  } catch (err) {
    return deadLetterFor(msg, `could not be read: ${err instanceof Error ? err.message : String(err)}`, opts);
  }
}

/** A dead-letter record for `msg` (also used when Kafka keeps refusing a mirrored record). */
export function deadLetterFor(msg: Delivery, reason: string, opts: Pick<IngressRecordOptions, 'dlqTopic' | 'deadLetterKeepBytes' | 'receivedAt' | 'encodeDeadLetter'>): IngressRecord {
  const { messageId, contentType } = metaOf(msg);
  const record = deadLetterRecord(
    { reason, source: 'ingress', exchange: msg.fields.exchange, routingKey: msg.fields.routingKey, messageId: messageId ?? null, contentType: contentType ?? null, receivedAt: opts.receivedAt },
    msg.content,
    opts.deadLetterKeepBytes,
  );
  const message: KafkaMessage = { key: messageId ?? null, value: opts.encodeDeadLetter?.(record) ?? JSON.stringify(record), headers: headersOf(messageId) };
  return { topic: opts.dlqTopic, message, bytes: messageBytes(message), deadLettered: true, reason: record.reason };
}

function metaOf(msg: Delivery): { messageId: string | undefined; contentType: string | undefined } {
  const { messageId, contentType } = msg.properties as { messageId?: unknown; contentType?: unknown };
  // A message id is ours to copy into a header and a key; an absurd one is not kept whole.
  return {
    messageId: typeof messageId === 'string' ? messageId.slice(0, 256) : undefined,
    contentType: typeof contentType === 'string' ? contentType.slice(0, 256) : undefined,
  };
}

function headersOf(messageId: string | undefined): KafkaMessage['headers'] {
  return messageId ? { [RAW_HEADERS.amqpMessageId]: messageId } : {};
}

/** Key, value and headers plus a per-record allowance for Kafka's framing. */
export function messageBytes(m: KafkaMessage): number {
  let n = 64 + (m.key ? Buffer.byteLength(m.key as string) : 0) + (typeof m.value === 'string' ? Buffer.byteLength(m.value) : (m.value?.length ?? 0));
  for (const [k, v] of Object.entries(m.headers ?? {})) n += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0) + 8;
  return n;
}
