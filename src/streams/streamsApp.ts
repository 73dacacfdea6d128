/**
 * Runs a topology on Kafka as one member of the consumer group `<appId>`: one task per input
 * partition of each sub-topology, exactly-once (a transactional producer per task), restore
 * before processing, wall-clock punctuation, graceful close. Eager rebalancing (what KafkaJS has):
 * a task that moves away is fenced by its new owner, so an open transaction can never double output.
 */
import type { Admin, Consumer, EachBatchPayload } from 'kafkajs';
import { componentLogger, type Logger } from '../log.ts';
import { createKafka, type Kafka } from './internals/kafkaClient.ts';
import { streamsMetrics } from './internals/metrics.ts';
import { PartitionReader, type PartitionBounds } from './internals/partitionReader.ts';
import { startTask, stopTask, taskDir, type ProcessingGuarantee, type RunningTask, type TaskEnv } from './internals/taskFactory.ts';
import { ensureTopics } from './internals/topics.ts';
import { taskAssignor } from './internals/assignorProtocol.ts';
import { taskId as makeTaskId } from './internals/taskAssignor.ts';
import { describeError, isRetriable, TaskMigratedError } from './errors.ts';
import { groupLag, type PartitionLag } from './groupLag.ts';
import { trackInputLag } from './internals/lagMetric.ts';
import type { BuiltTopology, SubTopology } from './topology.ts';

const REBALANCING = /REBALANCE_IN_PROGRESS|rebalancing/i;

/** One task as `visitTasks` shows it to operator code (src/replay). */
export interface TaskVisit {
  id: string;
  /** The task's local state folder (RocksDB stores and `.checkpoint`). */
  dir: string;
  running: RunningTask;
  reopen(whileClosed: () => Promise<void>): Promise<RunningTask>;
}

export type StreamsState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface StreamsOptions {
  appId: string;
  brokers: string[];
  topology: BuiltTopology;
  stateDir: string;
  /** Partitions of the topics the runtime creates (inputs of one sub-topology must match). */
  partitions: number;
  deadLetterTopic: string;
  commitIntervalMs?: number;
  /** How often due punctuations are checked. */
  tickMs?: number;
  clock?: () => number;
  inMemoryStores?: boolean;
  instanceId?: string;
  /** Group session timeout: how soon a killed member's tasks move to the others (default 30 s). */
  sessionTimeoutMs?: number;
  /** exactly_once (default): one transaction per task commit; at_least_once: for comparison only. */
  processingGuarantee?: ProcessingGuarantee;
  log?: Logger;
}

export class StreamsApp {
  state: StreamsState = 'created';
  private readonly opts: Required<Omit<StreamsOptions, 'log' | 'instanceId' | 'sessionTimeoutMs' | 'processingGuarantee'>> & { instanceId: string; sessionTimeoutMs: number; processingGuarantee: ProcessingGuarantee };
  private readonly log: Logger;
  private readonly kafka: Kafka;
  private admin!: Admin;
  private consumer!: Consumer;
  private reader!: PartitionReader;
  /** Open tasks (starting = restoring, or running); a task leaves this map when its close begins. */
  private readonly tasks = new Map<string, Promise<RunningTask>>();
  /** Tasks being closed: a task opens again only after its close finished (producer, RocksDB lock). */
  private readonly closing = new Map<string, Promise<void>>();
  /** The tasks the group assigned to this member (a batch of any other partition is stale). */
  private readonly assigned = new Map<string, { sub: SubTopology; partition: number }>();
  private readonly subByTopic = new Map<string, SubTopology>();
  private consumerGeneration = 0;
  private ticker: NodeJS.Timeout | null = null;
  private readonly paused = new Set<string>();
  private untrackLag: () => void = () => undefined;

