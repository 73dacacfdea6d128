/**
 * Parsing of incoming DFØ change notifications (FORMATS.md §1.2). Pure: no I/O, no clock
 * unless the caller leaves `receivedAt` out.
 *
 * A DFØ message is UTF-8 JSON whatever its content type says (DFØ sends
 * `application/octet-stream`): `{"id":"00101926","uri":"dfo:ansatte","gyldigEtter":"20240101","firmakode":"9900"}`.
 * Only `id` is needed; the kind comes from the routing key (`ansatte` / `stillinger`) or else from `uri`.
 */
import { z } from 'zod';

export type DfoKind = 'ansatte' | 'stillinger';

/** The raw-topic record: one accepted DFØ notification, as mirrored to Kafka. */
export interface RawDfoEvent {
  kind: DfoKind;
  /** Normalised id: decimal digits without leading zeros ('00101926' → '101926'; '0000' → '0'). */
  id: string;
  /** From `gyldigEtter` as 'YYYY-MM-DD': the event must not be acted on before this day; null = now. */
  notBefore: string | null;
  firmakode: string | null;
  /** ISO timestamp of when the ingress received the message. */
  receivedAt: string;
  source: { exchange: string; routingKey: string; messageId: string | null; contentType: string | null };
  /** The parsed JSON body as received (extra fields kept for audit and replay). */
  body: unknown;
}

/** AMQP metadata the parser needs. */
export interface DfoMessageMeta {
  routingKey: string;
  exchange?: string;
  contentType?: string;
  messageId?: string;
  /** Defaults to the current time. */
  receivedAt?: string;
}

export type ParseResult = { ok: true; event: RawDfoEvent } | { ok: false; reason: string };

const KIND_BY_URI: Record<string, DfoKind> = { 'dfo:ansatte': 'ansatte', 'dfo:stillinger': 'stillinger' };

const bodySchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform((v, ctx) => {
    const normalised = normaliseDfoId(v);
    if (normalised === null) {
      ctx.addIssue({ code: 'custom', message: `must be a non-negative integer or a string of digits, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return normalised;
  }),
  uri: z.enum(['dfo:ansatte', 'dfo:stillinger']).optional(),
  gyldigEtter: z
    .string()
    .transform((v, ctx) => {
      const date = yyyymmddToIsoDate(v);
      if (date === null) {
        ctx.addIssue({ code: 'custom', message: `must be a real date as YYYYMMDD, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return date;
    })
    .nullish(),
  firmakode: z.union([z.string(), z.number()]).transform(String).nullish(),
});

/**
 * Normalises a DFØ id (string or number) to decimal digits without leading zeros.
 * Returns null when it is not a non-negative integer (empty, signs, decimals, letters).
 */
export function normaliseDfoId(value: string | number): string | null {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 ? String(value) : null;
  }
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  return trimmed.replace(/^0+(?=\d)/, '');
}

/** 'YYYYMMDD' → 'YYYY-MM-DD' when it names a real calendar day, else null. */
export function yyyymmddToIsoDate(value: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const real = date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(mo) - 1 && date.getUTCDate() === Number(d);
  return real ? `${y}-${mo}-${d}` : null;
}

/**
 * Parses one AMQP message body into a RawDfoEvent. Never throws: a malformed message yields
 * `{ ok: false, reason }` (the ingress dead-letters it). Called by the ingress for every delivery.
 */
export function parseDfoMessage(body: Buffer, meta: DfoMessageMeta): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (err) {
    return { ok: false, reason: `body is not UTF-8 JSON: ${(err as Error).message}` };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, reason: 'body is not a JSON object' };
  }
  const parsed = bodySchema.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    return { ok: false, reason: `invalid DFØ message: ${details}` };
  }
  const routingKind = kindFromRoutingKey(meta.routingKey);
  const uriKind = parsed.data.uri === undefined ? null : KIND_BY_URI[parsed.data.uri] ?? null;
  if (routingKind !== null && uriKind !== null && routingKind !== uriKind) {
    return { ok: false, reason: `uri ${parsed.data.uri} disagrees with routing key ${meta.routingKey}` };
  }
  const kind = routingKind ?? uriKind;
  if (kind === null) {
    return { ok: false, reason: `cannot tell the kind: routing key ${JSON.stringify(meta.routingKey)} and no dfo: uri` };
  }
  return {
    ok: true,
    event: {
      kind,
      id: parsed.data.id,
      notBefore: parsed.data.gyldigEtter ?? null,
      firmakode: parsed.data.firmakode ?? null,
      receivedAt: meta.receivedAt ?? new Date().toISOString(),
      source: {
        exchange: meta.exchange ?? '',
        routingKey: meta.routingKey,
        messageId: meta.messageId ?? null,
        contentType: meta.contentType ?? null,
      },
      body: json,
    },
  };
}

/** The kind named by a routing key: exactly `ansatte`/`stillinger`, or its last dot-separated word. */
function kindFromRoutingKey(routingKey: string): DfoKind | null {
  const last = routingKey.split('.').pop();
  return last === 'ansatte' || last === 'stillinger' ? last : null;
}

/** The raw-topic key, `${kind}:${id}` (DESIGN.md "Keys and partitions"). */
export function rawEventKey(e: Pick<RawDfoEvent, 'kind' | 'id'>): string {
  return `${e.kind}:${e.id}`;
}
