/**
 * Dead letters for operators: the newest records of `<app>.iga.dlq` (reason, time, the original
 * bytes decoded where they are text), and re-drive — the original bytes published again, unchanged,
 * to the exchange and routing key they first arrived on, so they take the same path once the cause
 * is fixed (a raised limit, a corrected publisher key). Only what arrived over AMQP and was kept
 * whole can be re-driven; anything else says why not. Reads outside any consumer group.
 */
import { z } from 'zod';
import { AdminError, badRequest } from '../adminApi/index.ts';
import type { Logger } from '../../common/log.ts';
import { parseJsonValue } from '../../common/wireFormat.ts';
import { createKafka } from '../../runtime/kafka/client.ts';
import { PartitionReader } from '../../runtime/kafka/partitionReader.ts';
import { topicNames } from '../../topology/contracts/topics.ts';
import type { DeadLetterRecord } from '../../topology/contracts/deadLetter.ts';

/** Header on a re-driven AMQP message: the dead letter it came from (`<topic>[p]@offset`). */
export const REDRIVE_HEADER = 'iga-redrive-of';

export interface DeadLetterView {
  partition: number;
  offset: string;
  key: string | null;
  /** When it was written to the DLQ (ISO). */
  at: string;
  /** The record as the connectors write it, or null for another shape (shown as `value`). */
  record: DeadLetterRecord | null;
  value: unknown;
  /** The original body as UTF-8 text (pretty JSON when it parses), or null when it is not text. */
  bodyText: string | null;
  /** True, or why it cannot be re-driven. */
  redrive: true | string;
}

/** Publishes bytes to an exchange (the connectors' confirm publisher, one per exchange). */
export type Republish = (exchange: string, routingKey: string, body: Buffer, props: { messageId: string | undefined; contentType: string | undefined; headers: Record<string, string> }) => Promise<void>;

export interface DeadLetterService {
  /** The newest `limit` dead letters over all partitions, newest first. */
  list(limit: number): Promise<DeadLetterView[]>;
  get(partition: unknown, offset: unknown): Promise<DeadLetterView>;
  /** Publishes the original bytes again; 404 when gone, 409 when it cannot be re-driven. */
  redrive(partition: unknown, offset: unknown): Promise<{ exchange: string; routingKey: string; messageId: string | null; bytes: number }>;
  close(): Promise<void>;
}

const recordSchema = z.looseObject({
  reason: z.string(), source: z.enum(['ingress', 'egress', 'publish', 'validation']), exchange: z.string().nullable(), routingKey: z.string().nullable(),
  messageId: z.string().nullable(), contentType: z.string().nullable(), receivedAt: z.string(), bodyBase64: z.string(), bodyBytes: z.number(),
  truncated: z.literal(true).optional(),
});
const coords = z.object({ partition: z.coerce.number().int().min(0).max(100_000), offset: z.string().regex(/^\d{1,19}$/, 'an offset') });

function view(partition: number, m: { offset: string; key: Buffer | null; value: Buffer | null; timestamp: string }): DeadLetterView {
  let value: unknown = null;
  // Plain JSON or the schema registry's wire format (when the DLQ has a registered schema).
  try { value = m.value ? parseJsonValue(m.value) : null; } catch { value = m.value?.toString('utf8') ?? null; }
  const parsed = recordSchema.safeParse(value);
  const record = parsed.success ? (parsed.data as DeadLetterRecord) : null;
  let bodyText: string | null = null;
  if (record) {
    const body = Buffer.from(record.bodyBase64, 'base64');
    const text = new TextDecoder('utf-8', { fatal: false }).decode(body);
    if (!text.includes('\uFFFD')) {
      try { bodyText = JSON.stringify(JSON.parse(text), null, 2); } catch { bodyText = text; }
    }
  }
  const redrive: true | string = !record ? 'not a connector’s dead letter (no original AMQP message to publish again)'
    : record.truncated ? `only the first bytes of its ${record.bodyBytes} were kept`
      : !record.exchange || record.routingKey === null ? `it did not arrive over AMQP (source ${record.source})`
        : true;
  return { partition, offset: m.offset, key: m.key?.toString('utf8') ?? null, at: new Date(Number(m.timestamp)).toISOString(), record, value, bodyText, redrive };
}

export function startDeadLetters(opts: { brokers: string[]; appId: string; log: Logger; republish: Republish }): DeadLetterService {
  const topic = topicNames(opts.appId).dlq;
  const reader = new PartitionReader(createKafka({ brokers: opts.brokers, clientId: `${opts.appId}-dead-letters`, log: opts.log }));

  async function readRange(partition: number, from: bigint, to: bigint): Promise<DeadLetterView[]> {
    const out: DeadLetterView[] = [];
    let next = from;
    while (next < to) {
      const r = await reader.fetch(topic, partition, next, { maxBytes: 4 * 1024 * 1024 });
      for (const m of r.records) if (BigInt(m.offset) < to) out.push(view(partition, m));
      if (r.nextOffset <= next) break;
      next = r.nextOffset;
    }
    return out;
  }

  async function get(rawPartition: unknown, rawOffset: unknown): Promise<DeadLetterView> {
    const c = coords.safeParse({ partition: rawPartition, offset: rawOffset });
    if (!c.success) throw badRequest(c.error.issues);
    const offset = BigInt(c.data.offset);
    const bounds = (await reader.offsets(topic)).find((b) => b.partition === c.data.partition);
    if (!bounds) throw new AdminError(404, `${topic} has no partition ${c.data.partition}`);
    if (offset < bounds.low || offset >= bounds.high) throw new AdminError(404, `no dead letter at ${topic}[${c.data.partition}]@${c.data.offset}`);
    const found = (await readRange(c.data.partition, offset, offset + 1n))[0];
    if (!found) throw new AdminError(404, `no dead letter at ${topic}[${c.data.partition}]@${c.data.offset} (a transaction marker or an aborted record)`);
    return found;
  }

  return {
    async list(limit) {
      const bounds = await reader.offsets(topic);
      const all = await Promise.all(bounds.map(async (b) => {
        // Twice the limit back from the end: transaction markers take offsets too.
        const from = b.high - BigInt(limit * 2) > b.low ? b.high - BigInt(limit * 2) : b.low;
        return readRange(b.partition, from, b.high);
      }));
      return all.flat().sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.partition - b.partition)).slice(0, limit);
    },
    get,
    async redrive(rawPartition, rawOffset) {
      const d = await get(rawPartition, rawOffset);
      if (d.redrive !== true) throw new AdminError(409, `${topic}[${d.partition}]@${d.offset} cannot be re-driven: ${d.redrive}`);
      const r = d.record!;
      const body = Buffer.from(r.bodyBase64, 'base64');
      await opts.republish(r.exchange!, r.routingKey!, body, {
        messageId: r.messageId ?? undefined, contentType: r.contentType ?? undefined, headers: { [REDRIVE_HEADER]: `${topic}[${d.partition}]@${d.offset}` },
      });
      opts.log.info({ partition: d.partition, offset: d.offset, exchange: r.exchange, routingKey: r.routingKey, messageId: r.messageId }, 'dead letter re-driven');
      return { exchange: r.exchange!, routingKey: r.routingKey!, messageId: r.messageId, bytes: body.length };
    },
    close: () => reader.close(),
  };
}
