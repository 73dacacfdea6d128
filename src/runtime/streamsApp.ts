/**
 * Runs a topology on Kafka as one member of the consumer group `<appId>` (Kafka Streams'
 * KafkaStreams): one task per input partition of each sub-topology, exactly-once (a transactional
 * producer per task, or with exactly_once_v2 one per instance: internals/instanceCommitter.ts),
 * restore before processing, wall-clock punctuation, graceful close. Eager rebalancing (what
 * KafkaJS has): a task that moves away is fenced by its new owner (per task) or by the group
 * generation (v2), so an open transaction can never double output.
 *
 * This is the facade the app and the operator features hold: start, close, state and the queries
 * they ask. The work is done by the stream thread (internals/streamThread.ts: the consumer and its
 * batch loop) and the task manager (internals/taskManager.ts: the tasks and their lifecycle).
 */
import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { componentLogger, type Logger } from '../common/log.ts';
import type { BuiltTopology } from './api/topologyBuilder.ts';
import type { Serde } from './api/serde.ts';
import { createKafka, type Kafka } from './kafka/client.ts';
import type { MemberRegistry } from './kafka/memberRegistry.ts';
import { PartitionReader, type PartitionBounds } from './kafka/partitionReader.ts';
import { trackInputLag } from './internals/lagMetric.ts';
import { InstanceCommitter } from './internals/instanceCommitter.ts';
import { StreamThread } from './internals/streamThread.ts';
import type { ProcessingGuarantee, TaskEnv } from './internals/taskFactory.ts';
import { TaskManager, type StreamsState, type TaskVisit } from './internals/taskManager.ts';
import { ensureTopics } from './internals/topics.ts';
import { groupLag, type PartitionLag } from './ops/groupLag.ts';

export type { StreamsState, TaskVisit };

export interface StreamsOptions {
  appId: string;
  brokers: string[];
  topology: BuiltTopology;
  stateDir: string;
  /** Partitions of the topics the runtime creates (inputs of one sub-topology must match). */
  partitions: number;
  deadLetterTopic: string;
  /**
   * Value serdes by topic, supplied by the application (e.g. a schema registry's wire format): each
   * replaces the serde of every sink that writes its topic, and the one of the dead-letter topic
   * also writes the runtime's own dead letters. Topics not named keep their sinks' serdes.
   */
  valueSerdes?: ReadonlyMap<string, Serde<unknown>>;
  commitIntervalMs?: number;
  /** How often due punctuations are checked. */
  tickMs?: number;
  clock?: () => number;
  inMemoryStores?: boolean;
  instanceId?: string;
  /** Group session timeout: how soon a killed member's tasks move to the others (default 30 s). */
  sessionTimeoutMs?: number;
  /**
   * exactly_once (default): a transactional producer per task, one transaction per task commit;
   * exactly_once_v2: one producer per instance, one transaction per commit interval for all its
   * tasks (KIP-447); at_least_once: for comparison only.
   */
  processingGuarantee?: ProcessingGuarantee;
  /** The state folder's member ids: a restarted instance rejoins the group as the member it was. */
  members?: MemberRegistry;
  log?: Logger;
}

export class StreamsApp {
  state: StreamsState = 'created';
  private readonly opts: StreamsOptions & Required<Pick<StreamsOptions, 'commitIntervalMs' | 'tickMs' | 'clock' | 'inMemoryStores' | 'instanceId' | 'sessionTimeoutMs' | 'processingGuarantee'>>;
  private readonly log: Logger;
  private readonly kafka: Kafka;
  private readonly tasks: TaskManager;
  private readonly thread: StreamThread;
  private admin: Admin | null = null;
  private reader: PartitionReader | null = null;
  private committer: InstanceCommitter | null = null;
  private untrackLag: () => void = () => undefined;

