/**
 * Parsing of incoming DFØ change notifications into the raw topic's record (RawDfoEvent,
 * src/topology/contracts/raw.ts). Pure: no I/O, no clock unless the caller leaves `receivedAt` out.
 *
 * A DFØ message is UTF-8 JSON whatever its content type says (DFØ sends
 * `application/octet-stream`): `{"id":"00101926","uri":"dfo:ansatte","gyldigEtter":"20240101","firmakode":"9900"}`.
 * Only `id` is needed; the kind comes from the routing key (`ansatte` / `stillinger`) or else from `uri`.
 */
import { z } from 'zod';
import { boundedText, checkJsonLimits, type JsonLimits } from '../../src/common/jsonLimits.ts';
import { normaliseDfoId } from '../../src/iga/dfoId.ts';
import type { DfoResource, RawDfoEvent } from '../../src/topology/contracts/raw.ts';

/** AMQP metadata the parser needs. */
export interface DfoMessageMeta {
  routingKey: string;
  exchange?: string;
  contentType?: string;
  messageId?: string;
  /** Defaults to the current time. */
  receivedAt?: string;
  /** Checked on the bytes before parsing (default DEFAULT_DFO_MESSAGE_LIMITS). */
  limits?: JsonLimits;
}

/**
 * A DFØ notification is about 100 bytes (`id`, `uri`, `gyldigEtter`, `firmakode`). These limits
 * leave room for extra fields and refuse what no HR system sends: the mirror copies the whole body
 * to Kafka, and the topology, explain and replay all read it again.
 */
export const DEFAULT_DFO_MESSAGE_LIMITS: JsonLimits = { maxBytes: 64 * 1024, maxDepth: 32, maxStringBytes: 4096, maxArrayItems: 1000, maxObjectKeys: 256 };

export type ParseResult = { ok: true; event: RawDfoEvent } | { ok: false; reason: string };

const KIND_BY_URI: Record<string, DfoResource> = { 'dfo:ansatte': 'ansatte', 'dfo:stillinger': 'stillinger' };

const bodySchema = z.looseObject({
  id: z.union([z.string(), z.number()]).transform((v, ctx) => {
    // An id that is no DFØ id makes the message invalid: it is dead-lettered with this reason.
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
  const limits = checkJsonLimits(body, meta.limits ?? DEFAULT_DFO_MESSAGE_LIMITS);
  if (!limits.ok) return { ok: false, reason: `body refused: ${limits.reason}` };
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
    return { ok: false, reason: boundedText(`invalid DFØ message: ${details}`) };
  }
  const routingKind = kindFromRoutingKey(meta.routingKey);
  const uriKind = parsed.data.uri === undefined ? null : KIND_BY_URI[parsed.data.uri] ?? null;
  if (routingKind !== null && uriKind !== null && routingKind !== uriKind) {
    return { ok: false, reason: boundedText(`uri ${parsed.data.uri} disagrees with routing key ${meta.routingKey}`) };
  }
  const kind = routingKind ?? uriKind;
  if (kind === null) {
    return { ok: false, reason: boundedText(`cannot tell the kind: routing key ${JSON.stringify(meta.routingKey)} and no dfo: uri`) };
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
function kindFromRoutingKey(routingKey: string): DfoResource | null {
  const last = routingKey.split('.').pop();
  return last === 'ansatte' || last === 'stillinger' ? last : null;
}
