/**
 * SCIM notify events (SCIM PROFILE §3; draft-hunt-scim-notify as used by IntArk): the notify-topic
 * record the topology writes, and the thin JSON body published to `ex_from_iga`. Pure.
 */
import { z } from 'zod';

export const NOTIFY_EVENT_SCHEMA = 'urn:ietf:params:scim:schemas:notify:2.0:Event';

/** The notify-topic value (JSON), keyed by account id. Written by the topology, read by the egress. */
export interface NotifyRecord {
  /** Stable id of this event, e.g. `${accountId}:v${version}`; becomes the AMQP message id. */
  eventId: string;
  type: 'CREATE' | 'MODIFY';
  accountId: string;
  /** Absolute SCIM location of the account, e.g. `https://gw-uib.intark.uh-it.no/iga/scim/v2/Users/<id>`. */
  resourceUri: string;
  /** Changed SCIM attribute names (MODIFY only; ignored on CREATE). */
  attributes?: string[];
  /** ISO timestamp of the change. */
  occurredAt: string;
}

/** The published body; never carries `values` (IntArk wants thin messages). */
export interface ScimNotifyEvent {
  schemas: [typeof NOTIFY_EVENT_SCHEMA];
  resourceUris: string[];
  type: 'CREATE' | 'MODIFY';
  attributes?: string[];
}

export const notifyRecordSchema = z.object({
  eventId: z.string().min(1),
  type: z.enum(['CREATE', 'MODIFY']),
  accountId: z.string().min(1),
  resourceUri: z.string().url(),
  attributes: z.array(z.string().min(1)).optional(),
  occurredAt: z.string().datetime({ offset: true }),
});

/** Parses a notify-topic value; `{ ok: false, reason }` when it is not a valid NotifyRecord. Never throws. */
export function parseNotifyRecord(value: Buffer | null): { ok: true; record: NotifyRecord } | { ok: false; reason: string } {
  if (value === null) return { ok: false, reason: 'notify record has no value (tombstone)' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `notify record is not JSON: ${(err as Error).message}` };
  }
  const parsed = notifyRecordSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: `invalid notify record: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ')}` };
  }
  return { ok: true, record: parsed.data };
}

/** Renders the event body: CREATE without `attributes`; MODIFY with them (possibly empty), de-duplicated. */
export function toScimEvent(r: NotifyRecord): ScimNotifyEvent {
  const event: ScimNotifyEvent = { schemas: [NOTIFY_EVENT_SCHEMA], resourceUris: [r.resourceUri], type: r.type };
  if (r.type === 'MODIFY') event.attributes = [...new Set(r.attributes ?? [])];
  return event;
}

/** Fills the routing-key template: every `{type}` → `create` / `modify`. */
export function notifyRoutingKey(template: string, type: NotifyRecord['type']): string {
  return template.replaceAll('{type}', type.toLowerCase());
}

/** AMQP message type property: `scim.user.create` / `scim.user.modify`. */
export function notifyMessageType(type: NotifyRecord['type']): string {
  return `scim.user.${type.toLowerCase()}`;
}
