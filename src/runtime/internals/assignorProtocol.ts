/**
 * The KafkaJS side of the task-aware sticky assignor (see taskAssignor.ts): each member's
 * subscription carries the tasks it owns now (userData, JSON), the group leader turns members and
 * topic metadata into tasks and hands each member whole tasks (all source topics, one partition).
 */
import kafkajs from 'kafkajs';
import type { PartitionAssigner } from 'kafkajs';
import { assignTasks, tasksOf, topicPartitionsOf } from './taskAssignor.ts';

const { AssignerProtocol } = kafkajs;
export const TASK_ASSIGNOR_NAME = 'IgaStreamsTaskAssignor';
const VERSION = 1;

interface UserData { tasks: string[] }

function decodeUserData(buf: Buffer | null | undefined): UserData {
  try {
    const v = JSON.parse(buf?.toString('utf8') || '{}') as Partial<UserData>;
    return { tasks: Array.isArray(v.tasks) ? v.tasks.filter((t): t is string => typeof t === 'string') : [] };
  } catch {
    return { tasks: [] };
  }
}

export function taskAssignor(opts: {
  subs: Array<{ id: number; topics: string[] }>;
  /** The tasks this member owns now (sent with every join). */
  ownedTasks: () => string[];
}): PartitionAssigner {
  return ({ cluster, logger }) => ({
    name: TASK_ASSIGNOR_NAME,
    version: VERSION,
    protocol({ topics }) {
      return {
        name: TASK_ASSIGNOR_NAME,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: VERSION, topics, userData: Buffer.from(JSON.stringify({ tasks: opts.ownedTasks() })) }),
      };
    },
    async assign({ members, topics }) {
      const partitionsOf = (topic: string) => (topics.includes(topic) ? cluster.findTopicPartitionMetadata(topic).length : 0);
      const tasks = tasksOf(opts.subs, partitionsOf);
      const decoded = members.map((m) => {
        const meta = AssignerProtocol.MemberMetadata.decode(m.memberMetadata);
        return { memberId: m.memberId, owned: decodeUserData(meta?.userData).tasks };
      });
      const plan = assignTasks(decoded, tasks);
      logger.info('task assignment', { tasks: tasks.length, members: Object.fromEntries(plan) });
      return members.map((m) => ({
        memberId: m.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: VERSION,
          assignment: topicPartitionsOf(plan.get(m.memberId) ?? [], opts.subs, partitionsOf),
          userData: Buffer.alloc(0),
        }),
      }));
    },
  });
}
