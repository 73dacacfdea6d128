/**
 * The stream thread of a StreamsApp member (Kafka Streams' StreamThread): the group consumer and
 * its loop. It joins the group `<appId>` with the task-aware assignor, hands each assignment to the
 * task manager, processes every fetched batch inside its task one partition at a time (a batch
 * waits for its task's restore; commits of different tasks never overlap a rebalance), punctuates
 * and commits on a timer, heartbeats through long batches and restores, pauses a partition after a
 * retriable failure, and replaces a consumer KafkaJS gave up on.
 *
 * Under exactly-once v2 (`instanceTransactions`) it also keeps the group generation and member id
 * the tasks were assigned under (what the instance's transactions carry), commits every task before
 * the consumer rejoins the group (kafka/groupSession.ts), commits nothing while it rejoins, and
 * leaves the commits to the timer, which asks every task at once so they share one transaction.
 */
import type { Consumer, EachBatchPayload } from 'kafkajs';
import type { Logger } from '../../common/log.ts';
import { describeError, isRetriable } from '../api/errors.ts';
import type { BuiltTopology, SubTopology } from '../api/topologyBuilder.ts';
import type { Kafka } from '../kafka/client.ts';
import { GroupSession } from '../kafka/groupSession.ts';
import { reportKafkaOutage } from '../kafka/health.ts';
import type { GroupMetadata } from '../kafka/kip447.ts';
import { noGroupMemory, type MemberRegistry } from '../kafka/memberRegistry.ts';
import { heartbeatInterval } from '../kafka/groupConsumer.ts';
import { taskAssignor } from './assignorProtocol.ts';
import { isRebalanceInProgress } from './errorKinds.ts';
import { streamsMetrics } from './metrics.ts';
import { taskId as makeTaskId } from './taskAssignor.ts';
import { levelOf, type AssignedTask, type StreamsState, type TaskManager } from './taskManager.ts';

export interface StreamThreadOptions {
  appId: string;
  topology: BuiltTopology;
  kafka: Kafka;
  tasks: TaskManager;
  state: () => StreamsState;
  sessionTimeoutMs: number;
  commitIntervalMs: number;
  /** How often due punctuations are checked. */
  tickMs: number;
  members?: MemberRegistry;
  /** Exactly-once v2: the tasks commit in the instance's transactions (see the header). */
  instanceTransactions?: boolean;
  log: Logger;
}

export class StreamThread {
  private readonly opts: StreamThreadOptions;
  private readonly log: Logger;
  private readonly tasks: TaskManager;
  private readonly subByTopic = new Map<string, SubTopology>();
  private consumer: Consumer | null = null;
  private generation = 0;
  private ticker: NodeJS.Timeout | null = null;
  private readonly paused = new Set<string>();
  /** The generation and member id of the current assignment (exactly-once v2). */
  private assignedUnder: GroupMetadata | null = null;
  /** Between the commit before a rejoin and the new assignment: nothing is committed. */
  private rejoining = false;
  /** When the timer last had every task commit (exactly-once v2). */
  private instanceCommitAt = 0;

  constructor(opts: StreamThreadOptions) {
    this.opts = opts;
    this.log = opts.log;
    this.tasks = opts.tasks;
    for (const sub of opts.topology.subTopologies) for (const t of sub.sourceTopics) this.subByTopic.set(t, sub);
  }

  /** Every input topic of the topology. */
  inputTopics(): string[] { return [...this.subByTopic.keys()]; }

  /** The id of the sub-topology that reads `topic`, or undefined when none does. */
  subTopologyOf(topic: string): number | undefined { return this.subByTopic.get(topic)?.id; }

  /** Joins the group, consumes, and starts the punctuation and commit timer. */
  async start(): Promise<void> {
    await this.runConsumer();
    this.ticker = setInterval(() => void this.tick(), Math.min(this.opts.tickMs, Math.max(this.opts.commitIntervalMs, 50)));
  }

  /** Stops the timer and fetching; the batch in hand finishes. */
  async stop(): Promise<void> {
    if (this.ticker) clearInterval(this.ticker);
    await this.consumer?.stop().catch(() => undefined);
  }

  /** Leaves the group (after the tasks closed). */
  async disconnect(): Promise<void> {
    await this.consumer?.disconnect().catch(() => undefined);
  }

  /** Moves the consumer's position on one input partition (a task's start or rewind). */
  seek(topic: string, partition: number, offset: bigint): void {
    this.consumer!.seek({ topic, partition, offset: offset.toString() });
  }

  /** The generation and member id the current tasks were assigned under; null while not in the group. */
  membership(): GroupMetadata | null {
    return this.rejoining ? null : this.assignedUnder;
  }

  /** Commits input offsets through the group (at_least_once only). */
  commitOffsets(offsets: Array<{ topic: string; partition: number; offset: string }>): Promise<void> {
    return this.consumer!.commitOffsets(offsets);
  }

