/**
 * Assign-mode reads of one topic-partition, outside any consumer group: what restore and the
 * replicas (../replicas/topicFollower.ts) need and what KafkaJS's public consumer API lacks.
 *
 * Uses KafkaJS 2.2.4 internals (Cluster, Broker.fetch, Batch), reached through the Kafka object's
 * private createCluster symbol. KafkaJS is frozen at that version, so these paths do not move.
 * Reads are read_committed: aborted records and transaction markers are dropped (Batch does this,
 * with readCommittedFix.ts, imported here too: a reader may be given a Kafka built elsewhere).
 */
import { createRequire } from 'node:module';
import './readCommittedFix.ts';
import type { Kafka } from './client.ts';
import { StreamsError } from '../api/errors.ts';
import { retryKafka } from './retry.ts';

const require = createRequire(import.meta.url);
const Batch = require('kafkajs/src/consumer/batch.js');

const READ_COMMITTED = 1;
/** How long a fetch retries leader errors before its caller sees them (its caller retries too). */
const LEADER_RETRY_MS = 10_000;

export interface FetchedRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  headers: Record<string, Buffer | string | undefined>;
}

export interface FetchResult {
  records: FetchedRecord[];
  /** The offset to fetch next (past markers and filtered records). */
  nextOffset: bigint;
  /** Last stable offset: the end of committed data when the fetch was answered. */
  lastStableOffset: bigint;
  /** High watermark: past the last stable offset while a transaction is open on the partition. */
  highWatermark: bigint;
}

interface ClusterLike {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(q: { nodeId: string }): Promise<{ fetch(req: unknown): Promise<any> }>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number }>;
  fetchTopicsOffset(topics: Array<{ topic: string; fromBeginning: boolean; partitions: Array<{ partition: number }> }>): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
}

/** One partition's bounds: `low` is its first offset, `high` the end of its committed data. */
export interface PartitionBounds { partition: number; low: bigint; high: bigint }

/** A partition without a leader in the metadata: retriable, like the broker's own leader errors. */
const noLeader = (message: string) => new StreamsError(message, { retriable: true });

export class PartitionReader {
  private readonly cluster: ClusterLike;
  private connected = false;

  constructor(kafka: Kafka) {
    const sym = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
    if (!sym) throw new Error('kafkajs internals changed: createCluster symbol not found (pin kafkajs 2.2.4)');
    this.cluster = (kafka as any)[sym]({ allowAutoTopicCreation: false, isolationLevel: READ_COMMITTED });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.cluster.connect();
    this.connected = true;
  }

  /**
   * One fetch from `offset`; waits up to maxWaitMs when nothing is there. Leader errors (a topic
   * created a moment ago, a leader that moved) are retried with fresh metadata for a while.
   */
  async fetch(topic: string, partition: number, offset: bigint, opts: { maxWaitMs?: number; maxBytes?: number } = {}): Promise<FetchResult> {
    await this.connect();
    return retryKafka(() => this.fetchOnce(topic, partition, offset, opts), { timeoutMs: LEADER_RETRY_MS, beforeRetry: () => this.cluster.refreshMetadata() });
  }

  private async fetchOnce(topic: string, partition: number, offset: bigint, opts: { maxWaitMs?: number; maxBytes?: number }): Promise<FetchResult> {
    await this.cluster.addTargetTopic(topic);
    let leaders = this.cluster.findLeaderForPartitions(topic, [partition]);
    let nodeId = Object.keys(leaders)[0];
    if (nodeId === undefined) {
      await this.cluster.refreshMetadata();
      leaders = this.cluster.findLeaderForPartitions(topic, [partition]);
      nodeId = Object.keys(leaders)[0];
      if (nodeId === undefined) throw noLeader(`no leader for ${topic}[${partition}]`);
    }
    const broker = await this.cluster.findBroker({ nodeId });
    const maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
    const { responses } = await broker.fetch({
      replicaId: -1,
      isolationLevel: READ_COMMITTED,
      maxWaitTime: opts.maxWaitMs ?? 0,
      minBytes: 1,
      maxBytes,
      topics: [{ topic, partitions: [{ partition, fetchOffset: offset.toString(), maxBytes }] }],
    });
    return toResult(topic, offset, responses[0].partitions[0]);
  }

