/**
 * The committed offsets of a consumer group, read only once they are stable (OffsetFetch v7 with
 * `require_stable`, kip447.ts): while a transaction that commits offsets for one of the partitions
 * is open, the coordinator answers UNSTABLE_OFFSET_COMMIT, and this asks again until that
 * transaction has committed or aborted (its producer finishes it, a new producer with its
 * transactional id aborts it, or the broker aborts it after its transaction timeout). A task that
 * moves starts from these offsets under exactly-once v2, so it never processes again what the
 * previous owner's last transaction is about to commit.
 */
import type { Admin } from 'kafkajs';
import { errorKinds } from '../internals/errorKinds.ts';
import { withStableOffsets } from './kip447.ts';

export type FetchedOffsets = Awaited<ReturnType<Admin['fetchOffsets']>>;

const isUnstable = (err: unknown) => errorKinds(err).includes('UNSTABLE_OFFSET_COMMIT');

/**
 * Resolves with the group's offsets for `topics` once no open transaction holds any of them.
 * Rejects with the last UNSTABLE_OFFSET_COMMIT after `timeoutMs` (longer than any transaction may
 * stay open), or at once on any other error.
 */
export async function fetchStableOffsets(admin: Admin, groupId: string, topics: string[], timeoutMs: number, retryMs = 100): Promise<FetchedOffsets> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await withStableOffsets(() => admin.fetchOffsets({ groupId, topics }));
    } catch (err) {
      if (!isUnstable(err) || Date.now() >= until) throw err;
    }
    await new Promise((r) => setTimeout(r, retryMs));
  }
}