  private async runConsumer(): Promise<void> {
    const generation = ++this.generation;
    const subs = this.opts.topology.subTopologies.map((s) => ({ id: s.id, topics: s.sourceTopics }));
    const sessionTimeout = this.opts.sessionTimeoutMs;
    const memory = this.opts.members?.forGroup(this.opts.appId) ?? noGroupMemory;
    const assignor = taskAssignor({ subs, ownedTasks: () => this.tasks.ids() });
    const session = this.opts.instanceTransactions ? new GroupSession(() => this.beforeRejoin(generation)) : null;
    const consumer = this.opts.kafka.consumer({
      groupId: this.opts.appId, readUncommitted: false, allowAutoTopicCreation: false,
      sessionTimeout, rebalanceTimeout: Math.max(60_000, sessionTimeout), heartbeatInterval: heartbeatInterval(sessionTimeout),
      maxWaitTimeInMs: 100, retry: { retries: 10 },
      // At most 4 MiB a fetch instead of KafkaJS's 10 MiB: a fetch response stays in memory until its
      // batches are processed. 2 MiB with 256 KiB per partition saved more (external at the peak
      // 98 → 74 MiB at 20k) but made twice the transactions and 3 % more changelog records (smaller
      // batches, fewer writes folded per commit); 4 MiB, one run: 86 MiB, transactions unchanged.
      maxBytes: 4 << 20,
      partitionAssigners: memory.assigners([session ? session.assigner(assignor) : assignor]),
    });
    this.consumer = consumer;
    memory.track(consumer);
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      if (generation !== this.generation) return;
      if (session) {
        const before = this.assignedUnder;
        this.assignedUnder = session.metadata();
        this.rejoining = false;
        // A generation went by without this member (it was dropped from the group, e.g. starved of
        // CPU past the session timeout): its tasks may have been processed and committed by others
        // meanwhile, so what it holds of them is stale, even for tasks it gets back. Under
        // exactly-once v2 nothing else would stop it: its commits under the new generation pass.
        const now = this.assignedUnder;
        if (before && now && now.generationId !== before.generationId + 1) this.tasks.closeAllAfterMissedGeneration(before.generationId, now.generationId);
      }
      this.onAssignment(e.payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, (e) => {
      // A crash on a lost broker that KafkaJS restarts from is part of the Kafka outage; one it gives up on is an error.
      const outage = e.payload.restart && reportKafkaOutage(e.payload.error, this.log);
      this.log[outage ? 'debug' : 'error']({ err: describeError(e.payload.error), restart: e.payload.restart }, 'consumer crashed');
      if (!e.payload.restart && generation === this.generation) void this.replaceConsumer();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.inputTopics(), fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (p) => this.onBatch(p),
    });
  }

  /**
   * Exactly-once v2, before each join of the consumer: commit every task while the coordinator
   * still takes the ending generation's offsets; nothing more is committed until the new assignment.
   */
  private async beforeRejoin(generation: number): Promise<void> {
    if (generation !== this.generation) return;
    if (this.assignedUnder) await this.tasks.commitAll();
    this.rejoining = true;
  }

