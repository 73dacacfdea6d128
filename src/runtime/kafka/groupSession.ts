/**
 * What exactly-once v2 needs to know about a KafkaJS consumer's group membership, which KafkaJS
 * 2.2.4 (pinned, its last release) keeps to itself: the generation and member id of its latest
 * join (they go with every transaction's offsets, TxnOffsetCommit v3), and a moment before each
 * (re)join to commit the work done under the generation that is ending, as Java's eager rebalance
 * does in onPartitionsRevoked: until this member joins again, the coordinator still accepts the
 * old generation's offsets, and afterwards it refuses them.
 *
 * KafkaJS's ConsumerGroup holds `generationId` and `memberId`; its `joinAndSync` runs every join.
 * Like rejoinPatch.ts, this reaches the ConsumerGroup through a partition assigner of that consumer
 * (the one per-consumer object KafkaJS builds from our options) and patches `joinAndSync` once
 * per process: before each join it awaits the assigner's `beforeJoin` and tells the session which
 * ConsumerGroup it belongs to.
 */
import { createRequire } from 'node:module';
import type { PartitionAssigner } from 'kafkajs';
import type { GroupMetadata } from './kip447.ts';

const require = createRequire(import.meta.url);
const SESSION = Symbol('iga.groupSession');

interface ConsumerGroupLike { generationId: number | null; memberId: string | null; assigners: Array<{ [SESSION]?: GroupSession }> }
type JoinAndSync = (this: ConsumerGroupLike) => Promise<void>;

let installed = false;

function installSessionPatch(): void {
  if (installed) return;
  installed = true;
  const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup.js') as { prototype: { joinAndSync: JoinAndSync } };
  const original = ConsumerGroup.prototype.joinAndSync;
  ConsumerGroup.prototype.joinAndSync = async function (this: ConsumerGroupLike): Promise<void> {
    const session = this.assigners.map((a) => a[SESSION]).find((s) => s !== undefined);
    if (session) {
      session.group = this;
      await session.beforeJoin();
    }
    return original.call(this);
  };
}

/** One consumer's membership as exactly-once v2 reads it. */
export class GroupSession {
  /** @internal the consumer's KafkaJS ConsumerGroup, known from its first join on. */
  group: ConsumerGroupLike | null = null;
  private readonly before: () => Promise<void>;

  /** `beforeJoin` runs before each join (the first one too); a failure in it does not stop the join. */
  constructor(beforeJoin: () => Promise<void> = async () => undefined) {
    this.before = beforeJoin;
  }

  /** @internal called by the patch. */
  async beforeJoin(): Promise<void> {
    await this.before().catch(() => undefined);
  }

  /**
   * The generation and member id of the consumer's latest join (read them in GROUP_JOIN: KafkaJS
   * sets both before it emits the event). Null before the first join.
   */
  metadata(): GroupMetadata | null {
    const g = this.group;
    if (!g || g.generationId === null || !g.memberId) return null;
    return { generationId: g.generationId, memberId: g.memberId, groupInstanceId: null };
  }

  /** Wraps an assigner so the consumer built with it reports to this session. */
  assigner(assigner: PartitionAssigner): PartitionAssigner {
    installSessionPatch();
    return (config) => Object.assign(assigner(config), { [SESSION]: this });
  }
}
