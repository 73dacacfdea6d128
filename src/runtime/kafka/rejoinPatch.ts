/**
 * Lets a KafkaJS consumer's first JoinGroup name a remembered member id, so that a process
 * restarted after a crash rejoins its group as the member it was instead of as a new one.
 *
 * Why: KafkaJS 2.2.4 (pinned, its last release) has no static membership (`group.instance.id`,
 * KIP-345). A process restarted after SIGKILL joins as a new member; the rebalance that starts
 * waits for every known member, the dead one included, until its session expires. Measured on the
 * local Kafka 4.1 broker (2 instances, 3 partitions, session 30 s): 28.9–29.6 s from the restart to
 * tasks assigned, every member of the group idle meanwhile. A JoinGroup that names the dead
 * member's id is, to the coordinator, that member rejoining: the join itself took 15 ms (stream
 * group) and 4 ms (egress group), and the kill → tasks assigned 0.4–3.0 s, the process start
 * included. With an unchanged subscription the coordinator hands the member its current
 * assignment and the other members are not rebalanced at all; a rejoining group leader (or a
 * changed subscription) rebalances, and the others rejoin at their next heartbeat (≤ 3 s).
 *
 * What: ConsumerGroup keeps its id in `memberId` (null until the first join). On a
 * ConsumerGroup's first `joinAndSync` only, this patch sets `memberId` from a partition assigner
 * of that consumer built with `rejoinAs` — the assigners are the one per-consumer object that
 * KafkaJS builds from our options and hands to its ConsumerGroup. When the coordinator does not
 * know the id (the session expired, or the member left on a graceful stop) the join fails with
 * UNKNOWN_MEMBER_ID and KafkaJS's own handling resets `memberId` and joins as a new member after
 * one retry back-off (~0.3 s; measured after a SIGTERM: kill → tasks assigned 0.5–0.9 s).
 *
 * Only safe when the remembered member's process is gone: two processes with one member id would
 * both be handed its partitions. memberRegistry.ts guarantees that with the state folder's lock.
 *
 * Measured and not chosen: LeaveGroup for the remembered id, then a fresh join (1.4 s with two
 * instances: every member rebalances; a group left empty also waits the broker's
 * group.initial.rebalance.delay.ms, 3 s by default); static membership by adding
 * group_instance_id to KafkaJS's JoinGroup/SyncGroup/Heartbeat (larger, and a duplicate instance
 * id fences the older process with FENCED_INSTANCE_ID, an error KafkaJS does not handle).
 */
import { createRequire } from 'node:module';
import type { PartitionAssigner } from 'kafkajs';

const require = createRequire(import.meta.url);
const REJOIN_AS = Symbol('iga.rejoinAs');

interface ConsumerGroupLike {
  memberId: string | null;
  assigners: Array<{ [REJOIN_AS]?: () => string | null }>;
}
type JoinAndSync = (this: ConsumerGroupLike) => Promise<void>;

const joinedOnce = new WeakSet<object>();
let installed = false;

/** Patches KafkaJS's ConsumerGroup once per process (idempotent). */
function installRejoinPatch(): void {
  if (installed) return;
  installed = true;
  const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js') as { prototype: { joinAndSync: JoinAndSync } };
  const original = ConsumerGroup.prototype.joinAndSync;
  ConsumerGroup.prototype.joinAndSync = function (this: ConsumerGroupLike): Promise<void> {
    if (!joinedOnce.has(this)) {
      joinedOnce.add(this);
      if (this.memberId === null) {
        const remembered = this.assigners.map((a) => a[REJOIN_AS]?.() ?? null).find((id) => id);
        if (remembered) this.memberId = remembered;
      }
    }
    return original.call(this);
  };
}

/**
 * Wraps an assigner so that the consumer built with it makes its first join as `memberId()`
 * (read at that moment; null or '' joins as a new member). The assigner itself is unchanged.
 */
export function rejoinAs(assigner: PartitionAssigner, memberId: () => string | null): PartitionAssigner {
  installRejoinPatch();
  return (config) => Object.assign(assigner(config), { [REJOIN_AS]: memberId });
}
