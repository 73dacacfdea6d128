/**
 * The notify topic `<app>.iga.notify` (kept four weeks). Key the account id; value a NotifyRecord
 * as JSON: one account change that SCIM clients are told about.
 *
 * Writer: the account step (sub-topology B), one record per created or changed account.
 * Readers: the egress connector (connectors/egress), which validates each value with
 * `notifyRecordSchema` (an invalid one is dead-lettered) and publishes the thin SCIM notify event
 * to RabbitMQ with `eventId` as the AMQP message id; and the change drivers (LDAP, identity
 * provider), which take each change in per-account order — `eventId` is the change id their
 * status records are keyed by, `account` the state to propagate, `cause` the publisher's message.
 * Records written before `account` and `cause` existed lack them.
 */
import { z } from 'zod';
import type { Account } from '../../iga/model.ts';
import { accountSchema } from './accounts.ts';
import { publisherMessageId } from './messages.ts';

export interface NotifyRecord {
  /** Stable id of this event, `${accountId}:v${version}`; becomes the AMQP message id. */
  eventId: string;
  type: 'CREATE' | 'MODIFY';
  accountId: string;
  /** Absolute SCIM location of the account (resourceUri below), e.g. `https://gw-uib.intark.uh-it.no/iga/scim/v2/Users/<id>`. */
  resourceUri: string;
  /** Changed SCIM attribute names (MODIFY only; ignored on CREATE). */
  attributes?: string[];
  /** ISO timestamp of the change. */
  occurredAt: string;
  /** The account as of this change (version = the one in `eventId`). */
  account?: Account;
  /** What caused the change; `messageId` is the publisher's message id (the DFØ notification's AMQP message id), or null. */
  cause?: ChangeCause;
}

/** The cause of a change, as the drivers and the publisher's view name it. */
export interface ChangeCause {
  kind: string;
  id: string;
  messageId: string | null;
}

export const notifyRecordSchema = z.object({
  eventId: z.string().min(1),
  type: z.enum(['CREATE', 'MODIFY']),
  accountId: z.string().min(1),
  resourceUri: z.string().url(),
  attributes: z.array(z.string().min(1)).optional(),
  occurredAt: z.string().datetime({ offset: true }),
  account: accountSchema.optional(),
  cause: z.object({ kind: z.string(), id: z.string(), messageId: z.string().nullable() }).optional(),
});

/**
 * `${prefix}/Users/${id}`, a trailing slash on the prefix ignored: the same string as the SCIM
 * API's `meta.location` of the account (src/scim/render.ts `userLocation`; a test holds them equal).
 */
export function resourceUri(resourceUriPrefix: string, accountId: string): string {
  return `${resourceUriPrefix.replace(/\/+$/, '')}/Users/${encodeURIComponent(accountId)}`;
}

/**
 * A decision's cause as a change's cause: the publisher's message id is the cause's own AMQP
 * message id (or a published profile's message id), or for a create that waited for its username,
 * that of the claim's cause (messages.ts publisherMessageId).
 */
export function changeCause(cause: { kind: string; id: string; amqpMessageId: string | null; via?: { kind: string; id: string; amqpMessageId: string | null } }): ChangeCause {
  return { kind: cause.kind, id: cause.id, messageId: publisherMessageId(cause) };
}
