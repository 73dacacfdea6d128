/**
 * The topology's own messages (JSON), and the cause every one of them carries to the audit record.
 *
 *   person events    topic `<app>-person-events-repartition`, key the person key, value PersonEvent.
 *                    The person key is the employee id for a person DFØ knows first, and `p-<uuid>`
 *                    for a person first known from a publisher (directory.ts); message fields named
 *                    `employeeId` hold the person key.
 *                    Written by the dfo-events step (A: employee-changed, holder), the person
 *                    directory (G: source-profile, directory) and the person step itself (B:
 *                    dfo-side, a DFØ person's facts handed to the person it turned out to be;
 *                    sponsor-watch and sponsor-status, between a guest's and the sponsor's person);
 *                    read by the person step (B). (username-granted and brake-verdict came here
 *                    before account inputs had their own topic; the person step still reads them.)
 *   account inputs   topic `<app>-account-inputs-repartition`, key the person key, value AccountInput
 *                    (username-granted from the registry, C; brake-verdict from the brake, D); read
 *                    by the account-inputs step (B), which hands them straight to the account step.
 *   username claims  topic `<app>-username-claims-repartition`, key the name stem, value
 *                    UsernameClaim. Written by the account step (B) and by the registry (C) when it
 *                    passes a claim on to the next namespace; read by the registry, which validates
 *                    each with `usernameClaimSchema` (claims of older versions share the topic).
 *   person updates   no topic: what the person step hands the account step within a task
 *                    (PersonUpdate).
 */
import { z } from 'zod';
import type { BrakeVerdict } from '../../iga/brake.ts';
import type { Affiliation, DateRange, Employee } from '../../iga/model.ts';
import type { SourceFacts, SourcesOfPerson, SponsorStanding } from '../../iga/sources.ts';
import { STEM_PATTERN } from '../../iga/username.ts';
import type { UsernameNamespace, UsernameScheme } from '../../iga/usernameNamespaces.ts';
import type { RecordOrigin } from '../../runtime/api/index.ts';
import { DFO_RESOURCES, type DfoResource } from './raw.ts';

/** What caused a change, carried to the audit record: the raw event and its AMQP message id. */
export interface Cause {
  /**
   * `policy`: every person re-evaluated because the policy version changed (`id` = the new version).
   * `profile`: a publisher's profile (`id` = the publisher's message id). `directory`: the person
   * directory's answer to a DFØ person's registration (`via` = the cause of the registration), or
   * with `id` `backfill` the one pass that hands on every DFØ person when publishers are switched on.
   */
  kind: DfoResource | 'timer' | 'username' | 'reconcile' | 'policy' | 'profile' | 'directory';
  id: string;
  amqpMessageId: string | null;
  raw: RecordOrigin | null;
  /** For a username grant: the cause of the claim it answers (e.g. the DFØ event that made the person eligible). */
  via?: Omit<Cause, 'via'>;
  /** Set when the event was replayed by reprocess (`raw` is then the copy): the original raw record. */
  replayOf?: RecordOrigin;
  /** The reprocess run that replayed it (with `replayOf`). */
  replayRun?: string;
  /** For a published profile an operator released from the person directory's hold: who (`admin client <name>`). */
  releasedBy?: string;
}

/**
 * The publisher's message id behind a cause: its AMQP message id (DFØ), or a published profile's
 * message id (kind `profile`), its own or that of the cause it came `via` (a create that waited for its
 * username, a directory answer). The publisher's view finds decisions and changes by it.
 */
export function publisherMessageId(cause: { kind: string; id: string; amqpMessageId: string | null; via?: { kind: string; id: string; amqpMessageId: string | null } }): string | null {
  const own = (c: { kind: string; id: string; amqpMessageId: string | null }) => c.amqpMessageId ?? (c.kind === 'profile' ? c.id : null);
  return own(cause) ?? (cause.via ? own(cause.via) : null);
}

/** A DFØ response a decision used: which resource, which id, and the body (or `{ gone: reason }`). */
export interface DfoResponseLink {
  resource: DfoResource;
  id: string;
  response: unknown;
}

const origin = z.object({ topic: z.string(), partition: z.number().int(), offset: z.string() });
const causeWithoutVia = z.object({
  kind: z.enum([...DFO_RESOURCES, 'timer', 'username', 'reconcile', 'policy', 'profile', 'directory']),
  id: z.string(),
  // Absent in the oldest audit records.
  amqpMessageId: z.string().nullable().default(null),
  raw: origin.nullable().default(null),
  replayOf: origin.optional(),
  replayRun: z.string().optional(),
  releasedBy: z.string().optional(),
});
/** A Cause as read back from a record or a store. */
export const causeSchema = causeWithoutVia.extend({ via: causeWithoutVia.optional() });
export const dfoResponseLinkSchema = z.object({ resource: z.enum(DFO_RESOURCES), id: z.string(), response: z.unknown() });

