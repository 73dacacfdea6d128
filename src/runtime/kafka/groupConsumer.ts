/**
 * The consumer of one group that the connectors use (egress, drivers, status events): read
 * committed records only, short polls so a stop is quick, round-robin assignment, and the member
 * id the instance's state folder remembers (memberRegistry.ts), so a restarted instance rejoins at
 * once instead of waiting for its dead member's session to expire.
 */
import { PartitionAssigners, type Consumer, type Kafka } from 'kafkajs';
import { noGroupMemory, type MemberRegistry } from './memberRegistry.ts';

export interface GroupConsumerOptions {
  groupId: string;
  /** The group session timeout; KafkaJS's default (30 s) when absent. */
  sessionTimeoutMs?: number;
  /** The instance's remembered member ids; none: join as a new member. */
  members?: MemberRegistry | undefined;
}

/** A heartbeat a fifth of the session timeout, between 0.5 and 3 s (as the stream threads beat). */
export function heartbeatInterval(sessionTimeoutMs: number): number {
  return Math.max(500, Math.min(3_000, Math.floor(sessionTimeoutMs / 5)));
}

export function createGroupConsumer(kafka: Kafka, opts: GroupConsumerOptions): Consumer {
  const memory = opts.members?.forGroup(opts.groupId) ?? noGroupMemory;
  const session = opts.sessionTimeoutMs;
  const consumer = kafka.consumer({
    groupId: opts.groupId, readUncommitted: false, maxWaitTimeInMs: 1_000,
    partitionAssigners: memory.assigners([PartitionAssigners.roundRobin]),
    ...(session ? { sessionTimeout: session, heartbeatInterval: heartbeatInterval(session) } : {}),
  });
  memory.track(consumer);
  return consumer;
}
