/**
 * TopologyTestDriver: runs a topology in memory, without a broker (Kafka Streams' driver of the
 * same name). Every input is processed and committed at once; records written to a topic that
 * another sub-topology reads are fed to it, until nothing is left to do.
 */
import { rootLogger } from '../../common/log.ts';
import { parseJsonValue } from '../../common/wireFormat.ts';
import { BufferedStore } from '../../stores/bufferedStore.ts';
import type { KeyValueStore } from '../../stores/keyValueStore.ts';
import { MemoryBytesStore } from '../../stores/memoryBytesStore.ts';
import { StreamTask, type CommitBatch, type OutputRecord, type TaskCommitter } from '../internals/task.ts';
import { changelogTopic, type BuiltTopology, type SubTopology } from '../api/topologyBuilder.ts';
import type { Serde } from '../api/serde.ts';

export interface DriverRecord<V = unknown> { key: string; value: V; headers: Record<string, string>; timestamp: number }

export class TopologyTestDriver {
  private readonly topology: BuiltTopology;
  private readonly tasks = new Map<number, StreamTask>();
  private readonly stores = new Map<string, BufferedStore<unknown>>();
  private readonly log = new Map<string, OutputRecord[]>();
  private readonly read = new Map<string, number>();
  private readonly offsets = new Map<string, number>();
  private now: number;
  private pendingCommit: OutputRecord[] = [];
  private readonly prefetch: boolean;

  /**
   * `prefetch`: hand each batch's keys to the tasks first (Processor.prefetch), as the runtime does
   * with a fetched batch; a batch is the records of one pipeInputs call, then each round of outputs.
   * `valueSerdes`: the application's value serdes by topic, as StreamsOptions.valueSerdes.
   */
  constructor(topology: BuiltTopology, opts: { startTime?: Date | number; appId?: string; deadLetterTopic?: string; prefetch?: boolean; valueSerdes?: ReadonlyMap<string, Serde<unknown>> } = {}) {
    this.topology = topology;
    this.prefetch = opts.prefetch ?? false;
    this.now = opts.startTime === undefined ? Date.now() : Number(opts.startTime);
    const appId = opts.appId ?? 'test';
    const committer: TaskCommitter = {
      commit: async (b: CommitBatch) => {
        this.pendingCommit.push(...b.outputs);
        return new Map();
      },
      abort: async () => undefined,
    };
    for (const sub of topology.subTopologies) {
      const stores = new Map<string, BufferedStore<unknown>>();
      for (const s of sub.stores) {
        const store = new BufferedStore<unknown>(new MemoryBytesStore(s.name));
        stores.set(s.name, store);
        this.stores.set(s.name, store);
      }
      this.tasks.set(sub.id, new StreamTask({
        taskId: `${sub.id}_0`, partition: 0, sub, stores, committer, clock: () => this.now,
        deadLetterTopic: opts.deadLetterTopic ?? `${appId}.dlq`, log: rootLogger.child({ component: 'test-driver' }),
        changelogTopicOf: (s) => changelogTopic(appId, s), ...(opts.valueSerdes ? { valueSerdes: opts.valueSerdes } : {}),
      }));
    }
  }

  async init(): Promise<this> {
    for (const t of this.tasks.values()) await t.init();
    await this.settle();
    return this;
  }

  get currentTime(): number {
    return this.now;
  }

  /** Feeds one record to every sub-topology reading `topic`, then runs everything it causes. */
  async pipeInput<V>(topic: string, key: string, value: V, headers: Record<string, string> = {}): Promise<void> {
    await this.deliver({ topic, key, value: value === null ? null : Buffer.from(JSON.stringify(value)), headers, timestamp: this.now });
    await this.settle();
  }

  /** Feeds several records to `topic` as one batch (one prefetch hint), then runs everything they cause. */
  async pipeInputs<V>(topic: string, records: ReadonlyArray<{ key: string; value: V; headers?: Record<string, string> }>): Promise<void> {
    const batch = records.map((r): OutputRecord => ({ topic, key: r.key, value: r.value === null ? null : Buffer.from(JSON.stringify(r.value)), headers: r.headers ?? {}, timestamp: this.now }));
    await this.deliverBatch(batch);
    await this.settle();
  }

  /** Moves the wall clock and runs due punctuations. */
  async advanceWallClockTime(ms: number): Promise<void> {
    this.now += ms;
    for (const t of this.tasks.values()) {
      await t.punctuate();
      await t.commit();
    }
    await this.settle();
  }

  async setWallClockTime(at: Date | number): Promise<void> {
    await this.advanceWallClockTime(Number(at) - this.now);
  }

  /** Records written to `topic` since the last read. */
  /** Every record written to `topic` so far, its value as the bytes written (does not move readOutput's position). */
  writtenBytes(topic: string): Array<{ key: string; value: Buffer | null }> {
    return (this.log.get(topic) ?? []).map((r) => ({ key: r.key, value: r.value }));
  }

  readOutput<V = unknown>(topic: string): Array<DriverRecord<V>> {
    const all = this.log.get(topic) ?? [];
    const from = this.read.get(topic) ?? 0;
    this.read.set(topic, all.length);
    return all.slice(from).map((r) => ({ key: r.key, value: r.value === null ? (null as V) : (parseJsonValue(r.value) as V), headers: r.headers, timestamp: r.timestamp }));
  }

  getStore<V>(name: string): KeyValueStore<V> {
    const s = this.stores.get(name);
    if (!s) throw new Error(`no store ${name}`);
    return s as unknown as KeyValueStore<V>;
  }

  async close(): Promise<void> {
    for (const t of this.tasks.values()) await t.close();
  }

  private async settle(): Promise<void> {
    for (let rounds = 0; this.pendingCommit.length > 0; rounds++) {
      if (rounds > 10_000) throw new Error('topology does not settle (a cycle that never ends?)');
      const batch = this.pendingCommit;
      this.pendingCommit = [];
      await this.deliverBatch(batch);
    }
  }

  private async deliverBatch(batch: OutputRecord[]): Promise<void> {
    if (this.prefetch) {
      for (const sub of this.topology.subTopologies) {
        for (const topic of sub.sourceTopics) {
          const keys = batch.filter((r) => r.topic === topic).map((r) => r.key);
          if (keys.length > 0) this.tasks.get(sub.id)!.prefetch(topic, keys);
        }
      }
    }
    for (const r of batch) await this.deliver(r);
  }

  private async deliver(r: OutputRecord): Promise<void> {
    const written = this.log.get(r.topic);
    if (written) written.push(r);
    else this.log.set(r.topic, [r]);
    for (const sub of this.topology.subTopologies) {
      if (!sub.sourceTopics.includes(r.topic)) continue;
      const task = this.tasks.get(sub.id)!;
      const offset = this.offsets.get(r.topic) ?? 0;
      this.offsets.set(r.topic, offset + 1);
      await task.process(r.topic, { key: r.key, value: this.deserialize(sub, r.topic, r.value), timestamp: r.timestamp, headers: r.headers, offset: String(offset) }, r.value);
      await task.commit();
    }
  }

  private deserialize(sub: SubTopology, topic: string, value: Buffer | null): unknown {
    for (const n of sub.nodes.values()) if (n.kind === 'source' && n.topics.includes(topic)) return n.serde.deserialize(value);
    return null;
  }
}
