/**
 * Exactly-once v2 (KIP-447; IGA_PROCESSING_GUARANTEE=exactly_once_v2): one transactional producer
 * per instance commits the outputs, changelog records and input offsets of all its tasks together.
 * Each task's commit joins the next transaction (a group commit): commits asked for while one is
 * in flight, or in the same turn of the event loop (the stream thread's tick asks every task at
 * once), go in one transaction, so an instance commits once per commit interval, not once per task.
 *
 * Zombies are fenced by the group, not by the producer: the offsets carry the consumer group's
 * generation and member id (TxnOffsetCommit v3), and the coordinator refuses them once the group
 * has moved to a generation this instance is not in. Then the whole transaction aborts and every
 * task in it fails with InstanceMigratedError; the task manager closes all the instance's tasks,
 * which open again from the committed state. A new owner reads a moved task's offsets only once
 * they are stable (kafka/stableOffsets.ts), so an open transaction of the old owner is either in
 * them or aborted.
 *
 * The transactional id is `<appId>-<processId>`, the process id kept in the state folder (the
 * member registry): a restarted instance's first InitProducerId aborts the transaction its
 * predecessor left open at once, instead of the transaction timeout later.
 */
import { Partitioners, type Producer } from 'kafkajs';
import type { Logger } from '../../common/log.ts';
import { describeError, TaskMigratedError } from '../api/errors.ts';
import type { Kafka } from '../kafka/client.ts';
import { withGroupMetadata, type GroupMetadata } from '../kafka/kip447.ts';
import { retryKafka } from '../kafka/retry.ts';
import { isCoordinatorNotReady, isGenerationFenced, isProducerFenced } from './errorKinds.ts';
import { sendOutputsByPartition, type ClosableCommitter } from './kafkaCommitter.ts';
import { countProduced, streamsMetrics } from './metrics.ts';
import type { CommitBatch } from './task.ts';

/** How long a transaction may stay open before the broker aborts it (what a moved task waits at most for a dead owner's). */
export const V2_TRANSACTION_TIMEOUT_MS = 10_000;

/** How long start-up waits for the cluster's transaction coordinator (a new cluster creates `__transaction_state` first). */
export const COORDINATOR_WAIT_MS = 120_000;

/** The instance's transaction was refused as a zombie's (group generation over): every task of the instance closes. */
export class InstanceMigratedError extends TaskMigratedError {
  constructor(taskId: string, cause: unknown) {
    super(taskId, cause);
    this.message = `task ${taskId}: this instance's consumer-group generation is over (it missed a rebalance); its tasks may belong to others now`;
  }
}

/** A task's commit waiting for the next transaction, with the group membership it was asked under. */
interface Pending { taskId: string; batch: CommitBatch; askedUnder: GroupMetadata | null; resolve: (w: Map<string, bigint>) => void; reject: (e: unknown) => void }

export interface InstanceCommitterOptions {
  kafka: Kafka;
  /** The consumer group whose offsets the transactions commit. */
  groupId: string;
  transactionalId: string;
  /** The generation and member id the tasks were assigned under; null while not in the group. */
  groupMetadata: () => GroupMetadata | null;
  log: Logger;
}

export class InstanceCommitter {
  private readonly opts: InstanceCommitterOptions;
  /** Null after a failed transaction: the next one starts a new producer (InitProducerId aborts whatever was left open). */
  private producer: Producer | null;
  private queue: Pending[] = [];
  private draining = false;
  private closed = false;
  /** Transactions committed, and task commits they carried (for the bench and tests). */
  readonly stats = { transactions: 0, taskCommits: 0 };

  private constructor(opts: InstanceCommitterOptions, producer: Producer) {
    this.opts = opts;
    this.producer = producer;
  }

  /** Connects and initialises the producer: any earlier producer with this transactional id is fenced and its open transaction aborted. */
  static async create(opts: InstanceCommitterOptions): Promise<InstanceCommitter> {
    let waiting = false;
    const producer = await retryKafka(() => InstanceCommitter.connect(opts), {
      timeoutMs: COORDINATOR_WAIT_MS,
      retryIf: isCoordinatorNotReady,
      beforeRetry: async (err) => {
        if (!waiting) opts.log.info({ err: describeError(err) }, 'waiting for the Kafka cluster\'s transaction coordinator (a new cluster creates __transaction_state first)');
        waiting = true;
      },
    });
    if (waiting) opts.log.info('the transaction coordinator answered');
    return new InstanceCommitter(opts, producer);
  }

