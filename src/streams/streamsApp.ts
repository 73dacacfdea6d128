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
import { PartitionReader } from './internals/partitionReader.ts';
import { startTask, stopTask, type RunningTask, type TaskEnv } from './internals/taskFactory.ts';
import { ensureTopics } from './internals/topics.ts';
import { describeError, isRetriable, TaskMigratedError } from './errors.ts';
import type { BuiltTopology, SubTopology } from './topology.ts';

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
  log?: Logger;
}

export class StreamsApp {
  state: StreamsState = 'created';
  private readonly opts: Required<Omit<StreamsOptions, 'log' | 'instanceId'>> & { instanceId: string };
  private readonly log: Logger;
  private readonly kafka: Kafka;
  private admin!: Admin;
  private consumer!: Consumer;
  private reader!: PartitionReader;
  private readonly tasks = new Map<string, Promise<RunningTask>>();
  private readonly subByTopic = new Map<string, SubTopology>();
  /** Per task and topic: an offset we seeked back to; later records are skipped until it comes again. */
  private readonly rewound = new Map<string, bigint>();
  private ticker: NodeJS.Timeout | null = null;
  private readonly paused = new Set<string>();

  constructor(opts: StreamsOptions) {
    this.opts = {
      commitIntervalMs: 100, tickMs: 1000, clock: Date.now, inMemoryStores: false,
      instanceId: `${process.pid}`, ...opts,
    } as StreamsApp['opts'];
    this.log = componentLogger('streams', opts.log).child({ app: opts.appId, instance: this.opts.instanceId });
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
    this.consumer = this.kafka.consumer({
      groupId: this.opts.appId, readUncommitted: false, allowAutoTopicCreation: false,
      sessionTimeout: 30_000, rebalanceTimeout: 60_000, heartbeatInterval: 3_000, maxWaitTimeInMs: 100,
      retry: { retries: 10 },
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => this.onAssignment(e.payload.memberAssignment));
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      this.log.error({ err: describeError(e.payload.error), restart: e.payload.restart }, 'consumer crashed');
      if (!e.payload.restart) this.state = 'failed';
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...this.subByTopic.keys()], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: (p) => this.onBatch(p),
    });
    this.ticker = setInterval(() => void this.tick(), Math.min(this.opts.tickMs, Math.max(this.opts.commitIntervalMs, 50)));
    this.state = 'running';
    this.log.info({ subTopologies: this.opts.topology.subTopologies.length }, 'stream processing started');
  }

  /** Ids of the tasks this instance owns now. */
  taskIds(): string[] {
    return [...this.tasks.keys()].sort();
  }

  /** Resolves when every assigned task finished restoring. */
  async allTasksReady(): Promise<void> {
    await Promise.all(this.tasks.values());
  }

  /** Finishes the batch in hand, commits every task, closes. */
  async close(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    if (this.ticker) clearInterval(this.ticker);
    await this.consumer?.stop().catch(() => undefined);
    await Promise.all([...this.tasks.keys()].map((id) => this.closeTask(id, true)));
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
      for (const p of partitions) wanted.set(`${sub.id}_${p}`, { sub, partition: p });
    }
    for (const id of [...this.tasks.keys()]) if (!wanted.has(id)) void this.closeTask(id, true);
    for (const [id, { sub, partition }] of wanted) {
      if (this.tasks.has(id)) continue;
      const p = startTask(this.env(), sub, partition);
      p.catch((err) => {
        this.log.error({ task: id, err: describeError(err) }, 'task failed to start; will retry on the next batch');
        this.tasks.delete(id);
      });
      this.tasks.set(id, p);
    }
    streamsMetrics.tasks.set({ app: this.opts.appId }, wanted.size);
    this.log.info({ tasks: [...wanted.keys()].sort() }, 'partitions assigned');
  }

  private async onBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload): Promise<void> {
    const sub = this.subByTopic.get(batch.topic)!;
    const id = `${sub.id}_${batch.partition}`;
    let pending = this.tasks.get(id);
    if (!pending) {
      pending = startTask(this.env(), sub, batch.partition);
      this.tasks.set(id, pending);
    }
    const rt = await this.awaitWithHeartbeat(pending, heartbeat);
    const { task } = rt;
    const key = `${id}/${batch.topic}`;
    await task.exclusive(async () => {
      // Prefetch hint (perf): processors may start their DFØ GETs for the batch's records now
      // instead of one at a time as each record is processed (Processor.prefetch).
      task.prefetch(batch.topic, batch.messages.map((m) => m.key?.toString('utf8') ?? ''));
      for (const m of batch.messages) {
        if (!isRunning() || isStale() || this.state !== 'running') break;
        const offset = BigInt(m.offset);
        const rewoundTo = this.rewound.get(key);
        if (rewoundTo !== undefined) {
          if (offset !== rewoundTo) continue; // a batch fetched before our seek
          this.rewound.delete(key);
        }
        const committed = rt.committed.get(batch.topic) ?? 0n;
        if (offset < committed) { resolveOffset(m.offset); continue; } // processed by an earlier owner
        let value: unknown;
        try {
          value = this.serdeOf(sub, batch.topic).deserialize(m.value);
        } catch (err) {
          task.deadLetter(`cannot deserialise value: ${describeError(err)}`, m.key?.toString() ?? null, m.value);
          task.markConsumed(batch.topic, offset + 1n);
          resolveOffset(m.offset);
          continue;
        }
        const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, v?.toString() ?? '']));
        try {
          await task.process(batch.topic, { key: m.key?.toString('utf8') ?? '', value, timestamp: Number(m.timestamp), headers, offset: m.offset }, m.value);
        } catch (err) {
          if (!isRetriable(err)) throw err;
          // The processor left its stores untouched (processor contract); keep what came before it.
          this.log.warn({ task: id, offset: m.offset, err: describeError(err) }, 'retriable processing failure; will retry');
          await this.commitTask(id, rt);
          this.rewound.set(key, offset);
          this.consumer.seek({ topic: batch.topic, partition: batch.partition, offset: m.offset });
          this.pauseFor(batch.topic, batch.partition, 1000);
          break;
        }
        streamsMetrics.processed.inc({ app: this.opts.appId, subtopology: String(sub.id) });
        resolveOffset(m.offset);
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
          rt.task.rollback();
          return;
        }
        if (rt.task.now() - rt.task.lastCommitAt >= this.opts.commitIntervalMs) await this.commitTask(id, rt);
      }).catch((err) => this.log.error({ task: id, err: describeError(err) }, 'tick failed'));
    }
  }

  private async commitTask(id: string, rt: RunningTask): Promise<void> {
    if (!rt.task.hasPending) return;
    const end = streamsMetrics.commitSeconds.startTimer();
    try {
      const written = await rt.task.commit();
      for (const [topic, next] of written) {
        const store = [...rt.stores.keys()].find((s) => topic === `${this.opts.appId}-${s}-changelog`);
        if (store) rt.checkpoint[store] = next.toString();
      }
      streamsMetrics.commits.inc({ app: this.opts.appId });
    } catch (err) {
      streamsMetrics.commitFailures.inc({ app: this.opts.appId });
      if (err instanceof TaskMigratedError) {
        this.log.warn({ task: id }, 'task fenced by another instance; closing it');
        void this.closeTask(id, false);
        return;
      }
      this.log.error({ task: id, err: describeError(err) }, 'commit failed; the group will rewind the task');
      void this.closeTask(id, false);
      throw err;
    } finally {
      end();
    }
  }

  private async closeTask(id: string, commit: boolean): Promise<void> {
    const pending = this.tasks.get(id);
    if (!pending) return;
    this.tasks.delete(id);
    const rt = await pending.catch(() => null);
    if (!rt) return;
    await rt.task.exclusive(async () => {
      if (commit) await this.commitTask(id, rt).catch(() => undefined);
      else rt.task.rollback();
      await stopTask(this.env(), rt);
    }).catch((err) => this.log.error({ task: id, err: describeError(err) }, 'closing task failed'));
    this.log.info({ task: id }, 'task closed');
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

  private async awaitWithHeartbeat<T>(p: Promise<T>, heartbeat: () => Promise<void>): Promise<T> {
    for (;;) {
      const r = await Promise.race([p.then((v) => ({ v })), new Promise<null>((res) => setTimeout(() => res(null), 1000))]);
      if (r) return r.v;
      await heartbeat().catch(() => undefined);
    }
  }

  private env(): TaskEnv {
    return {
      appId: this.opts.appId, kafka: this.kafka, admin: this.admin, reader: this.reader, stateDir: this.opts.stateDir,
      inMemoryStores: this.opts.inMemoryStores, deadLetterTopic: this.opts.deadLetterTopic, clock: this.opts.clock, log: this.log,
    };
  }
}