  /**
   * One fetch of several partitions of `topic` (one request per leader broker): what a follower of
   * a whole topic needs. A broker answers the requests of one connection in order, so one
   * long-polling fetch per partition on a shared connection would queue behind each other.
   * Results are keyed by partition.
   */
  async fetchMany(topic: string, from: ReadonlyMap<number, bigint>, opts: { maxWaitMs?: number; maxBytes?: number } = {}): Promise<Map<number, FetchResult>> {
    await this.connect();
    return retryKafka(() => this.fetchManyOnce(topic, from, opts), { timeoutMs: LEADER_RETRY_MS, beforeRetry: () => this.cluster.refreshMetadata() });
  }

  private async fetchManyOnce(topic: string, from: ReadonlyMap<number, bigint>, opts: { maxWaitMs?: number; maxBytes?: number }): Promise<Map<number, FetchResult>> {
    await this.cluster.addTargetTopic(topic);
    const partitions = [...from.keys()];
    let leaders = this.cluster.findLeaderForPartitions(topic, partitions);
    if (Object.values(leaders).flat().length < partitions.length) {
      await this.cluster.refreshMetadata();
      leaders = this.cluster.findLeaderForPartitions(topic, partitions);
      const led = Object.values(leaders).flat().length;
      if (led < partitions.length) throw noLeader(`no leader for ${partitions.length - led} partition(s) of ${topic}`);
    }
    const maxBytes = opts.maxBytes ?? 1024 * 1024;
    const out = new Map<number, FetchResult>();
    await Promise.all(Object.entries(leaders).map(async ([nodeId, ps]) => {
      const broker = await this.cluster.findBroker({ nodeId });
      const { responses } = await broker.fetch({
        replicaId: -1,
        isolationLevel: READ_COMMITTED,
        maxWaitTime: opts.maxWaitMs ?? 0,
        minBytes: 1,
        maxBytes: maxBytes * ps.length,
        topics: [{ topic, partitions: ps.map((partition) => ({ partition, fetchOffset: from.get(partition)!.toString(), maxBytes })) }],
      });
      for (const partitionData of responses[0].partitions) {
        const offset = from.get(partitionData.partition)!;
        out.set(partitionData.partition, toResult(topic, offset, partitionData));
      }
    }));
    return out;
  }

  /**
   * The bounds of every partition of `topic` (read_committed: `high` is the last stable offset).
   * Leader errors, which a broker answers for a moment after a topic is created or a leader moves,
   * are retried with fresh metadata for up to `timeoutMs`.
   */
  async offsets(topic: string, timeoutMs = 30_000): Promise<PartitionBounds[]> {
    await this.connect();
    return retryKafka(async () => {
      await this.cluster.addTargetTopic(topic);
      const partitions = this.cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId }));
      if (partitions.length === 0) throw noLeader(`no partitions known for ${topic}`);
      const [high, low] = await Promise.all([false, true].map(async (fromBeginning) => {
        const [t] = await this.cluster.fetchTopicsOffset([{ topic, fromBeginning, partitions }]);
        const found = new Map((t?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
        if (found.size < partitions.length) throw noLeader(`no leader for ${partitions.length - found.size} partition(s) of ${topic}`);
        return found;
      }));
      return partitions.map(({ partition }) => ({ partition, low: low!.get(partition)!, high: high!.get(partition)! }));
    }, { timeoutMs, beforeRetry: () => this.cluster.refreshMetadata() });
  }

  async close(): Promise<void> {
    if (this.connected) await this.cluster.disconnect();
    this.connected = false;
  }
}

function toResult(topic: string, offset: bigint, partitionData: any): FetchResult {
  const batch = new Batch(topic, offset.toString(), partitionData);
  const lso = BigInt(partitionData.lastStableOffset);
  const highWatermark = BigInt(partitionData.highWatermark);
  const lastStableOffset = lso >= 0n ? lso : highWatermark;
  // Raw messages include markers and aborted records: the next fetch starts after the last of them.
  const raw: Array<{ offset: string }> = partitionData.messages;
  const lastRaw = raw.length > 0 ? BigInt(raw[raw.length - 1]!.offset) + 1n : offset;
  const nextOffset = lastRaw > offset ? lastRaw : offset;
  return { records: batch.messages, nextOffset, lastStableOffset, highWatermark };
}
