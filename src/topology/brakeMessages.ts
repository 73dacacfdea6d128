/**
 * Records on the brake topic (`<app>-brake-repartition`). Every record has the key `brake`, so one
 * task (one partition) sees them all and judges blocks across the whole deployment. Control records
 * from the admin API are written to every partition (the producer's partitioner does not matter);
 * the task that holds the group acts on them, the others ignore them.
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

/** A group of proposed blocks with one cause, as kept in the brake store under `group:<id>`. */
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

/** One member of a group, under `member:<id>|<employeeId>`. */
export type BrakeMember = Omit<BlockProposal, 'type' | 'causeKey'>;

/** Store keys of the brake store. */
export const brakeKeys = {
  group: (id: string) => `group:${id}`,
  member: (id: string, employeeId: string) => `member:${id}|${employeeId}`,
  memberPrefix: (id: string) => `member:${id}|`,
  open: (causeKey: string) => `open:${causeKey}`,
  census: (partition: number) => `census:${String(partition).padStart(5, '0')}`,
  approved: (atMs: number, id: string) => `approved:${String(atMs).padStart(15, '0')}|${id}`,
  seq: 'seq',
} as const;

export function brakeTopic(appId: string): string {
  return `${appId}-brake-repartition`;
}