  private static async connect(opts: InstanceCommitterOptions): Promise<Producer> {
    const producer = opts.kafka.producer({ transactionalId: opts.transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout: V2_TRANSACTION_TIMEOUT_MS, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      // An empty transaction runs InitProducerId now rather than at the first commit.
      const t = await producer.transaction();
      await t.abort();
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
    return producer;
  }

  /** One task's view: its commits join the instance's next transaction; abort and close are the instance's business. */
  forTask(taskId: string): ClosableCommitter {
    return {
      commit: (batch) => this.commit(taskId, batch),
      abort: async () => undefined,
      close: async () => undefined,
    };
  }

  /** Commits `batch` in the instance's next transaction; resolves with the next changelog offset per topic of the task's partition. */
  commit(taskId: string, batch: CommitBatch): Promise<Map<string, bigint>> {
    if (this.closed) return Promise.reject(new Error('the instance committer is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ taskId, batch, askedUnder: this.opts.groupMetadata(), resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // The rest of this turn's commits (the tick asks every task at once) join this transaction.
        setImmediate(() => void this.drain());
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.draining) await new Promise((r) => setTimeout(r, 10));
    await this.producer?.disconnect().catch(() => undefined);
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commitTogether(this.queue.splice(0));
    } finally {
      this.draining = false;
    }
  }

  private async commitTogether(group: Pending[]): Promise<void> {
    const meta = this.opts.groupMetadata();
    if (!meta) {
      const err = new Error('not a member of the consumer group: nothing can be committed');
      for (const p of group) p.reject(new InstanceMigratedError(p.taskId, err));
      return;
    }
    // A commit waits here while the transaction before it is in flight: if the instance rejoined the
    // group meanwhile, its task may belong to another instance now, and the new generation would
    // let it through. Only commits asked for under the current membership go in.
    const stale = group.filter((p) => !sameMembership(p.askedUnder, meta));
    for (const p of stale) p.reject(new InstanceMigratedError(p.taskId, new Error(`asked under generation ${p.askedUnder?.generationId ?? 'none'}, the group is at ${meta.generationId}`)));
    if (stale.length > 0) group = group.filter((p) => sameMembership(p.askedUnder, meta));
    if (group.length === 0) return;
    let txn: Awaited<ReturnType<Producer['transaction']>> | null = null;
    try {
      const offsets = new Map<string, Array<{ partition: number; offset: string }>>();
      for (const p of group) for (const o of p.batch.offsets) offsets.set(o.topic, [...(offsets.get(o.topic) ?? []), { partition: o.partition, offset: o.offset }]);
      // The offsets are what the group fences a zombie by: a transaction without them is never committed.
      if (offsets.size === 0) throw new Error('a transaction without input offsets would not be fenced by the group generation');
      this.producer ??= await InstanceCommitter.connect(this.opts);
      txn = await this.producer.transaction();
      const t = txn;
      const written = await sendOutputsByPartition((req) => t.sendBatch(req), group.flatMap((p) => p.batch.outputs));
      await withGroupMetadata(meta, () => t.sendOffsets({ consumerGroupId: this.opts.groupId, topics: [...offsets].map(([topic, partitions]) => ({ topic, partitions })) }));
      await t.commit();
      this.stats.transactions++;
      streamsMetrics.transactions.inc({ app: this.opts.groupId });
      for (const p of group) countProduced(this.opts.groupId, p.batch.outputs);
      this.stats.taskCommits += group.length;
      for (const p of group) p.resolve(writtenFor(p.batch, written));
    } catch (err) {
      if (txn?.isActive()) await txn.abort().catch(() => undefined);
      // Whatever state KafkaJS's transaction manager was left in, the next transaction starts on a
      // new producer (a fenced one cannot go on at all).
      const old = this.producer;
      this.producer = null;
      await old?.disconnect().catch(() => undefined);
      const fenced = isGenerationFenced(err) || isProducerFenced(err);
      if (isProducerFenced(err)) this.opts.log.warn({ err: describeError(err) }, "the instance's transactional producer was fenced; the next transaction starts a new one");
      for (const p of group) p.reject(fenced ? new InstanceMigratedError(p.taskId, err) : err);
    }
  }
}

function sameMembership(a: GroupMetadata | null, b: GroupMetadata): boolean {
  return a !== null && a.generationId === b.generationId && a.memberId === b.memberId;
}

/** The next changelog offsets of one task's commit: the partitions its own records went to. */
function writtenFor(batch: CommitBatch, written: Map<string, Map<number, bigint>>): Map<string, bigint> {
  const mine = new Map<string, bigint>();
  for (const o of batch.outputs) {
    if (o.partition === undefined || mine.has(o.topic)) continue;
    const next = written.get(o.topic)?.get(o.partition);
    if (next !== undefined) mine.set(o.topic, next);
  }
  return mine;
}