  constructor(opts: StreamsOptions) {
    this.opts = {
      commitIntervalMs: 100, tickMs: 1000, clock: Date.now, inMemoryStores: false,
      instanceId: `${process.pid}`, sessionTimeoutMs: 30_000, processingGuarantee: 'exactly_once_v2', ...opts,
    };
    // The service's logger already names the instance; pino would repeat a key bound twice.
    const named = opts.log?.bindings().instance !== undefined;
    this.log = componentLogger('streams', opts.log).child({ app: opts.appId, ...(named ? {} : { instance: this.opts.instanceId }) });
    this.kafka = createKafka({ brokers: opts.brokers, clientId: `${opts.appId}-${this.opts.instanceId}`, log: this.log });
    const state = () => this.state;
    const instanceTransactions = this.opts.processingGuarantee === 'exactly_once_v2';
    this.tasks = new TaskManager({
      appId: opts.appId, topology: opts.topology, log: this.log, state, env: () => this.taskEnv(), instanceTransactions,
      seek: (topic, partition, offset) => this.thread.seek(topic, partition, offset),
    });
    this.thread = new StreamThread({
      appId: opts.appId, topology: opts.topology, kafka: this.kafka, tasks: this.tasks, state, log: this.log,
      sessionTimeoutMs: this.opts.sessionTimeoutMs, commitIntervalMs: this.opts.commitIntervalMs, tickMs: this.opts.tickMs, instanceTransactions,
      ...(opts.members ? { members: opts.members } : {}),
    });
  }

  /** Creates missing topics, joins the group and starts processing. Resolves once consuming. */
  async start(): Promise<void> {
    this.state = 'starting';
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await ensureTopics(this.admin, this.opts.appId, this.opts.topology, this.opts.partitions, this.log);
    this.reader = new PartitionReader(this.kafka);
    if (this.opts.processingGuarantee === 'exactly_once_v2') {
      // The state folder's process id: a restarted instance aborts what its predecessor left open.
      const transactionalId = `${this.opts.appId}-${this.opts.members?.processId ?? randomUUID()}`;
      this.committer = await InstanceCommitter.create({ kafka: this.kafka, groupId: this.opts.appId, transactionalId, groupMetadata: () => this.thread.membership(), log: this.log });
      this.log.info({ transactionalId }, 'exactly-once v2: one transactional producer for all tasks of this instance');
    }
    await this.thread.start();
    this.state = 'running';
    this.untrackLag = trackInputLag({ app: this.opts.appId, lag: () => this.groupLag(this.opts.appId, undefined, { checkRecords: false }) });
    this.log.info({ subTopologies: this.opts.topology.subTopologies.length }, 'stream processing started');
  }

  /** Finishes the batch in hand, commits every task, closes. */
  async close(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    this.untrackLag();
    await this.thread.stop();
    await this.tasks.closeAll();
    await this.committer?.close();
    await this.thread.disconnect();
    await this.reader?.close().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    this.state = 'stopped';
    this.log.info('stream processing stopped');
  }

  /** How far `groupId` (default: this app's group, on every input of the topology) is behind. */
  async groupLag(groupId: string = this.opts.appId, topics: string[] = this.thread.inputTopics(), opts: { checkRecords?: boolean } = {}): Promise<PartitionLag[]> {
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
    return this.thread.subTopologyOf(topic);
  }

  /** Ids of the tasks this instance owns now. */
  taskIds(): string[] {
    return this.tasks.ids();
  }

  /** Resolves when every assigned task finished restoring. */
  async allTasksReady(): Promise<void> {
    await this.tasks.allReady();
  }

  /**
   * Operator hook (ops/operations.ts: store digests, online rebuild): visits each task this
   * instance owns now, inside its exclusive section, and may reopen it on wiped local state.
   * TaskManager.visit says exactly how.
   */
  async visitTasks(visit: (t: TaskVisit) => Promise<void>): Promise<void> {
    await this.tasks.visit(visit);
  }

  private taskEnv(): TaskEnv {
    if (!this.admin || !this.reader) throw new Error('stream processing has not started');
    return {
      appId: this.opts.appId, kafka: this.kafka, admin: this.admin, reader: this.reader, stateDir: this.opts.stateDir,
      inMemoryStores: this.opts.inMemoryStores, deadLetterTopic: this.opts.deadLetterTopic,
      ...(this.opts.valueSerdes ? { valueSerdes: this.opts.valueSerdes } : {}), clock: this.opts.clock, log: this.log,
      guarantee: this.opts.processingGuarantee,
      commitOffsets: (offsets) => this.thread.commitOffsets(offsets),
      ...(this.committer ? { instanceCommitter: this.committer } : {}),
    };
  }
}
