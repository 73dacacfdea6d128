/**
 * The brake topic `<app>-brake-repartition` (kept a week). Key: always `brake` (BRAKE_KEY), so one
 * task (one partition) sees every record and judges blocks across the whole deployment. Value a
 * BrakeRecord as JSON.
 *
 * Writers: the account step (sub-topology B): a BlockProposal per block the account rules want,
 * and its task's AccountCensus when its count of active accounts changed; the brake's admin API
 * (src/features/brake): a BrakeControl, written to every partition (the producer's partitioner
 * does not matter). Reader: the brake (sub-topology D); the task that holds a controlled group
 * acts on the control, the others ignore it. The brake's store is in stores.ts.
 */
import type { Cause, DfoResponseLink } from './messages.ts';

/** The one key of every brake record. */
export const BRAKE_KEY = 'brake';

/** A block the account rules want, proposed by the account processor. */
export interface BlockProposal {
  type: 'proposal';
  causeKey: string;
  employeeId: string;
  accountId: string;
  userName: string;
  cause: Cause;
  dfoResponses: DfoResponseLink[];
  at: string;
}

/** Active accounts in one account task, sent when it changes. */
export interface AccountCensus { type: 'census'; partition: number; active: number; at: string }

/** An operator's decision about a held group (admin API). */
export interface BrakeControl { type: 'release' | 'discard'; group: string; by: string; at: string }

export type BrakeRecord = BlockProposal | AccountCensus | BrakeControl;