  constructor(opts: StreamsOptions) {
    this.opts = {
      commitIntervalMs: 100, tickMs: 1000, clock: Date.now, inMemoryStores: false,
      instanceId: `${process.pid}`, sessionTimeoutMs: 30_000, processingGuarantee: 'exactly_once', ...opts,
    } as StreamsApp['opts'];
    // The service's logger already names the instance; pino would repeat a key bound twice.
    const named = opts.log?.bindings().instance !== undefined;
    this.log = componentLogger('streams', opts.log).child({ app: opts.appId, ...(named ? {} : { instance: this.opts.instanceId }) });
    this.kafka = createKafka({ brokers: opts.brokers, clientId: `${opts.appId}-${this.opts.instanceId}`, log: this.log });
    for (const sub of opts.topology.subTopologies) for (const t of sub.sourceTopics) this.subByTopic.set(t, sub);
  }

  /** Creates missing topics, joins the group and starts processing. Resolves once consuming. */
  async start(): Promise<void> {
    this.state = 'starting';
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await ensureTopics(this.admin, this.opts.appId, this.opts.topology, this.opts.partitions, this.log);
    this.reader = new PartitionReader(this.kafka);
    await this.runConsumer();
    this.ticker = setInterval(() => void this.tick(), Math.min(this.opts.tickMs, Math.max(this.opts.commitIntervalMs, 50)));
    this.state = 'running';
    this.untrackLag = trackInputLag({ app: this.opts.appId, lag: () => this.groupLag(this.opts.appId, undefined, { checkRecords: false }) });
    this.log.info({ subTopologies: this.opts.topology.subTopologies.length }, 'stream processing started');
  }

