/**
 * Types of the account decider (`accountDecision.ts`): the per-person account state, what a
 * decision looks at, and the decisions it returns. The reason travels with every decision so the
 * audit topic can explain it later.
 */
import type { Account, Affiliation, Employee, IsoDate } from './model.ts';
import type { Policy } from './policy.ts';
import type { PersonNames, SourceAffiliation, SponsorStanding } from './sources.ts';
import type { UsernameNamespace } from './usernameNamespaces.ts';

/** A person's account state, kept in the account store under the employee id. */
export type AccountState =
  /** No account. `reservedUserName`: a name granted earlier that was not used; claim it first next time. */
  | { status: 'none'; reservedUserName?: string }
  /** A username claim is in flight since `since` (ISO). */
  | { status: 'pending'; stem: string; since: string; preferredUserName?: string }
  | { status: 'issued'; account: Account };

/** Everything a decision looks at; `today` and `now` come from the caller's clock. */
export interface DecisionInput {
  /** The stored employee; null when DFØ does not (or no longer) know the person. */
  employee: Employee | null;
  /** All of the person's affiliations (active or not). */
  affiliations: Affiliation[];
  /** Today in Europe/Oslo. */
  today: IsoDate;
  /** The current instant, ISO 8601; becomes `created`/`lastModified`. */
  now: string;
  policy: Policy;
  /** Domain of userName/email/eppn, e.g. 'uib.no'. */
  emailDomain: string;
  /**
   * The person's key when it is not the employee's id: a person first known from a publisher
   * (`p-…`), whose DFØ side (if any) is `employee`. Absent: the employee id is the key (DFØ persons).
   */
  personId?: string;
  /** What the publishers say (sources.ts): their affiliations and the names merged by authority. Absent: DFØ alone. */
  sources?: { affiliations: SourceAffiliation[]; names: PersonNames | null; sponsor?: SponsorStanding | null; studentNumber?: string | null };
}

/** Which rule produced a decision. */
export type DecisionRule =
  | 'request-username'
  /** A DFØ person with a nin waits for the person directory before it claims a username (with publishers). */
  | 'awaiting-directory'
  | 'not-eligible'
  | 'awaiting-username'
  | 'awaiting-username-not-eligible'
  | 'create-granted'
  | 'grant-not-needed'
  | 'grant-already-issued'
  | 'block-not-eligible'
  | 'reactivate-eligible'
  | 'modify-attributes'
  | 'up-to-date'
  /** The mass-change brake (brake.ts): a block proposed, awaiting a verdict, held, or discarded. */
  | 'block-proposed'
  | 'block-awaiting-brake'
  | 'block-held'
  | 'block-discarded';

/** Why a decision was taken, for the audit topic and the explain API. */
export interface DecisionReason {
  rule: DecisionRule;
  /** One human-readable sentence naming the facts that decided. */
  detail: string;
  /** The affiliations that counted as active (policy offsets applied). */
  activeAffiliations: Affiliation[];
  /** The publishers' affiliations that counted (absent when the person has no source but DFØ). */
  activeSourceAffiliations?: SourceAffiliation[];
  policyVersion: string;
  today: IsoDate;
  /** The instant of the decision (ISO). */
  now: string;
}

/** SCIM attribute names as they appear in notify events' `attributes`. */
export type ScimAttribute =
  | 'active'
  | 'displayName'
  | 'name.givenName'
  | 'name.familyName'
  | 'name.formatted'
  | 'emails'
  | 'userName'
  | 'no:edu:scim:user:employeeNumber'
  | 'no:edu:scim:user:studentNumber'
  | 'no:edu:scim:user:eduPersonAffiliation'
  | 'no:edu:scim:user:eduPersonPrincipalName';

/** Decisions about an issued account that change it; `previous` is the account before. */
interface AccountChange<K extends string> {
  kind: K;
  account: Account;
  previous: Account;
  /** The SCIM attributes that changed, in a fixed order; never empty. */
  changed: ScimAttribute[];
  reason: DecisionReason;
}

/** What to do about a person's account. */
export type AccountDecision =
  /** Nothing to do. `reservedUserName`: a granted name that was not used stays with the person. */
  | { kind: 'none'; reason: DecisionReason; reservedUserName?: string }
  /**
   * Claim a username: try `preferredUserName` first (already the person's), else candidates of
   * `stem`, then of each of `fallbacks` in order (usernameNamespaces.ts).
   */
  | { kind: 'request-username'; stem: string; fallbacks: UsernameNamespace[]; requestedAt: string; preferredUserName?: string; reason: DecisionReason }
  /** Issue the account (only from `onUsernameGranted`); emits CREATE. */
  | { kind: 'create'; account: Account; reason: DecisionReason }
  /** active → false (may carry other changes too); emits MODIFY. */
  | AccountChange<'block'>
  /** active → true with the same id and userName; emits MODIFY. */
  | AccountChange<'reactivate'>
  /** Other SCIM-visible attributes changed; emits MODIFY. */
  | AccountChange<'modify'>;
