/**
 * The drivers' tags summed up for an operator, without I/O: per destination how many changes are
 * complete, failed or retrying, and which failed changes are still parked — a failed change stays
 * parked until its account has a complete tag at that destination for it or a later version (a
 * later change carries the whole account, so it repairs the failed one).
 */
import type { ChangeStatus } from '../../topology/contracts/changeStatus.ts';

export interface DestinationTags {
  complete: number;
  failed: number;
  retrying: number;
  /** Failed changes not yet repaired by a later complete one, oldest first. */
  parked: ChangeStatus[];
  /** Changes waiting for the destination right now. */
  waiting: ChangeStatus[];
}

export function summarizeTags(tags: Iterable<ChangeStatus>): Map<string, DestinationTags> {
  const out = new Map<string, DestinationTags>();
  /** destination → account → highest complete version. */
  const completeUpTo = new Map<string, Map<string, number>>();
  const failed: ChangeStatus[] = [];
  for (const t of tags) {
    const d = out.get(t.destination) ?? { complete: 0, failed: 0, retrying: 0, parked: [], waiting: [] };
    out.set(t.destination, d);
    d[t.state]++;
    if (t.state === 'failed') failed.push(t);
    if (t.state === 'retrying') d.waiting.push(t);
    if (t.state === 'complete') {
      const byAccount = completeUpTo.get(t.destination) ?? new Map<string, number>();
      completeUpTo.set(t.destination, byAccount);
      byAccount.set(t.accountId, Math.max(byAccount.get(t.accountId) ?? 0, t.version));
    }
  }
  for (const t of failed) {
    if ((completeUpTo.get(t.destination)?.get(t.accountId) ?? 0) < t.version) out.get(t.destination)!.parked.push(t);
  }
  for (const d of out.values()) d.parked.sort((a, b) => a.at.localeCompare(b.at));
  return out;
}
