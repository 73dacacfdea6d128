/**
 * Operator re-drives, run on the instance asked, through its own destination of the driver:
 * - retry: each parked (failed) change — or the one named — is applied again with the account's
 *   latest state from the account replica; its tag (and the latest change's) becomes complete, or
 *   failed again with the destination's new error.
 * - resync: every account in the replica is applied again (a destination restored from an old
 *   backup, or emptied): the version check writes only what the destination lacks or holds older.
 * A destination that is down stops the run with its error (nothing is skipped: run it again).
 */
import type { AccountChange, ApplyOptions, Destination } from '../../../connectors/drivers/destination.ts';
import { DestinationRefused } from '../../../connectors/drivers/destination.ts';
import { changeTag } from '../../../connectors/drivers/framework/retryTag.ts';
import type { StatusWriter } from '../../../connectors/drivers/framework/statusWriter.ts';
import { destinationAffiliations, type EduPersonAffiliation } from '../../iga/destinationAffiliations.ts';
import type { Account } from '../../iga/model.ts';
import { changeId, type ChangeStatus } from '../../topology/contracts/changeStatus.ts';
import type { ChangesIndex } from '../changes/replicas.ts';

export interface RedriveDeps {
  destination: Destination;
  tags: StatusWriter;
  index: ChangesIndex;
  accounts: { get(id: string): Readonly<Account> | undefined; values(): Iterable<Readonly<Account>>; readonly size: number };
  affiliations: readonly EduPersonAffiliation[];
  clock: () => number;
}

export type Progress = (done: number, total: number, note?: string) => void;

export interface RedriveSummary { total: number; applied: number; unchanged: number; failed: number; skipped: number; failures: Array<{ changeId: string; error: string }> }

/**
 * Applies the account's latest state; returns its outcome and the tags to write (for `also`, the
 * change being re-driven, too). A destination that is down throws (DestinationUnavailable).
 */
export async function applyLatest(deps: RedriveDeps, account: Readonly<Account>, also: ChangeStatus | null, options: ApplyOptions = {}): Promise<{ outcome: 'applied' | 'unchanged' | 'failed'; error?: string; tags: ChangeStatus[] }> {
  const latestId = changeId(account.id, account.version);
  const change: AccountChange = { changeId: latestId, account: { ...account }, affiliations: destinationAffiliations(account, deps.affiliations), cause: null };
  const messageId = (await deps.index.decisionOf(latestId))?.messageId ?? null;
  const base = (id: string, version: number, msg: string | null) => ({ changeId: id, accountId: account.id, version, destination: deps.destination.name, messageId: msg, at: deps.clock() });
  const targets = [{ id: latestId, version: account.version, msg: messageId, attempts: 1 }];
  if (also && also.changeId !== latestId) targets.push({ id: also.changeId, version: also.version, msg: also.messageId, attempts: also.attempts + 1 });
  else if (also) targets[0]!.attempts = also.attempts + 1;
  try {
    const outcome = await deps.destination.apply(change, options);
    return { outcome, tags: targets.map((t) => changeTag({ ...base(t.id, t.version, t.msg), state: 'complete', attempts: t.attempts })) };
  } catch (err) {
    if (!(err instanceof DestinationRefused)) throw err;
    return { outcome: 'failed', error: err.message, tags: targets.map((t) => changeTag({ ...base(t.id, t.version, t.msg), state: 'failed', attempts: t.attempts, error: err.message })) };
  }
}

export async function retryParked(deps: RedriveDeps, parked: ChangeStatus[], progress: Progress): Promise<RedriveSummary> {
  const s: RedriveSummary = { total: parked.length, applied: 0, unchanged: 0, failed: 0, skipped: 0, failures: [] };
  let done = 0;
  for (const t of parked) {
    const account = deps.accounts.get(t.accountId);
    if (!account) {
      s.skipped++;
      s.failures.push({ changeId: t.changeId, error: 'the account is not in this instance\'s account replica (yet)' });
    } else {
      const r = await applyLatest(deps, account, t);
      await deps.tags.write(r.tags);
      s[r.outcome]++;
      if (r.error) s.failures.push({ changeId: t.changeId, error: r.error });
    }
    progress(++done, parked.length, t.changeId);
  }
  return s;
}

export async function resync(deps: RedriveDeps, progress: Progress): Promise<RedriveSummary> {
  const total = deps.accounts.size;
  const s: RedriveSummary = { total, applied: 0, unchanged: 0, failed: 0, skipped: 0, failures: [] };
  let done = 0;
  let pending: ChangeStatus[] = [];
  for (const account of [...deps.accounts.values()]) {
    const r = await applyLatest(deps, account, null);
    s[r.outcome]++;
    if (r.error) s.failures.push({ changeId: changeId(account.id, account.version), error: r.error });
    // Only what changed gets a new tag: an unchanged entry was complete already.
    if (r.outcome !== 'unchanged') pending.push(...r.tags);
    if (pending.length >= 100) { await deps.tags.write(pending); pending = []; }
    progress(++done, total);
  }
  await deps.tags.write(pending);
  return s;
}
