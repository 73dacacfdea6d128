/**
 * One task: one partition of one sub-topology. Owns the processor instances, the task's stores and
 * the records produced since the last commit; commits them with the input offsets atomically
 * through a TaskCommitter (a Kafka transaction in production, memory in the test driver).
 */
import type { Logger } from '../../common/log.ts';
import { BufferedStore } from '../../stores/bufferedStore.ts';
import type { Processor, ProcessorContext, RecordOrigin, StreamRecord } from '../api/processor.ts';
import { record as makeRecord } from '../api/processor.ts';
import type { SubTopology, TopologyNode } from '../api/topologyBuilder.ts';
import { describeError, isRetriable } from '../api/errors.ts';
import type { Serde } from '../api/serde.ts';

export interface OutputRecord {
  topic: string;
  key: string;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Production time (real time, so topic retention works whatever the business clock says). */
  timestamp: number;
  /** Set for changelog records (same partition as the task); else partitioned by key. */
  partition?: number;
}

export interface CommitBatch {
  outputs: OutputRecord[];
  /** Next offsets to consume, per source topic of this task. */
  offsets: Array<{ topic: string; partition: number; offset: string }>;
}

export interface TaskCommitter {
  /** Commits outputs and offsets atomically; returns the next changelog offset per topic written. */
  commit(batch: CommitBatch): Promise<Map<string, bigint>>;
  /** Forgets an open transaction, if any. */
  abort(): Promise<void>;
}

interface Punctuation { intervalMs: number; due: number; fn: (now: number) => Promise<void> }

export interface TaskOptions {
  taskId: string;
  partition: number;
  sub: SubTopology;
  stores: Map<string, BufferedStore<unknown>>;
  changelogTopicOf: (store: string) => string;
  committer: TaskCommitter;
  /** Business wall clock (injectable): what processors see as now. */
  clock: () => number;
  /** Monotonic time for intervals (punctuation, commit); defaults to `clock`. */
  timer?: () => number;
  deadLetterTopic: string;
  /** Value serdes by topic that replace the sinks' own (and write the runtime's dead letters, for the dead-letter topic). */
  valueSerdes?: ReadonlyMap<string, Serde<unknown>>;
  log: Logger;
}

export class StreamTask {
  readonly id: string;
  readonly partition: number;
  private readonly opts: TaskOptions;
  private readonly processors = new Map<string, Processor>();
  private readonly punctuations: Punctuation[] = [];
  private readonly queue: Array<{ node: string; record: StreamRecord }> = [];
  private outputs: OutputRecord[] = [];
  private readonly consumed = new Map<string, bigint>();
  private origin: RecordOrigin | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  /** The pipelined commit in flight (startCommit), settled either way. */
  private inFlight: Promise<void> | null = null;
  /** A pipelined commit failed: the task must close; it commits nothing more. */
  private commitFailed = false;
  /** Records processed since the last commit. */
  uncommitted = 0;
  lastCommitAt = 0;

  constructor(opts: TaskOptions) {
    this.opts = opts;
    this.id = opts.taskId;
    this.partition = opts.partition;
  }

  async init(): Promise<void> {
    for (const node of this.opts.sub.nodes.values()) {
      if (node.kind !== 'processor') continue;
      const p = node.supplier();
      this.processors.set(node.name, p);
      await p.init?.(this.contextFor(node));
    }
  }

  /** Runs `fn` after everything queued on this task: process, punctuate and commit never interleave. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Processes one input record. Non-retriable failures are dead-lettered; retriable ones throw. */
  async process(topic: string, rec: { key: string; value: unknown; timestamp: number; headers: Record<string, string>; offset: string }, raw: Buffer | null): Promise<void> {
    this.origin = { topic, partition: this.partition, offset: rec.offset };
    try {
      for (const node of this.opts.sub.nodes.values()) {
        if (node.kind === 'source' && node.topics.includes(topic)) {
          for (const child of node.children) this.queue.push({ node: child, record: makeRecord(rec.key, rec.value, rec.timestamp, rec.headers) });
        }
      }
      await this.drain();
    } catch (err) {
      this.queue.length = 0;
      if (isRetriable(err)) throw err;
      this.deadLetter(`processing failed: ${describeError(err)}`, rec.key, raw, rec.headers);
    } finally {
      this.origin = null;
    }
    this.consumed.set(topic, BigInt(rec.offset) + 1n);
    this.uncommitted++;
  }

