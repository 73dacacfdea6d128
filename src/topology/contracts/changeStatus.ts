/**
 * The change-status topic `<app>.iga.change-status` (compacted): what became of each change at each
 * destination — CIS's tags. A change is one account version; its id is the notify event id,
 * `<accountId>:v<version>`. Key `<changeId>|<destination>`, so every destination keeps its own
 * latest tag for a change (a key per change alone would let one destination's tag replace
 * another's); value a ChangeStatus as JSON. Compaction keeps the latest tag per key.
 *
 * Writers: the change drivers (one destination each: `ldap`, `keycloak`), as a change's tag moves
 * from `retrying` to `complete` or `failed`; the validation step (destination `validation`), once per
 * published profile: `valid` or `invalid` with every reason (ValidationTag below, change id
 * `profile:<messageId>`); the person directory (destination `matching`): a profile it holds for an
 * operator, and its release (MatchingTag).
 * Readers: the publisher's view (`GET /changes/…`), the status exchange (`ex_iga_status`, 24-hour
 * message lifetime) and the drivers' operator commands (failed and parked changes). A reader of
 * driver tags parses with `changeStatusSchema`, which a validation tag does not pass (its states
 * are not a driver's), so the drivers never see one; `validationTagSchema` reads those.
 */
import { z } from 'zod';

/** What a destination did with a change. */
export type ChangeState =
  /** The destination holds this version (or a newer one: an older version is never applied over it). */
  | 'complete'
  /** The destination refused this account's data (its error is kept); parked until retried by an operator. */
  | 'failed'
  /** The destination was down or slow; the driver tries again (attempts, next try). */
  | 'retrying';

export interface ChangeStatus {
  /** `<accountId>:v<version>`, the notify event id. */
  changeId: string;
  accountId: string;
  version: number;
  /** The destination (driver) name, e.g. `ldap`, `keycloak`. */
  destination: string;
  state: ChangeState;
  /** Attempts so far (1 for a first try that succeeded). */
  attempts: number;
  /** The destination's error (failed, retrying). */
  error?: string;
  /** ISO time of the next try (retrying). */
  nextAttemptAt?: string;
  /** The publisher's message id of the change's cause (the DFØ notification's AMQP message id), or null. */
  messageId: string | null;
  /** ISO time the tag was set. */
  at: string;
}

export const changeStatusSchema = z.object({
  changeId: z.string().regex(/^.+:v\d+$/),
  accountId: z.string().min(1),
  version: z.number().int().positive(),
  destination: z.string().regex(/^[a-z][a-z0-9-]*$/),
  state: z.enum(['complete', 'failed', 'retrying']),
  attempts: z.number().int().min(1),
  error: z.string().optional(),
  nextAttemptAt: z.string().datetime({ offset: true }).optional(),
  messageId: z.string().nullable(),
  at: z.string().datetime({ offset: true }),
});

/** The key of a change's tag at one destination. */
export function changeStatusKey(changeId: string, destination: string): string {
  return `${changeId}|${destination}`;
}

/** `<accountId>:v<version>`: a change's id, the same string as the notify event id. */
export function changeId(accountId: string, version: number): string {
  return `${accountId}:v${version}`;
}

/** The destination name of the validation step's tags. */
export const VALIDATION_DESTINATION = 'validation';

/** What the validation step made of one published profile (CIS: "validate changes and syntax, add tag back to queue"). */
export interface ValidationTag {
  /** `profile:<messageId>` (profileChangeId). */
  changeId: string;
  destination: typeof VALIDATION_DESTINATION;
  state: 'valid' | 'invalid';
  /** Every reason it was refused (empty when valid), each naming the field or attribute. */
  reasons: string[];
  publisher: string;
  /** The publisher's message id. */
  messageId: string;
  /** The authority policy's version (the publishers file). */
  policyVersion: string;
  /** Where the raw record is (`<topic>[<partition>]@<offset>`), and for an invalid one its dead letter's key. */
  raw: string | null;
  at: string;
}

export const validationTagSchema = z.object({
  changeId: z.string().startsWith('profile:'),
  destination: z.literal(VALIDATION_DESTINATION),
  state: z.enum(['valid', 'invalid']),
  reasons: z.array(z.string()),
  publisher: z.string().min(1),
  messageId: z.string().min(1),
  policyVersion: z.string(),
  raw: z.string().nullable(),
  at: z.string().datetime({ offset: true }),
});

/** The destination name of the person directory's tags (a profile held for an operator, and its release). */
export const MATCHING_DESTINATION = 'matching';

/**
 * What the person directory made of a published profile it could not match on its own: `held` for an
 * operator with the reason (never the nin) and the candidate persons; `released` once an operator
 * chose the person (`person`, by `by`). A profile matched on its own gets no tag.
 */
export interface MatchingTag {
  /** `profile:<messageId>` (profileChangeId). */
  changeId: string;
  destination: typeof MATCHING_DESTINATION;
  state: 'held' | 'released';
  reasons: string[];
  candidates: string[];
  publisher: string;
  messageId: string;
  /** The person it was released to. */
  person?: string;
  /** Who released it: `admin client <name>`. */
  by?: string;
  at: string;
}

export const matchingTagSchema = z.object({
  changeId: z.string().startsWith('profile:'),
  destination: z.literal(MATCHING_DESTINATION),
  state: z.enum(['held', 'released']),
  reasons: z.array(z.string()),
  candidates: z.array(z.string()),
  publisher: z.string().min(1),
  messageId: z.string().min(1),
  person: z.string().optional(),
  by: z.string().optional(),
  at: z.string().datetime({ offset: true }),
});

/** A published profile's change id: the message id, URI-encoded so a `|` in it never splits the topic key. */
export function profileChangeId(messageId: string): string {
  return `profile:${encodeURIComponent(messageId)}`;
}
