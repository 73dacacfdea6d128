/**
 * Every state store of the topology: the step that owns it, its keys and its values (JSON). A
 * store is local to one task (one input partition) and backed by its compacted changelog
 * `<app>-<store>-changelog`, from which it is restored after a crash or a move. Each store is
 * written only by its step; the operator features read some changelogs as read-only replicas
 * (explain: persons, timers; reconcile: positions, and explain's persons; the brake's admin API: brake).
 *
 *   dfo-events step (A), keyed `<kind>:<id>`
 *     positions        position id → StoredPosition: its holders at the last fetch
 *     deferred         the parking layout (processors/parking.ts), values DeferredRawEvent; also the
 *                      events held until their gyldigEtter day, `<due>|<kind>:<id>:<raw offset>`
 *   person step (B), keyed employee id
 *     persons          employee id → PersonState (the account-inputs step, in the same task, reads it)
 *     timers           `<day>|<employee id>` → TimerEntry: re-evaluate the person on that day;
 *                      `policy` → TimerEntry holding the policy version the timers were computed with;
 *                      `directory-backfill` → when the one pass for the person directory ran (with
 *                      publishers; a letter sorts after every day, so neither is ever due)
 *     person-deferred  the parking layout, values ParkedPersonEvent
 *   account step (B), keyed employee id
 *     accounts         employee id → AccountState (src/iga/accountTypes.ts)
 *     brake-marks      employee id → BrakeMark (src/iga/brake.ts): a block proposed, or discarded
 *   (in B, C, D the key is the person key: the employee id, or `p-…` for a person first known from a publisher)
 *   person directory (G), keyed by a directory key (directory.ts: `nin:<keyed hash>`, `emp:<n>`,
 *                    `acct:<account id>`, `src:<publisher>:<sourceId>`)
 *     person-directory directory key → DirectoryEntry: the person key it belongs to
 *     held-matches     message id → HeldMatch (directory.ts): a profile held for an operator
 *   username registry (C), keyed name stem
 *     usernames        `n:<local>` → the employee id that owns the name; `p:<stem>|<employee id>` →
 *                      the local part granted to that person in that namespace; `s:<stem>` and
 *                      `w:<stem>` → the next free index of the stem's counter and employee-id
 *                      namespaces (UsernameStoreValue)
 *   mass-change brake (D), the one key `brake`
 *     brake            `group:<id>` → BrakeGroup, `member:<id>|<employee id>` → BrakeMember,
 *                      `open:<causeKey>` → the id of the cause's collecting or pending group,
 *                      `census:<partition>` → AccountCensus, `approved:<epoch ms>|<id>` → the number
 *                      of blocks approved then (the sliding window), `seq` → the last group id;
 *                      read and written only through brakeStore.ts, which checks every value
 *
 * The parking layout (processors/parking.ts), in `deferred` and `person-deferred`:
 *   `<due ms, 15 digits>|<key>` → value     due work: the head of a parked key's queue, or an event
 *                                            held until its day
 *   `queue|<key>` → ParkingQueueIndex        the key is parked; `at` is its head's due key
 *   `queue|<key>|<seq, 15 digits>` → value   events waiting behind the head, in arrival order
 *   `queue-format` → ParkingLayoutMarker     the store has this layout
 */
import type { Affiliation, Employee, Holder } from '../../iga/model.ts';
import type { BlockProposal } from './brake.ts';
import type { SourcesOfPerson, SponsorStanding } from '../../iga/sources.ts';
import type { Cause, PersonDirectoryStatus, PersonEvent } from './messages.ts';
import type { RawDfoEventValue } from './raw.ts';

/** Store names. */
export const STORE = {
  positions: 'positions',
  deferred: 'deferred',
  persons: 'persons',
  timers: 'timers',
  personDeferred: 'person-deferred',
  accounts: 'accounts',
  brakeMarks: 'brake-marks',
  usernames: 'usernames',
  brake: 'brake',
  personDirectory: 'person-directory',
  heldMatches: 'held-matches',
} as const;

/** The stores each step is connected to (src/topology/topology.ts). */
export const STEP_STORES = {
  dfoEvents: [STORE.positions, STORE.deferred],
  /** Reads the person step's `persons`, to hand a grant or verdict on with the stored person. */
  accountInputs: [STORE.persons],
  person: [STORE.persons, STORE.timers, STORE.personDeferred],
  account: [STORE.accounts, STORE.brakeMarks],
  usernameRegistry: [STORE.usernames],
  brake: [STORE.brake],
  personDirectory: [STORE.personDirectory, STORE.heldMatches],
} as const;

/** `positions`: a position's holders as DFØ gave them at the last fetch. */
export interface StoredPosition { holders: Holder[]; updatedAt: string }

/** `deferred`: a raw event with its cause, and how often its handling failed. */
export interface DeferredRawEvent { event: RawDfoEventValue; cause: Cause; attempts: number }

/** `persons`: what we know of a person. `employee` null: DFØ says "IKKE ANSATT", or never answered for them. */
export interface PersonState {
  employee: Employee | null;
  affiliations: Affiliation[];
  /** DFØ's answer the employee was mapped from, for the audit (`{ gone: reason }` when gone). */
  dfoEmployee?: unknown;
  updatedAt: string;
  /** Each publisher's latest accepted profile for the person (governed attributes only; never the nin). */
  sources?: SourcesOfPerson;
  /** A DFØ person's standing in the person directory; absent until it registered (only with publishers). */
  directory?: PersonDirectoryStatus;
  /** A person first known from a publisher whose DFØ side joined: that side's employee id. */
  dfoSide?: string;
  /** A guest: its sponsor, and whether the sponsor's person last said it is an active employee (false until it answers). */
  sponsor?: SponsorStanding;
  /** A sponsor: the person keys of the guests it tells of every change of its standing. */
  sponsoring?: string[];
}

/** `person-directory`: whose a directory key is, and since when. */
export interface DirectoryEntry {
  person: string;
  /** Who made the entry: a profile, a DFØ person's registration, or the account step (links). */
  by: 'profile' | 'dfo' | 'account';
  at: string;
  /** For a nin: the employee number of the person's DFØ side, once known (a link naming another is ambiguous). */
  employeeNumber?: string;
}

/** `timers`: the day of a timer (or, under `policy`, the policy version). */
export interface TimerEntry { day: string }

/** `person-deferred`: a person event, and how often its handling failed. */
export interface ParkedPersonEvent { event: PersonEvent; attempts: number }

/** Parking layout: a parked key's queue (`queue|<key>`). */
export interface ParkingQueueIndex { at: string; next: number }

/** Parking layout: the marker `queue-format`. */
export interface ParkingLayoutMarker { version: number }

/** `usernames`: an employee id or a local part (`n:`, `p:`), or a next free index (`s:`, `w:`). */
export type UsernameStoreValue = string | number;

/** `brake`, `group:<id>`: a group of proposed blocks with one cause. */
export interface BrakeGroup {
  id: string;
  causeKey: string;
  /** The cause of the first proposal (for the operator). */
  cause: Cause;
  status: 'collecting' | 'pending';
  size: number;
  openedAt: string;
  heldAt?: string;
  reason?: string;
}

/** `brake`, `member:<id>|<employee id>`: one proposed block of a group. */
export type BrakeMember = Omit<BlockProposal, 'type' | 'causeKey'>;