  /**
   * Hints the processors reading `topic` that records with these keys come next (Processor.prefetch).
   * Only a hint: a processor that fails to act on it is logged and processing goes on as usual.
   */
  prefetch(topic: string, keys: readonly string[]): void {
    for (const node of this.opts.sub.nodes.values()) {
      if (node.kind !== 'source' || !node.topics.includes(topic)) continue;
      for (const child of node.children) {
        try {
          this.processors.get(child)?.prefetch?.(keys);
        } catch (err) {
          this.opts.log.warn({ processor: child, err: describeError(err) }, 'prefetch hint failed; ignored');
        }
      }
    }
  }

  /** A record that could not be deserialised or processed: kept with its reason on the DLQ topic. */
  deadLetter(reason: string, key: string | null, raw: Buffer | null, headers: Record<string, string> = {}, origin: RecordOrigin | null = this.origin): void {
    const o = origin;
    this.opts.log.warn({ reason, origin: o }, 'record dead-lettered');
    const record = { reason, source: `task ${this.id}`, origin: o, key, headers, valueBase64: raw?.toString('base64') ?? null, at: new Date(this.opts.clock()).toISOString() };
    const serde = this.opts.valueSerdes?.get(this.opts.deadLetterTopic);
    this.outputs.push({
      topic: this.opts.deadLetterTopic,
      key: key ?? '',
      value: serde ? serde.serialize(record) : Buffer.from(JSON.stringify(record)),
      headers: {},
      timestamp: Date.now(),
    });
  }

  markConsumed(topic: string, offset: bigint): void {
    this.consumed.set(topic, offset);
  }

  /** Monotonic time of the task's intervals. */
  now(): number {
    return (this.opts.timer ?? this.opts.clock)();
  }

  /** Runs every due punctuation (due by the interval timer; `fn` gets the business clock). */
  async punctuate(): Promise<void> {
    const now = this.now();
    for (const p of this.punctuations) {
      if (p.due > now) continue;
      p.due = now + p.intervalMs;
      await p.fn(this.opts.clock());
      await this.drain();
    }
  }

  /** Whether the pending work includes input offsets (a punctuation's output alone has none). */
  get hasOffsets(): boolean {
    return this.consumed.size > 0;
  }

  get hasPending(): boolean {
    return this.outputs.length > 0 || this.consumed.size > 0 || [...this.opts.stores.values()].some((s) => s.hasPending);
  }

  /** Commits outputs, store changes and offsets in one transaction; then persists store changes locally. */
  async commit(): Promise<Map<string, bigint>> {
    await this.settled();
    if (this.commitFailed) throw new Error(`task ${this.id}: its previous commit failed; it closes`);
    if (!this.hasPending) return new Map();
    const batch = this.takeCommitBatch();
    let written: Map<string, bigint>;
    try {
      written = await this.opts.committer.commit(batch);
    } catch (err) {
      this.rollback();
      await this.opts.committer.abort().catch(() => undefined);
      throw err;
    }
    for (const store of this.opts.stores.values()) await store.applyCommitted();
    return written;
  }

