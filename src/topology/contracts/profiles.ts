/**
 * The profile topics (README "Publishers"):
 *
 *   profilesRaw    `<app>.profiles.raw`    key `<publisher>:<sourceId>` (or `<publisher>:msg:<messageId>`
 *                  when the item names no usable sourceId), value RawProfile; kept forever like DFØ's raw topic.
 *                  Writer: the publisher input (connectors/publish), one record per profile, before its
 *                  201 or ack. Readers: the validation step (sub-topology E), the publisher's view.
 *   profilesValid  `<app>.profiles.valid`  key `<publisher>:<sourceId>`, value ValidProfile: what passed
 *                  schema, signature and authority. Writer: the validation step. Readers: the steps that
 *                  match a profile to a person and give it affiliations.
 *
 * A profile that fails validation goes to the dead-letter topic (deadLetter.ts, source `validation`,
 * with its original bytes) and is tagged `invalid` on the change-status topic (changeStatus.ts).
 */
import { z } from 'zod';
import type { PublisherProfile } from './publisherProfiles.ts';
import { SOURCE_ID } from './publisherProfiles.ts';

/** Header of profile records: the publisher's message id, kept end to end. */
export const PROFILE_HEADERS = { messageId: 'iga-message-id', publisher: 'iga-publisher' } as const;

/** One profile as received, before any check but the input's byte limits. */
export interface RawProfile {
  publisher: string;
  /** The publisher's message id (its own, or one the input gave it and answered with). */
  messageId: string;
  /** ISO time the input received it. */
  receivedAt: string;
  source: { transport: 'http' | 'amqp'; exchange: string | null; routingKey: string | null; contentType: string | null };
  /** The item as sent: a profile object, or a compact JWS whose payload is one. */
  item: unknown;
  /** The item's bytes exactly as sent, base64 (kept on the dead-letter topic if it is refused). */
  bytesBase64: string;
}

export const rawProfileSchema = z.object({
  publisher: z.string().min(1),
  messageId: z.string().min(1),
  receivedAt: z.string(),
  source: z.object({ transport: z.enum(['http', 'amqp']) }).passthrough(),
  item: z.unknown(),
  bytesBase64: z.string(),
}).passthrough();

/** A profile that passed validation, as the later steps read it. */
export interface ValidProfile {
  publisher: string;
  messageId: string;
  receivedAt: string;
  sourceId: string;
  profile: PublisherProfile;
  /** The key id that verified its signature, or null for a publisher without keys. */
  signedBy: string | null;
  /** The authority policy's version that allowed it. */
  policyVersion: string;
  validatedAt: string;
  /** Where the raw record is: `<topic>[<partition>]@<offset>`. */
  raw: string | null;
}

/** The raw profile topic's key: by the publisher's id for the person when the item has a usable one. */
export function rawProfileKey(publisher: string, sourceId: unknown, messageId: string): string {
  return typeof sourceId === 'string' && SOURCE_ID.test(sourceId) ? `${publisher}:${sourceId}` : `${publisher}:msg:${messageId}`;
}

/** The valid profile topic's key. */
export function validProfileKey(p: Pick<ValidProfile, 'publisher' | 'sourceId'>): string {
  return `${p.publisher}:${p.sourceId}`;
}
