/**
 * The instances Kafka sees: the live members of the topology's consumer group, each with its
 * client id (`<app>-<instance id>`), host and how many partitions it was given. Kafka's answer, so
 * it lists every instance of the deployment, not only this one; an instance that died drops out
 * once its session times out.
 */
import type { Admin } from 'kafkajs';
import type { Logger } from '../../common/log.ts';
import { createKafka } from '../../runtime/kafka/client.ts';

export interface GroupMember { clientId: string; host: string; partitions: number }

export interface GroupMembers {
  /** The members now; throws when Kafka does not answer. */
  list(): Promise<GroupMember[]>;
  close(): Promise<void>;
}

/** Partitions in a consumer-protocol assignment (version, then topic → partitions). */
function assignedPartitions(assignment: Buffer): number {
  try {
    let at = 2; // int16 version
    const topics = assignment.readInt32BE(at); at += 4;
    let n = 0;
    for (let i = 0; i < topics; i++) {
      const len = assignment.readInt16BE(at); at += 2 + len;
      const parts = assignment.readInt32BE(at); at += 4 + 4 * parts;
      n += parts;
    }
    return n;
  } catch {
    return 0;
  }
}

export function groupMembers(opts: { brokers: string[]; appId: string; log: Logger }): GroupMembers {
  const kafka = createKafka({ brokers: opts.brokers, clientId: `${opts.appId}-console-members`, log: opts.log });
  let admin: Admin | null = null;
  return {
    async list() {
      if (!admin) {
        const a = kafka.admin();
        await a.connect();
        admin = a;
      }
      const { groups } = await admin.describeGroups([opts.appId]);
      return (groups[0]?.members ?? [])
        .map((m) => ({ clientId: m.clientId, host: m.clientHost.replace(/^\//, ''), partitions: assignedPartitions(m.memberAssignment) }))
        .sort((a, b) => a.clientId.localeCompare(b.clientId));
    },
    async close() {
      await admin?.disconnect().catch(() => undefined);
    },
  };
}
