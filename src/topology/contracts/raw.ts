/**
 * The raw topic `<app>.dfo.events` (kept forever) and its copies on the replay topic
 * `<app>-<app>.dfo.events-replay` (kept a week). Key `<kind>:<id>` (rawEventKey), e.g.
 * `stillinger:30001233`; value one DFØ change notification as JSON (RawDfoEvent).
 *
 * Writers: the ingress connector, one record per accepted AMQP delivery (connectors/dfo/
 * notification.ts parses it; header `amqp-message-id`); a reconciliation run, a synthetic event
 * with a `reconcile` block per repair (src/features/reconcile/records.ts; header
 * `iga-source: reconcile`); reprocess copies raw records to the replay topic with the replay
 * headers below (src/features/replay/routes.ts).
 * Readers: the dfo-events step (sub-topology A) reads both topics and validates every value with
 * `rawDfoEventSchema` (an input boundary: several writers, and records kept for years); explain
 * reads single records by the coordinates an audit record gives.
 */
import { z } from 'zod';
import type { RecordOrigin } from '../../runtime/api/index.ts';

/**
 * DFØ's resources, by the names of its REST paths and of its AMQP routing keys (not the names of
 * its objects, `ansatt` and `stilling`: connectors/dfo/schemas.ts DfoObjectName).
 */
export const DFO_RESOURCES = ['ansatte', 'stillinger'] as const;
export type DfoResource = (typeof DFO_RESOURCES)[number];

/** A normalised DFØ id: decimal digits without leading zeros ('0' stays '0'). */
const NORMALISED_ID = /^(0|[1-9]\d*)$/;

/** The record the ingress writes for one accepted DFØ notification. */
export interface RawDfoEvent {
  kind: DfoResource;
  /** Normalised id ('00101926' → '101926'; '0000' → '0'). */
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

/**
 * What a reader may rely on in a raw value, from any writer: the ingress's RawDfoEvent, or a
 * reconciliation run's repair event (no body, no exchange, and a `reconcile` block). Unknown fields
 * pass through.
 */
export const rawDfoEventSchema = z.object({
  kind: z.enum(DFO_RESOURCES),
  id: z.string().regex(NORMALISED_ID, 'normalised DFØ id'),
  notBefore: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable(),
  firmakode: z.string().nullable().optional(),
  receivedAt: z.string().optional(),
  source: z.object({ messageId: z.string().nullable().optional() }).passthrough().optional(),
  /** Set on the synthetic events of a reconciliation run: the cause becomes `reconcile <runId>`. */
  reconcile: z.object({
    runId: z.string().min(1),
    /** Employees whose holder event is sent even when the stored holders already match DFØ. */
    resendHolders: z.array(z.string().regex(NORMALISED_ID)).optional(),
  }).optional(),
}).passthrough();
export type RawDfoEventValue = z.infer<typeof rawDfoEventSchema>;

/** The raw topic's key: `<kind>:<id>`, so all events of one person or position share a partition. */
export function rawEventKey(e: Pick<RawDfoEvent, 'kind' | 'id'>): string {
  return `${e.kind}:${e.id}`;
}

/** Headers of raw records: the AMQP message id (ingress) and the writer when it is not the ingress. */
export const RAW_HEADERS = { amqpMessageId: 'amqp-message-id', source: 'iga-source' } as const;

/**
 * Headers set on every replayed record: the original topic, its offset (same partition) and
 * timestamp, and the reprocess run that copied it (the mass-change brake groups a run's blocks).
 * The cause of what a copy leads to then says "replayed" and points at the original record.
 */
export const REPLAY_HEADERS = { topic: 'iga-replay-topic', offset: 'iga-replay-offset', timestamp: 'iga-replay-timestamp', run: 'iga-replay-run' } as const;

/** A reprocess run's id: when it started, and a random suffix (two runs in one millisecond differ). */
export function newReprocessRunId(now: number = Date.now()): string {
  return `${new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The reprocess run that replayed a record, when its copy says so. */
export function replayRunOf(headers: Record<string, string>): string | undefined {
  const run = headers[REPLAY_HEADERS.run];
  return run && /^[\w.:-]{1,100}$/.test(run) ? run : undefined;
}

/** The original raw record of a replayed one (same partition), or undefined for an original. */
export function replayedFrom(headers: Record<string, string>, origin: RecordOrigin | null): RecordOrigin | undefined {
  const topic = headers[REPLAY_HEADERS.topic];
  const offset = headers[REPLAY_HEADERS.offset];
  if (!topic || !offset || !/^\d+$/.test(offset) || !origin) return undefined;
  return { topic, partition: origin.partition, offset };
}