  /**
   * Joins the group with the task-aware assignor and consumes. One partition at a time: a batch
   * waits for its task's restore, and commits of different tasks never overlap a rebalance.
   */
  private async runConsumer(): Promise<void> {
    const generation = ++this.consumerGeneration;
    const subs = this.opts.topology.subTopologies.map((s) => ({ id: s.id, topics: s.sourceTopics }));
    const sessionTimeout = this.opts.sessionTimeoutMs;
    const consumer = this.kafka.consumer({
      groupId: this.opts.appId, readUncommitted: false, allowAutoTopicCreation: false,
      sessionTimeout, rebalanceTimeout: Math.max(60_000, sessionTimeout), heartbeatInterval: Math.max(500, Math.min(3_000, Math.floor(sessionTimeout / 5))),
      maxWaitTimeInMs: 100, retry: { retries: 10 },
      partitionAssigners: [taskAssignor({ subs, ownedTasks: () => this.taskIds() })],
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      if (generation === this.consumerGeneration) this.onAssignment(e.payload.memberAssignment);
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.log.error({ err: describeError(e.payload.error), restart: e.payload.restart }, 'consumer crashed');
      if (!e.payload.restart && generation === this.consumerGeneration) void this.replaceConsumer();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...this.subByTopic.keys()], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (p) => this.onBatch(p),
    });
  }

  /** KafkaJS gave up on its consumer: close our tasks (uncommitted work rolls back) and join again with a new one. */
  private async replaceConsumer(): Promise<void> {
    if (this.state !== 'running') return;
    this.consumerGeneration++;
    this.log.warn('replacing the crashed consumer');
    const old = this.consumer;
    this.assigned.clear();
    await Promise.all([...this.tasks.keys()].map((id) => this.closeTask(id, false)));
    await old.disconnect().catch(() => undefined);
    for (;;) {
      if (this.state !== 'running') return;
      try {
        await this.runConsumer();
        return;
      } catch (err) {
        this.log.error({ err: describeError(err) }, 'could not start a new consumer; retrying');
        await this.consumer.disconnect().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }

  /** How far `groupId` (default: this app's group, on every input of the topology) is behind. */
  async groupLag(groupId: string = this.opts.appId, topics: string[] = [...this.subByTopic.keys()], opts: { checkRecords?: boolean } = {}): Promise<PartitionLag[]> {
    if (!this.admin || !this.reader) throw new Error('stream processing has not started');
    return groupLag(this.admin, this.reader, groupId, topics, opts);
  }

  /** The bounds of every partition of `topic` (read_committed). */
  async topicOffsets(topic: string): Promise<PartitionBounds[]> {
    if (!this.reader) throw new Error('stream processing has not started');
    return this.reader.offsets(topic);
  }

  /** The id of the sub-topology that reads `topic`, or undefined when none does (metrics label `subtopology`). */
  subTopologyOf(topic: string): number | undefined {
    return this.subByTopic.get(topic)?.id;
  }

  /** Ids of the tasks this instance owns now. */
  taskIds(): string[] {
    return [...this.tasks.keys()].sort();
  }

  /** Resolves when every assigned task finished restoring. */
  async allTasksReady(): Promise<void> {
    await Promise.all(this.tasks.values());
  }

  /**
   * Operator hook, used only by src/replay (store digests, online rebuild). Visits each task this
   * instance owns now, in id order, once it is ready, inside the task's exclusive section (none of
   * its records, punctuations or commits run meanwhile). `visit` may call `reopen(whileClosed)`:
   * that commits and closes the task, runs `whileClosed()` (e.g. wipes its local state) and starts
   * a fresh task in its place, which restores its stores from the changelogs; it resolves with the
   * fresh task once restored. Until then `tasks` holds the fresh task's promise, so batches and
   * ticks wait for it; batches already queued on the old task are dropped by the guard in onBatch.
   * A task that moved away before its visit is skipped; `reopen` rejects if it moves away meanwhile.
   */
  async visitTasks(visit: (t: TaskVisit) => Promise<void>): Promise<void> {
    for (const id of this.taskIds()) {
      const pending = this.tasks.get(id);
      const rt = await pending?.catch(() => null);
      if (!pending || !rt) continue;
      const sub = this.opts.topology.subTopologies.find((s) => id === `${s.id}_${rt.task.partition}`)!;
      await rt.task.exclusive(async () => {
        if (this.state !== 'running' || this.tasks.get(id) !== pending) return;
        await visit({
          id, running: rt, dir: taskDir(this.opts, id),
          reopen: (whileClosed) => {
            let fresh!: Promise<RunningTask>;
            fresh = (async () => {
              const movedAway = () => new Error(`task ${id} moved to another instance meanwhile`);
              let committed = false;
              try {
                committed = await this.commitTask(id, rt, 'report');
              } finally {
                await stopTask(this.env(), rt); // also after a failed commit: the next start needs the RocksDB lock
              }
              if (this.tasks.get(id) !== fresh) throw movedAway(); // revoked: closeTask dropped it
              if (!committed) throw new Error(`task ${id}: the commit before reopening failed (fenced or broker error)`);
              await whileClosed();
              if (this.tasks.get(id) !== fresh) throw movedAway();
              const next = await startTask(this.env(), sub, rt.task.partition);
              if (this.tasks.get(id) === fresh) this.seekTo(next);
              return next;
            })();
            this.tasks.set(id, fresh);
            fresh.catch((err) => {
              this.log.error({ task: id, err: describeError(err) }, 'reopening task failed; it starts again');
              if (this.tasks.get(id) === fresh) {
                this.tasks.delete(id);
                // Its uncommitted records were rolled back behind the consumer's position: reopen (seeks back).
                this.reopenIfStillOurs(id);
              }
            });
            return fresh;
          },
        });
      });
    }
  }

  /** Finishes the batch in hand, commits every task, closes. */
  async close(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    this.untrackLag();
    if (this.ticker) clearInterval(this.ticker);
    await this.consumer?.stop().catch(() => undefined);
    await Promise.all([...this.tasks.keys()].map((id) => this.closeTask(id, true)));
    await Promise.all(this.closing.values());
    await this.consumer?.disconnect().catch(() => undefined);
    await this.reader?.close().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    this.state = 'stopped';
    this.log.info('stream processing stopped');
  }

  private onAssignment(assignment: Record<string, number[]>): void {
    const wanted = new Map<string, { sub: SubTopology; partition: number }>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      const sub = this.subByTopic.get(topic);
      if (!sub) continue;
      for (const p of partitions) wanted.set(makeTaskId(sub.id, p), { sub, partition: p });
    }
    this.assigned.clear();
    for (const [id, t] of wanted) this.assigned.set(id, t);
    for (const id of [...this.tasks.keys()]) if (!wanted.has(id)) void this.closeTask(id, true);
    // Tasks we keep go on: records the consumer delivers again are below their position and skipped.
    for (const id of wanted.keys()) if (!this.tasks.has(id)) this.openTask(id);
    streamsMetrics.tasks.set({ app: this.opts.appId }, wanted.size);
    this.log.info({ tasks: [...wanted.keys()].sort() }, 'partitions assigned');
  }

  private async onBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const sub = this.subByTopic.get(batch.topic)!;
    const id = makeTaskId(sub.id, batch.partition);
    if (!this.assigned.has(id)) return; // revoked while fetched
    const pending = this.tasks.get(id) ?? this.openTask(id);
    if (!pending) return;
    const rt = await this.awaitWithHeartbeat(pending, heartbeat).catch(() => null);
    if (!rt) return; // failed to start; openTask retries
    const { task } = rt;
    await task.exclusive(async () => {
      if (this.tasks.get(id) !== pending) return; // closed meanwhile
      // Prefetch hint: processors may start their DFØ GETs for the batch's records now instead of
      // one at a time as each record is processed (Processor.prefetch).
      const keys = batch.messages.map((m) => m.key?.toString('utf8') ?? '');
      task.prefetch(batch.topic, keys);
      for (const [i, m] of batch.messages.entries()) {
        // isStale: we seeked this partition (task start or rewind); the batch was fetched before.
        // A task replaced meanwhile (visitTasks' reopen): leave the records unresolved; they come again.
        if (!isRunning() || isStale() || this.state !== 'running' || this.tasks.get(id) !== pending) break;
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
          if (await this.commitTask(id, rt)) {
            this.seekTo(rt);
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
      if (task.now() - task.lastCommitAt >= this.opts.commitIntervalMs) await this.commitTask(id, rt);
    });
    await heartbeat().catch(() => undefined);
  }

  /** Punctuates and commits every task whose interval elapsed. */
  private async tick(): Promise<void> {
    if (this.state !== 'running') return;
    for (const [id, pending] of this.tasks) {
      const rt = await Promise.race([pending, Promise.resolve(null)]).catch(() => null);
      if (!rt) continue;
      void rt.task.exclusive(async () => {
        if (this.state !== 'running' || this.tasks.get(id) !== pending) return;
        try {
          await rt.task.punctuate();
        } catch (err) {
          this.log.error({ task: id, err: describeError(err) }, 'punctuation failed; rolled back');
          this.rewind(rt);
          return;
        }
        if (rt.task.now() - rt.task.lastCommitAt >= this.opts.commitIntervalMs) await this.commitTask(id, rt);
      }).catch((err) => this.log.error({ task: id, err: describeError(err) }, 'tick failed'));
    }
  }

  /**
   * Commits the task (call inside its `exclusive`). True when committed (or nothing to commit).
   * On failure the task's uncommitted work is gone (rolled back): the task is closed and, if still
   * ours, opened again — a new producer, and the input rewound to the committed offsets.
   */
  private async commitTask(id: string, rt: RunningTask, onFailure: 'close' | 'report' = 'close'): Promise<boolean> {
    if (!rt.task.hasPending) return true;
    const end = streamsMetrics.commitSeconds.startTimer();
    try {
      const written = await rt.task.commit();
      for (const [topic, next] of written) {
        const store = [...rt.stores.keys()].find((s) => topic === `${this.opts.appId}-${s}-changelog`);
        if (store) rt.checkpoint[store] = next.toString();
      }
      for (const [topic, next] of rt.next) rt.committed.set(topic, next);
      streamsMetrics.commits.inc({ app: this.opts.appId });
      return true;
    } catch (err) {
      streamsMetrics.commitFailures.inc({ app: this.opts.appId });
      const fenced = err instanceof TaskMigratedError;
      if (fenced) this.log.warn({ task: id }, 'task fenced by another instance; closing it');
      else this.log.error({ task: id, err: describeError(err) }, 'commit failed; rolled back');
      if (onFailure === 'report') return false;
      // Fenced: its new owner has it, and our own rebalance follows. Else: a new producer, from the committed offsets.
      void this.closeTask(id, false).then(() => { if (!fenced) this.reopenIfStillOurs(id); });
      return false;
    } finally {
      end();
    }
  }

  private reopenIfStillOurs(id: string): void {
    if (this.assigned.has(id) && !this.tasks.has(id) && this.state === 'running') this.openTask(id);
  }

  /** Drops the task's uncommitted work and moves its input back to the committed offsets. */
  private rewind(rt: RunningTask): void {
    rt.task.rollback();
    this.seekTo(rt);
  }

  /** Sets the task's position to its committed offsets and seeks the consumer there. */
  private seekTo(rt: RunningTask): void {
    for (const [topic, offset] of rt.committed) {
      rt.next.set(topic, offset);
      try {
        this.consumer.seek({ topic, partition: rt.task.partition, offset: offset.toString() });
      } catch (err) {
        this.log.warn({ task: rt.task.id, topic, err: describeError(err) }, 'seek failed');
      }
    }
  }

  /**
   * Starts an assigned task: fences the previous owner, restores its stores (the batch waits,
   * heartbeating), then seeks its inputs to the committed offsets. Retried while still assigned.
   */
  private openTask(id: string): Promise<RunningTask> | undefined {
    const t = this.assigned.get(id);
    if (!t || this.state !== 'running' && this.state !== 'starting') return undefined;
    const prior = this.closing.get(id);
    const start = () => startTask(this.env(), t.sub, t.partition);
    const p = (prior ? prior.then(start) : start()).then((rt) => {
      if (this.tasks.get(id) === p) this.seekTo(rt);
      return rt;
    });
    this.tasks.set(id, p);
    p.catch((err) => {
      this.log.error({ task: id, err: describeError(err) }, 'task failed to start; retrying');
      if (this.tasks.get(id) === p) this.tasks.delete(id);
      setTimeout(() => this.reopenIfStillOurs(id), 1000).unref();
    });
    return p;
  }

  /**
   * Closes a task: after the work queued on it, commits (revocation, shutdown) or rolls back
   * (fenced, failed), then closes its producer and stores. The counterpart of `openTask`.
   */
  private closeTask(id: string, commit: boolean): Promise<void> {
    const pending = this.tasks.get(id);
    if (!pending) return this.closing.get(id) ?? Promise.resolve();
    this.tasks.delete(id);
    const done = (async () => {
      const rt = await pending.catch(() => null);
      if (!rt) return;
      await rt.task.exclusive(async () => {
        if (commit) await this.commitTask(id, rt);
        else rt.task.rollback();
        await stopTask(this.env(), rt);
      }).catch((err) => this.log.error({ task: id, err: describeError(err) }, 'closing task failed'));
      this.log.info({ task: id }, 'task closed');
    })().finally(() => { if (this.closing.get(id) === done) this.closing.delete(id); });
    this.closing.set(id, done);
    return done;
  }

  private serdeOf(sub: SubTopology, topic: string) {
    for (const n of sub.nodes.values()) if (n.kind === 'source' && n.topics.includes(topic)) return n.serde;
    throw new Error(`no source reads ${topic}`);
  }

  private pauseFor(topic: string, partition: number, ms: number): void {
    const k = `${topic}/${partition}`;
    if (this.paused.has(k)) return;
    this.paused.add(k);
    this.consumer.pause([{ topic, partitions: [partition] }]);
    setTimeout(() => {
      this.paused.delete(k);
      if (this.state === 'running') this.consumer.resume([{ topic, partitions: [partition] }]);
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
      return !REBALANCING.test(`${(err as { type?: string })?.type ?? ''} ${(err as Error)?.message ?? ''}`);
    }
  }

  private env(): TaskEnv {
    return {
      appId: this.opts.appId, kafka: this.kafka, admin: this.admin, reader: this.reader, stateDir: this.opts.stateDir,
      inMemoryStores: this.opts.inMemoryStores, deadLetterTopic: this.opts.deadLetterTopic, clock: this.opts.clock, log: this.log,
      guarantee: this.opts.processingGuarantee,
      commitOffsets: (offsets) => this.consumer.commitOffsets(offsets),
    };
  }
}
