/**
 * When a change that waits for its destination gets a new `retrying` tag: on the first failed
 * attempt, when the error says something new, and otherwise at most once per interval — so the
 * publisher sees that it waits and why, without a tag (and a status event) per attempt.
 */
import type { ChangeStatus } from '../../../src/topology/contracts/changeStatus.ts';

export interface LastRetryTag { error: string; at: number }

/** Whether a `retrying` tag is due now for a change whose last such tag is `last` (null: none yet). */
export function retryingTagDue(last: LastRetryTag | null, error: string, now: number, everyMs: number): boolean {
  if (last === null) return true;
  if (last.error !== error) return true;
  return now - last.at >= everyMs;
}

/** The tag of a change at a destination. */
export function changeTag(args: {
  changeId: string; accountId: string; version: number; destination: string; messageId: string | null; at: number;
} & ({ state: 'complete'; attempts: number } | { state: 'failed'; attempts: number; error: string } | { state: 'retrying'; attempts: number; error: string; nextAttemptAt: number })): ChangeStatus {
  const base = {
    changeId: args.changeId, accountId: args.accountId, version: args.version, destination: args.destination,
    state: args.state, attempts: args.attempts, messageId: args.messageId, at: new Date(args.at).toISOString(),
  };
  if (args.state === 'complete') return base;
  if (args.state === 'failed') return { ...base, error: args.error };
  return { ...base, error: args.error, nextAttemptAt: new Date(args.nextAttemptAt).toISOString() };
}
