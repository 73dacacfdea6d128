/**
 * What the publisher input writes for one request or AMQP message: one raw-profile record per
 * profile (src/topology/contracts/profiles.ts), each with its message id and its bytes as sent, or a
 * refusal of the whole body with the reason (over a limit, not JSON, too large for Kafka). A body
 * holds one profile, or a batch as a JSON array; a batch's message ids are `<id>#<index>`, from 0.
 * Whether a profile is valid is the validation step's business, not this one's: it only refuses
 * what cannot be stored.
 */
import { randomUUID } from 'node:crypto';
import type { Message as KafkaMessage } from 'kafkajs';
import { checkJsonLimits, type JsonLimits } from '../../src/common/jsonLimits.ts';
import { unverifiedJwsPayload } from '../../src/common/jws.ts';
import { PROFILE_HEADERS, rawProfileKey, type RawProfile } from '../../src/topology/contracts/profiles.ts';
import { splitItems } from './split.ts';

/** Limits on a publish body: a batch of up to 1,000 profiles. */
export const DEFAULT_PUBLISH_LIMITS: JsonLimits = { maxBytes: 1024 * 1024, maxDepth: 16, maxStringBytes: 16 * 1024, maxArrayItems: 1000, maxObjectKeys: 64 };

/** A message id a publisher may give: printable ASCII, no spaces, at most 200 characters. */
export const MESSAGE_ID = /^[\x21-\x7e]{1,200}$/;

export interface ProfileRecord { messageId: string; message: KafkaMessage; bytes: number }

export type BodyRecords =
  | { ok: true; records: ProfileRecord[] }
  | { ok: false; reason: string; tooLarge: boolean };

export interface BodyMeta {
  publisher: string;
  transport: RawProfile['source']['transport'];
  exchange: string | null;
  routingKey: string | null;
  contentType: string | null;
  /** The publisher's message id; a fresh UUID when it sent none. */
  messageId: string | null;
  receivedAt: string;
}

/** The raw-profile records of one body, or why none can be stored. */
export function profileRecords(body: Buffer, meta: BodyMeta, opts: { limits: JsonLimits; maxRecordBytes: number }): BodyRecords {
  const limits = checkJsonLimits(body, opts.limits);
  if (!limits.ok) return { ok: false, reason: limits.reason, tooLarge: body.length > opts.limits.maxBytes };
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (err) {
    return { ok: false, reason: `not JSON in UTF-8: ${err instanceof Error ? err.message.slice(0, 200) : String(err)}`, tooLarge: false };
  }
  const { batch, items } = splitItems(body);
  if (batch && items.length === 0) return { ok: false, reason: 'an empty batch: send one profile, or an array of them', tooLarge: false };
  const values = batch ? (parsed as unknown[]) : [parsed];
  if (values.length !== items.length) return { ok: false, reason: 'could not cut the batch into its profiles', tooLarge: false };
  if (meta.messageId !== null && !MESSAGE_ID.test(meta.messageId)) return { ok: false, reason: 'message id: printable ASCII without spaces, at most 200 characters', tooLarge: false };
  const base = meta.messageId ?? randomUUID();
  const records: ProfileRecord[] = [];
  for (let i = 0; i < values.length; i++) {
    const messageId = batch ? `${base}#${i}` : base;
    const raw: RawProfile = {
      publisher: meta.publisher, messageId, receivedAt: meta.receivedAt,
      source: { transport: meta.transport, exchange: meta.exchange, routingKey: meta.routingKey, contentType: meta.contentType },
      item: values[i], bytesBase64: items[i]!.toString('base64'),
    };
    const message: KafkaMessage = {
      key: rawProfileKey(meta.publisher, sourceIdOf(values[i]), messageId), value: JSON.stringify(raw),
      headers: { [PROFILE_HEADERS.messageId]: messageId, [PROFILE_HEADERS.publisher]: meta.publisher },
    };
    const bytes = messageBytes(message);
    if (bytes > opts.maxRecordBytes) return { ok: false, reason: `profile ${i} would be a ${bytes}-byte record, more than Kafka takes (${opts.maxRecordBytes})`, tooLarge: true };
    records.push({ messageId, message, bytes });
  }
  return { ok: true, records };
}

/** The item's `sourceId`, for the record key only (a signed item's is read without verifying: routing, not trust). */
function sourceIdOf(item: unknown): unknown {
  if (typeof item === 'string') {
    const payload = unverifiedJwsPayload(item);
    try {
      return payload ? (JSON.parse(payload.toString('utf8')) as { sourceId?: unknown })?.sourceId : undefined;
    } catch {
      return undefined;
    }
  }
  return item !== null && typeof item === 'object' ? (item as { sourceId?: unknown }).sourceId : undefined;
}

function messageBytes(m: KafkaMessage): number {
  let n = 64 + Buffer.byteLength(String(m.key ?? '')) + Buffer.byteLength(String(m.value ?? ''));
  for (const [k, v] of Object.entries(m.headers ?? {})) n += Buffer.byteLength(k) + Buffer.byteLength(String(v)) + 8;
  return n;
}
