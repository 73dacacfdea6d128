/**
 * The publisher's view reads four topics through local indexes (read-only replicas, like explain's),
 * each keyed so that one message id or one change id is a prefix range:
 *   tags    change-status topic  `tag|<changeId>|<destination>` → the tag;  `msg|<messageId>|<changeId>` → the change;
 *                                a validation tag under `vmsg|<messageId>|` (a published profile's verdict),
 *                                a matching tag under `mmsg|<messageId>|` (held for an operator, released)
 *   audit   audit topic          `msg|<messageId>|<partition>|<offset>` → the decision; `change|<changeId>` → the decision that made it
 *   raw     raw DFØ topic        `msg|<messageId>|<partition>|<offset>` → where the accepted message is
 *   dlq     dead-letter topic    `msg|<messageId>|<partition>|<offset>` → why the ingress, the publisher input or the validation step rejected it
 *   profiles raw profile topic   `msg|<messageId>|<partition>|<offset>` → where the published profile is (with publishers only)
 * Message ids are URI-encoded in keys, so an id holding `|` never reads as another's prefix.
 * The mappings are pure (tested on their own); a record they cannot read maps to nothing.
 */
import { parseJsonValue } from '../../common/wireFormat.ts';
import type { ReplicaMapping, ReplicaWrite } from '../../runtime/replicas/replicaStore.ts';
import { changeStatusSchema, matchingTagSchema, validationTagSchema } from '../../topology/contracts/changeStatus.ts';
import { publisherMessageId } from '../../topology/contracts/messages.ts';
import { PERSON_KEY } from '../../topology/contracts/directory.ts';

/** A decision as the publisher sees it (from the audit record). */
export interface DecisionSummary {
  employeeId: string;
  accountId: string | null;
  decision: string;
  rule: string;
  at: string;
  cause: { kind: string; id: string };
  /** The change it made (the notify event), if any. */
  change: { changeId: string; type: 'CREATE' | 'MODIFY' } | null;
  messageId: string | null;
}

export interface AcceptedMessage { kind: string; id: string; receivedAt: string | null; routingKey: string | null; raw: string }
export interface RejectedMessage {
  reason: string; receivedAt: string | null; routingKey: string | null; dlq: string;
  /** Who refused a published profile: the publisher input (it was never stored) or the validation step. Absent: the DFØ ingress. */
  by?: 'publish' | 'validation';
}

export const msgKey = (messageId: string) => `msg|${encodeURIComponent(messageId)}|`;
/** Where a message's validation tag is (a published profile's). */
export const validationKey = (messageId: string) => `v${msgKey(messageId)}`;
/** A published profile's latest matching tag (held for an operator, released). */
export const matchingKey = (messageId: string) => `m${msgKey(messageId)}`;
const at = (partition: number, offset: bigint) => `${String(partition).padStart(4, '0')}|${String(offset).padStart(20, '0')}`;
const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const parse = (value: Buffer): any => {
  try {
    return parseJsonValue(value);
  } catch {
    return null;
  }
};
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The change-status topic: each tag by change, and the change under its cause's message id. */
export const tagsIndex: ReplicaMapping = (r) => {
  if (r.value === null) {
    const [changeId, destination] = r.key.split('|');
    return changeId && destination ? [[`tag|${changeId}|${destination}`, null]] : [];
  }
  const value = parse(r.value);
  const tag = changeStatusSchema.safeParse(value);
  if (!tag.success) {
    const v = validationTagSchema.safeParse(value);
    if (v.success) return [[validationKey(v.data.messageId), r.value]];
    const m = matchingTagSchema.safeParse(value);
    return m.success ? [[matchingKey(m.data.messageId), r.value]] : [];
  }
  const t = tag.data;
  const out: ReplicaWrite[] = [[`tag|${t.changeId}|${t.destination}`, r.value]];
  if (t.messageId) out.push([`${msgKey(t.messageId)}${t.changeId}`, json({ changeId: t.changeId, accountId: t.accountId, version: t.version })]);
  return out;
};

/** The audit topic: each decision under its cause's message id (or the message its username claim came from), and under the change it made. */
export const auditIndex: ReplicaMapping = (r) => {
  // Persons are keyed by employee id, or p-<uuid> when first known from a publisher; reconcile runs by `reconcile:<run>`.
  if (r.value === null || !PERSON_KEY.test(r.key)) return [];
  const v = parse(r.value);
  if (!v || typeof v !== 'object' || !v.cause) return [];
  const messageId = str(publisherMessageId(v.cause));
  const eventId = str(v.notify?.eventId) ?? str(v.notifyEventId);
  const summary: DecisionSummary = {
    employeeId: r.key, accountId: str(v.accountId), decision: String(v.decision), rule: String(v.rule), at: String(v.at),
    cause: { kind: String(v.cause.kind), id: String(v.cause.id) },
    change: eventId ? { changeId: eventId, type: v.notify?.type === 'CREATE' || (!v.notify && v.decision === 'create') ? 'CREATE' : 'MODIFY' } : null,
    messageId,
  };
  const out: ReplicaWrite[] = [];
  if (messageId) out.push([`${msgKey(messageId)}${at(r.partition, r.offset)}`, json(summary)]);
  if (eventId) out.push([`change|${eventId}`, json(summary)]);
  return out;
};

/** The raw topic: every accepted DFØ message under its message id (reconciliation's events have none). */
export function rawIndex(topic: string): ReplicaMapping {
  return (r) => {
    if (r.value === null) return [];
    const v = parse(r.value);
    const messageId = str(v?.source?.messageId);
    if (!messageId) return [];
    const accepted: AcceptedMessage = { kind: String(v.kind), id: String(v.id), receivedAt: str(v.receivedAt), routingKey: str(v.source?.routingKey), raw: `${topic}[${r.partition}]@${r.offset}` };
    return [[`${msgKey(messageId)}${at(r.partition, r.offset)}`, json(accepted)]];
  };
}

/** The dead-letter topic's records of a message that was sent to us: refused at the DFØ ingress or the publisher input, or by validation. */
const MESSAGE_SOURCES = new Set(['ingress', 'publish', 'validation']);

/** The dead-letter topic: every message the ingress, the publisher input or the validation step rejected, under its message id. */
export function dlqIndex(topic: string): ReplicaMapping {
  return (r) => {
    if (r.value === null) return [];
    const v = parse(r.value);
    const messageId = str(v?.messageId);
    if (!messageId || !MESSAGE_SOURCES.has(v?.source)) return [];
    const rejected: RejectedMessage = {
      reason: String(v.reason), receivedAt: str(v.receivedAt), routingKey: str(v.routingKey), dlq: `${topic}[${r.partition}]@${r.offset}`,
      ...(v.source !== 'ingress' ? { by: v.source as 'publish' | 'validation' } : {}),
    };
    return [[`${msgKey(messageId)}${at(r.partition, r.offset)}`, json(rejected)]];
  };
}

/** The raw profile topic: every published profile under its message id (the record's key says whose). */
export function profilesIndex(topic: string): ReplicaMapping {
  return (r) => {
    if (r.value === null) return [];
    const v = parse(r.value);
    const messageId = str(v?.messageId);
    if (!messageId) return [];
    const accepted: AcceptedMessage = { kind: 'profile', id: r.key, receivedAt: str(v.receivedAt), routingKey: str(v.publisher), raw: `${topic}[${r.partition}]@${r.offset}` };
    return [[`${msgKey(messageId)}${at(r.partition, r.offset)}`, json(accepted)]];
  };
}