  /**
   * Exactly-once v2's pipelined commit: takes what is pending now into a commit and returns at once,
   * so the task processes on while the transaction is in flight (its writes go to the stores'
   * buffers and its outputs and offsets to the next commit; reads see the commit in flight). One
   * commit is in flight at a time: the caller starts the next only once `commitInFlight` is false.
   * The promise resolves after the stores applied the commit. When it fails, nothing is undone
   * here: the task must be closed (its close rolls back everything since the last commit,
   * including what was processed meanwhile) and `commit()` refuses from then on.
   */
  startCommit(): Promise<Map<string, bigint>> {
    if (this.inFlight) throw new Error(`task ${this.id}: a commit is in flight`);
    if (this.commitFailed) return Promise.reject(new Error(`task ${this.id}: its previous commit failed; it closes`));
    const batch = this.takeCommitBatch();
    const run = (async () => {
      try {
        const written = await this.opts.committer.commit(batch);
        for (const store of this.opts.stores.values()) await store.applyCommitted();
        return written;
      } catch (err) {
        this.commitFailed = true;
        throw err;
      } finally {
        this.inFlight = null;
      }
    })();
    this.inFlight = run.then(() => undefined, () => undefined);
    return run;
  }

  /** A pipelined commit failed: the task must close. */
  get hasFailedCommit(): boolean {
    return this.commitFailed;
  }

  /** Whether a pipelined commit is in flight. */
  get commitInFlight(): boolean {
    return this.inFlight !== null;
  }

  /** Resolves once no commit is in flight (whether it succeeded or not). */
  async settled(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  /** Moves the pending outputs, changelog records and offsets into one commit batch. */
  private takeCommitBatch(): CommitBatch {
    const outputs = this.outputs;
    this.outputs = [];
    for (const [name, store] of this.opts.stores) {
      const topic = this.opts.changelogTopicOf(name);
      for (const [key, value] of store.takePending()) outputs.push({ topic, key, value, headers: {}, timestamp: Date.now(), partition: this.partition });
    }
    const offsets = [...this.consumed].map(([topic, offset]) => ({ topic, partition: this.partition, offset: offset.toString() }));
    this.consumed.clear();
    this.uncommitted = 0;
    this.lastCommitAt = this.now();
    return { outputs, offsets };
  }

  /** Drops everything since the last commit (the caller rewinds the input). */
  rollback(): void {
    for (const store of this.opts.stores.values()) store.discardPending();
    this.outputs = [];
    this.consumed.clear();
    this.queue.length = 0;
    this.uncommitted = 0;
  }

  async close(): Promise<void> {
    for (const p of this.processors.values()) await p.close?.();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const { node, record } = this.queue.shift()!;
      const n = this.opts.sub.nodes.get(node)!;
      if (n.kind === 'sink') {
        const serde = this.opts.valueSerdes?.get(n.topic) ?? n.serde;
        this.outputs.push({ topic: n.topic, key: record.key, value: serde.serialize(record.value), headers: { ...record.headers }, timestamp: Date.now() });
      } else if (n.kind === 'processor') {
        await this.processors.get(node)!.process(record);
      }
    }
  }

  private contextFor(node: TopologyNode & { kind: 'processor' }): ProcessorContext {
    const task = this;
    return {
      taskId: this.id,
      partition: this.partition,
      log: this.opts.log.child({ processor: node.name }),
      forward(rec, childName) {
        const targets = childName ? [childName] : node.children;
        for (const t of targets) {
          if (!node.children.includes(t)) throw new Error(`${node.name} has no child ${t}`);
          task.queue.push({ node: t, record: rec });
        }
      },
      getStateStore<V>(name: string) {
        if (!node.stores.includes(name)) throw new Error(`processor ${node.name} is not connected to store ${name}`);
        return task.opts.stores.get(name)! as unknown as BufferedStore<V>;
      },
      schedule(intervalMs, fn) {
        // First run right after the task starts, so work that fell due while it was down is not delayed.
        task.punctuations.push({ intervalMs, due: task.now(), fn });
      },
      currentWallClockTime: () => this.opts.clock(),
      recordOrigin: () => this.origin,
      deadLetter: (reason, key, value, origin) => this.deadLetter(reason, key, Buffer.from(JSON.stringify(value)), {}, origin),
    };
  }
}
