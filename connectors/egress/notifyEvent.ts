/**
 * SCIM notify events (draft-hunt-scim-notify, as IntArk uses them): reads a notify-topic record
 * (its format is src/topology/contracts/notify.ts) and renders the thin JSON body published to
 * `ex_from_iga`, with its routing key and message type. Pure.
 */
import { parseJsonValue } from '../../src/common/wireFormat.ts';
import { notifyRecordSchema, type NotifyRecord } from '../../src/topology/contracts/notify.ts';

export const NOTIFY_EVENT_SCHEMA = 'urn:ietf:params:scim:schemas:notify:2.0:Event';

/** The published body; never carries `values` (IntArk wants thin messages). */
export interface ScimNotifyEvent {
  schemas: [typeof NOTIFY_EVENT_SCHEMA];
  resourceUris: string[];
  type: 'CREATE' | 'MODIFY';
  attributes?: string[];
}

/** Parses a notify-topic value; `{ ok: false, reason }` when it is not a valid NotifyRecord. Never throws. */
export function parseNotifyRecord(value: Buffer | null): { ok: true; record: NotifyRecord } | { ok: false; reason: string } {
  if (value === null) return { ok: false, reason: 'notify record has no value (tombstone)' };
  let json: unknown;
  try {
    json = parseJsonValue(value);
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