  /** KafkaJS gave up on its consumer: close our tasks (uncommitted work rolls back) and join again with a new one. */
  private async replaceConsumer(): Promise<void> {
    if (this.opts.state() !== 'running') return;
    this.generation++;
    this.assignedUnder = null;
    this.log.warn('replacing the crashed consumer');
    const old = this.consumer!;
    await this.tasks.revokeAll();
    await old.disconnect().catch(() => undefined);
    for (;;) {
      if (this.opts.state() !== 'running') return;
      try {
        await this.runConsumer();
        return;
      } catch (err) {
        this.log[levelOf(err, this.log)]({ err: describeError(err) }, 'could not start a new consumer; retrying');
        await this.consumer!.disconnect().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }

  private onAssignment(assignment: Record<string, number[]>): void {
    const wanted = new Map<string, AssignedTask>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      const sub = this.subByTopic.get(topic);
      if (!sub) continue;
      for (const p of partitions) wanted.set(makeTaskId(sub.id, p), { sub, partition: p });
    }
    this.tasks.assign(wanted);
  }

  private async onBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const sub = this.subByTopic.get(batch.topic)!;
    const id = makeTaskId(sub.id, batch.partition);
    if (!this.tasks.isAssigned(id)) return; // revoked while fetched
    const pending = this.tasks.current(id) ?? this.tasks.openTask(id);
    if (!pending) return;
    const rt = await this.awaitWithHeartbeat(pending, heartbeat).catch(() => null);
    if (!rt) return; // failed to start; openTask retries
    const { task } = rt;
    await task.exclusive(async () => {
      if (this.tasks.current(id) !== pending) return; // closed meanwhile
      // Prefetch hint: processors may start their DFØ GETs for the batch's records now instead of
      // one at a time as each record is processed (Processor.prefetch).
      const keys = batch.messages.map((m) => m.key?.toString('utf8') ?? '');
      task.prefetch(batch.topic, keys);
      for (const [i, m] of batch.messages.entries()) {
        // isStale: we seeked this partition (task start or rewind); the batch was fetched before.
        // A task replaced meanwhile (TaskVisit.reopen): leave the records unresolved; they come again.
        if (!isRunning() || isStale() || this.opts.state() !== 'running' || this.tasks.current(id) !== pending) break;
        const offset = BigInt(m.offset);
        // Below the task's own position: already processed by this task or committed by an earlier owner.
        if (offset < (rt.next.get(batch.topic) ?? 0n)) { resolveOffset(m.offset); continue; }
        let value: unknown;
        try {
          value = this.serdeOf(sub, batch.topic).deserialize(m.value);
        } catch (err) {
          task.deadLetter(`cannot deserialise value: ${describeError(err)}`, m.key?.toString() ?? null, m.value);
          task.markConsumed(batch.topic, offset + 1n);
          rt.next.set(batch.topic, offset + 1n);
          resolveOffset(m.offset);
          continue;
        }
        const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, v?.toString() ?? '']));
        try {
          await task.process(batch.topic, { key: keys[i]!, value, timestamp: Number(m.timestamp), headers, offset: m.offset }, m.value);
        } catch (err) {
          if (!isRetriable(err)) throw err;
          // The processor left its stores untouched (processor contract); keep what came before it.
          this.log.warn({ task: id, offset: m.offset, err: describeError(err) }, 'retriable processing failure; will retry');
          if (await this.tasks.commit(id, rt)) {
            this.tasks.seekTo(rt);
            this.pauseFor(batch.topic, batch.partition, 1000);
          }
          break;
        }
        rt.next.set(batch.topic, offset + 1n);
        streamsMetrics.processed.inc({ app: this.opts.appId, subtopology: String(sub.id) });
        resolveOffset(m.offset);
        // KafkaJS throttles this to its heartbeat interval; a long batch must not cost us the membership.
        if (!(await this.heartbeatOk(heartbeat))) break;
      }
      // v2: the timer commits, every task of the instance in one transaction.
      if (!this.opts.instanceTransactions && task.now() - task.lastCommitAt >= this.opts.commitIntervalMs) await this.tasks.commit(id, rt);
    });
    await heartbeat().catch(() => undefined);
  }

  /** Punctuates and commits every task whose interval elapsed. */
  private async tick(): Promise<void> {
    if (this.opts.state() !== 'running' || this.rejoining) return;
    const now = performance.now();
    // A timer may fire a millisecond early; a tick that late by design is not missed.
    const commitAll = !!this.opts.instanceTransactions && now - this.instanceCommitAt >= this.opts.commitIntervalMs - 10;
    if (commitAll) this.instanceCommitAt = now;
    for (const [id, pending] of this.tasks.openTasks()) {
      const rt = await Promise.race([pending, Promise.resolve(null)]).catch(() => null);
      if (!rt) continue;
      void rt.task.exclusive(async () => {
        if (this.opts.state() !== 'running' || this.tasks.current(id) !== pending) return;
        try {
          await rt.task.punctuate();
        } catch (err) {
          this.log[levelOf(err, this.log)]({ task: id, err: describeError(err) }, 'punctuation failed; rolled back');
          await this.tasks.rewind(rt);
          return;
        }
        // v2: once the commit interval has passed, every task commits at this tick, together, and
        // processes on while the transaction is in flight.
        if (commitAll) this.tasks.startCommit(id, rt);
        else if (!this.opts.instanceTransactions && rt.task.now() - rt.task.lastCommitAt >= this.opts.commitIntervalMs) await this.tasks.commit(id, rt);
      }).catch((err) => this.log[levelOf(err, this.log)]({ task: id, err: describeError(err) }, 'tick failed'));
    }
  }

  private serdeOf(sub: SubTopology, topic: string) {
    for (const n of sub.nodes.values()) if (n.kind === 'source' && n.topics.includes(topic)) return n.serde;
    throw new Error(`no source reads ${topic}`);
  }

  private pauseFor(topic: string, partition: number, ms: number): void {
    const k = `${topic}/${partition}`;
    if (this.paused.has(k)) return;
    this.paused.add(k);
    this.consumer!.pause([{ topic, partitions: [partition] }]);
    setTimeout(() => {
      this.paused.delete(k);
      if (this.opts.state() === 'running') this.consumer!.resume([{ topic, partitions: [partition] }]);
    }, ms).unref();
  }

  /**
   * Waits for a starting task, heartbeating so a long restore keeps the membership. Null when the
   * group started rebalancing meanwhile: the batch is given up (the task restores on) so this
   * member can rejoin in time.
   */
  private async awaitWithHeartbeat<T>(p: Promise<T>, heartbeat: () => Promise<void>): Promise<T | null> {
    for (;;) {
      const r = await Promise.race([p.then((v) => ({ v })), new Promise<null>((res) => setTimeout(() => res(null), 1000))]);
      if (r) return r.v;
      if (!(await this.heartbeatOk(heartbeat))) return null;
    }
  }

  /** Heartbeats; false when the group is rebalancing (the batch in hand should end). */
  private async heartbeatOk(heartbeat: () => Promise<void>): Promise<boolean> {
    try {
      await heartbeat();
      return true;
    } catch (err) {
      return !isRebalanceInProgress(err);
    }
  }
}