/** Person events (key employee id). */
export type PersonEvent =
  | { type: 'employee-changed'; employeeId: string; cause: Cause }
  | { type: 'holder'; employeeId: string; positionId: string; ranges: DateRange[]; cause: Cause; dfoResponse: unknown }
  | { type: 'username-granted'; employeeId: string; userName: string; claimCause?: Cause }
  /** The mass-change brake's answer about a proposed block (brake.ts); cause/dfoResponses are the proposal's. */
  | { type: 'brake-verdict'; employeeId: string; verdict: BrakeVerdict; cause: Cause; dfoResponses: DfoResponseLink[] }
  /** A publisher's accepted profile, matched to this person by the directory; the governed attributes only, never the nin. */
  | { type: 'source-profile'; employeeId: string; publisher: string; facts: SourceFacts; cause: Cause }
  /**
   * The directory's answer to a DFØ person's registration of its nin: `owner` — the nin is this
   * person's; `merged` — it belongs to `person`, a person first known from a publisher, whose DFØ
   * side this person becomes; `conflict` — it belongs to `person`, and both already have accounts
   * (the two stay apart; README "One person across sources").
   */
  | { type: 'directory'; employeeId: string; result: 'owner' | 'merged' | 'conflict'; person: string; cause: Cause }
  /** A guest's person asks the sponsor's (key the sponsor's employee number) to tell it, now and on every change, whether the sponsor is an active employee. */
  | { type: 'sponsor-watch'; employeeId: string; guest: string; cause: Cause }
  /** The sponsor's answer to a guest's person (key the guest's person key); `cause`: what changed at the sponsor. */
  | { type: 'sponsor-status'; employeeId: string; sponsor: string; active: boolean; cause: Cause }
  /** A DFØ person's facts, handed to the person it is the DFØ side of (`from`: its employee id). */
  | { type: 'dfo-side'; employeeId: string; from: string; employee: Employee | null; affiliations: Affiliation[]; dfoEmployee?: unknown; cause: Cause; dfoResponses: DfoResponseLink[] };

/**
 * Account inputs (key the person key): a username grant from the registry (C) and the brake's
 * verdict (D), which go straight to the account step (B). Person events of the same types, written
 * before this topic existed, are still handled by the person step.
 */
export type AccountInput = Extract<PersonEvent, { type: 'username-granted' | 'brake-verdict' }>;

/**
 * A username claim (key the stem). The account processor writes the
 * first, for the default stem; the registry passes a claim on to the next namespace of `fallbacks`
 * when its own has no free name left (src/iga/usernameNamespaces.ts).
 */
export interface UsernameClaim {
  stem: string;
  /** How names of `stem` are formed; absent means `counter` (claims from before fallbacks have none). */
  scheme?: UsernameScheme;
  employeeId: string;
  /** A name granted to this person before; granted again when still theirs. */
  preferred?: string;
  /** The cause of the decision that claimed the name; travels back with the grant for the audit. */
  cause?: Cause;
  /**
   * The namespaces still to try, in order, after this one. Absent on claims written before
   * fallbacks existed: then only the final fallback of `stem` follows (`finalNamespace`).
   */
  fallbacks?: UsernameNamespace[];
}

const usernameNamespaceSchema = z.object({ stem: z.string().regex(STEM_PATTERN), scheme: z.enum(['counter', 'employee-id']) });

/** A claim as read from the claims topic: checked here, since old and new writers share the topic. */
export const usernameClaimSchema: z.ZodType<UsernameClaim> = z.object({
  stem: z.string().regex(STEM_PATTERN),
  scheme: z.enum(['counter', 'employee-id']).optional(),
  employeeId: z.string().min(1),
  preferred: z.string().optional(),
  cause: z.custom<Cause>((v) => typeof v === 'object' && v !== null).optional(),
  fallbacks: z.array(usernameNamespaceSchema).optional(),
});

/** What the person processor hands the account processor. */
export interface PersonUpdate {
  /** The person key (the employee id for DFØ persons, `p-…` for persons first known from a publisher). */
  employeeId: string;
  employee: Employee | null;
  affiliations: Affiliation[];
  cause: Cause;
  grant?: { userName: string };
  /** Every DFØ response this change rests on (e.g. the position and, for a new holder, the employee). */
  dfoResponses: DfoResponseLink[];
  /** The mass-change brake's verdict on a block proposed earlier (only on a `brake-verdict` event). */
  brake?: BrakeVerdict;
  /** Each publisher's latest facts for the person (absent: DFØ alone). */
  sources?: SourcesOfPerson;
  /** Where a DFØ person's nin stands in the person directory (absent: not registered, or no publishers). */
  directory?: PersonDirectoryStatus;
  /** A guest's sponsor, as the sponsor's person last said (absent: no guest stay). */
  sponsor?: SponsorStanding;
}

/** A DFØ person's standing in the person directory (PersonState.directory). */
export type PersonDirectoryStatus =
  | { status: 'owner' }
  | { status: 'merged'; into: string }
  | { status: 'conflict'; with: string };
