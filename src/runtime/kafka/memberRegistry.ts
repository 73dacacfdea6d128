/**
 * The consumer-group member ids of one instance, kept in its state folder
 * (`<stateDir>/<appId>/group-members`, a small RocksDB), so that after a crash the restarted
 * process rejoins each group as the member it was (rejoinPatch.ts) and the group does not
 * wait for the dead member's session to expire.
 *
 * Rejoining as a member is only right when the process that was that member is gone. The folder's
 * RocksDB lock (an OS file lock, released by the kernel when its process dies, SIGKILL included)
 * is the proof: a second live process on the same folder (two instances given one IGA_STATE_DIR)
 * cannot open it, logs a warning and joins as a new member instead of impersonating the first.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Consumer, PartitionAssigner } from 'kafkajs';
import { z } from 'zod';
import type { Logger } from '../../common/log.ts';
import { RocksBytesStore } from '../../stores/rocksBytesStore.ts';
import { describeError } from '../api/errors.ts';
import { rejoinAs } from './rejoinPatch.ts';
import { isStoreLocked } from '../internals/errorKinds.ts';

/** What one group's memory does for a consumer of that group. */
export interface GroupMemory {
  /** The consumer's partition assigners, wrapped: its first join names the remembered member id. */
  assigners(assigners: PartitionAssigner[]): PartitionAssigner[];
  /** Records the consumer's member id after each join; logs once whether the remembered id was reused. */
  track(consumer: Consumer): void;
  /** The member id remembered for the group (the latest join's), or null. */
  memberId(): string | null;
}

export interface MemberRegistry {
  /** False when another live process holds the state folder: nothing is remembered or reused. */
  readonly active: boolean;
  forGroup(groupId: string): GroupMemory;
  /**
   * This state folder's process id (a UUID made once and kept), the instance's part of its
   * transactional id under exactly-once v2: a restarted instance takes up its predecessor's id and
   * so aborts the transaction it left open. A fresh UUID when the registry is inactive (a second
   * live process on the folder must never share the first one's transactional id).
   */
  readonly processId: string;
  close(): Promise<void>;
}

/** How a consumer's first join went, given the member id the state folder remembered. */
export type RejoinOutcome = 'new' | 'reused' | 'expired';

/** reused: the coordinator took the remembered id; expired: it did not know it (session over, or left). */
export function rejoinOutcome(remembered: string | null, joined: string): RejoinOutcome {
  if (!remembered) return 'new';
  return remembered === joined ? 'reused' : 'expired';
}

const MemberRecord = z.object({ memberId: z.string().min(1), joinedAt: z.string() });
const KEY_PREFIX = 'member/';
const PROCESS_ID_KEY = 'process-id';

/** A group without memory: every consumer joins as a new member (no registry, or an inactive one). */
export const noGroupMemory: GroupMemory = { assigners: (a) => a, track: () => undefined, memberId: () => null };

/**
 * Opens the registry of `<stateDir>/<appId>`. When another process holds the folder (or it cannot
 * be opened), the registry is inactive (a warning says so) and every consumer joins as a new
 * member, as without it.
 */
export async function openMemberRegistry(opts: { stateDir: string; appId: string; log: Logger }): Promise<MemberRegistry> {
  const dir = join(opts.stateDir, opts.appId, 'group-members');
  let store: RocksBytesStore;
  try {
    store = await RocksBytesStore.open('group-members', dir);
  } catch (err) {
    // Without the registry the instance still runs; a restart then waits for the session as before.
    if (isStoreLocked(err)) {
      opts.log.warn({ dir }, 'the state folder is in use by another process: consumer-group memberships are not remembered here (give each instance its own IGA_STATE_DIR)');
    } else {
      opts.log.warn({ dir, err: describeError(err) }, 'cannot open the consumer-group member records: memberships are not remembered');
    }
    return { active: false, forGroup: () => noGroupMemory, processId: randomUUID(), close: async () => undefined };
  }
  const members = new Map<string, string>();
  for await (const [key, value] of store.iterate({ gte: KEY_PREFIX, lt: `${KEY_PREFIX}\uffff` })) {
    const parsed = MemberRecord.safeParse(parseJson(value));
    if (parsed.success) members.set(key.slice(KEY_PREFIX.length), parsed.data.memberId);
    else opts.log.warn({ dir, key }, 'ignoring an unreadable consumer-group member record');
  }
  const kept = (await store.get(PROCESS_ID_KEY))?.toString('utf8');
  const processId = kept && /^[0-9a-f-]{36}$/.test(kept) ? kept : randomUUID();
  if (processId !== kept) await store.write([[PROCESS_ID_KEY, Buffer.from(processId)]]);
  let closed = false;

  const record = async (groupId: string, memberId: string) => {
    if (members.get(groupId) === memberId) return;
    members.set(groupId, memberId);
    if (closed) return;
    const value = Buffer.from(JSON.stringify({ memberId, joinedAt: new Date().toISOString() }));
    await store.write([[`${KEY_PREFIX}${groupId}`, value]]);
  };

  const forGroup = (groupId: string): GroupMemory => ({
    memberId: () => members.get(groupId) ?? null,
    assigners: (assigners) => assigners.map((a) => rejoinAs(a, () => members.get(groupId) ?? null)),
    track(consumer) {
      let first = true;
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        if (first) {
          first = false;
          const previous = members.get(groupId) ?? null;
          const outcome = rejoinOutcome(previous, payload.memberId);
          if (outcome === 'reused') {
            opts.log.info({ group: groupId, memberId: payload.memberId }, 'rejoined the consumer group as the member this state folder had before the restart (no wait for its session to expire)');
          } else if (outcome === 'expired') {
            opts.log.info({ group: groupId, previous, memberId: payload.memberId }, "this state folder's previous group member had left or expired; joined as a new member");
          }
        }
        record(groupId, payload.memberId).catch((err) => opts.log.warn({ group: groupId, err: describeError(err) }, 'could not record the group member id'));
      });
    },
  });

  return {
    active: true,
    forGroup,
    processId,
    async close() {
      if (closed) return;
      closed = true;
      await store.close();
    },
  };
}

function parseJson(value: Buffer): unknown {
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    return null;
  }
}
