/**
 * A read-only local replica of a whole topic (Kafka Streams' global store, generalised): every
 * instance follows every partition, read_committed, into its own RocksDB, so any instance can
 * answer a query without routing it to the task that owns the key. The following itself (positions,
 * retries, catching up, lag) is topicFollower.ts; this file keeps the local copy.
 *
 * A mapping function turns each record into store writes, so one piece serves both
 * - a changelog replica (`identityMapping`: key → value, null value = delete), and
 * - an index over an append-only topic (e.g. `<entity>|<partition>|<offset>` → record).
 *
 * A local checkpoint (per partition, the next offset to read) is written after the writes it
 * covers, so a restart reads only the tail; re-reading a few records is harmless because the
 * mappings are idempotent. The copy is discarded and read again from the start when the checkpoint
 * does not fit the topic, its layout `version` changed, or the topic was truncated or recreated.
 */
import { z } from 'zod';
import type { Logger } from '../../common/log.ts';
import type { BytesStore, KeyRange } from '../../stores/bytesStore.ts';
import type { ReadOnlyKeyValueStore } from '../../stores/keyValueStore.ts';
import { MemoryBytesStore } from '../../stores/memoryBytesStore.ts';
import { RocksBytesStore } from '../../stores/rocksBytesStore.ts';
import { describeError } from '../api/errors.ts';
import { jsonSerde, type Serde } from '../api/serde.ts';
import { readJsonFile, writeJsonFile } from '../internals/checkpoint.ts';
import { isStoreLocked } from '../internals/errorKinds.ts';
import { createKafka } from '../kafka/client.ts';
import { replicaMetrics } from './replicaMetrics.ts';
import { TopicFollower, type FollowedBatch } from './topicFollower.ts';

/** One committed record of the followed topic. */
export interface ReplicaRecord {
  partition: number;
  offset: bigint;
  key: string;
  value: Buffer | null;
  timestamp: number;
}

/** A store write: a put (Buffer) or a delete (null). */
export type ReplicaWrite = readonly [key: string, value: Buffer | null];

/** Turns one record into store writes. Must be deterministic (records may be read twice). */
export type ReplicaMapping = (r: ReplicaRecord) => ReplicaWrite[];

/** A changelog replica: the record's key and value as they are; a null value deletes the key. */
export const identityMapping: ReplicaMapping = (r) => [[r.key, r.value]];

export interface ReplicaStoreOptions {
  /** Short name, used in metrics, logs and the local folder. */
  name: string;
  brokers: string[];
  topic: string;
  /** RocksDB folder; the checkpoint is `<dir>.checkpoint`. */
  dir: string;
  map?: ReplicaMapping;
  /** Layout version of the local store: a different one discards it (e.g. when `map` changes). */
  version?: string;
  clientId: string;
  log: Logger;
  /** Longest wait of one fetch when nothing is new (default 500 ms). */
  pollMs?: number;
}

/** The checkpoint file: which topic and layout the copy holds, and per partition the next offset. */
const SavedCheckpoint = z.object({ topic: z.string(), version: z.string(), offsets: z.record(z.string(), z.string().regex(/^\d+$/)) });

const CHECKPOINT_EVERY_MS = 1000;

export class ReplicaStore {
  readonly ready: Promise<void>;
  private readonly opts: Required<Omit<ReplicaStoreOptions, 'map'>> & { map: ReplicaMapping };
  private readonly follower: TopicFollower;
  private store: BytesStore | null = null;
  /** Null while the copy is kept in memory (its folder is locked by another process). */
  private checkpointFile: string | null;
  private lastCheckpointAt = 0;
  private read = 0;

  constructor(opts: ReplicaStoreOptions) {
    this.opts = { version: '1', pollMs: 500, map: identityMapping, ...opts };
    this.checkpointFile = `${opts.dir}.checkpoint`;
    const name = this.opts.name;
    this.follower = new TopicFollower({
      name, topic: opts.topic, log: opts.log, pollMs: this.opts.pollMs,
      kafka: createKafka({ brokers: opts.brokers, clientId: opts.clientId, log: opts.log }),
      apply: (batch) => this.apply(batch),
      fromStart: async (why) => {
        if (why !== 'nothing saved') replicaMetrics.resets.inc({ replica: name });
        await this.requireStore().clear();
      },
      onLag: (partition, behind) => replicaMetrics.lag.set({ replica: name, partition: String(partition) }, behind),
    });
    this.ready = this.follower.ready.then(() => { replicaMetrics.ready.set({ replica: name }, 1); });
  }

  /** True once `ready` resolved. */
  isReady(): boolean {
    return this.follower.isCaughtUp();
  }

  /** Records read from the topic since `start()` (a restart with a good checkpoint reads only the tail). */
  get recordsRead(): number {
    return this.read;
  }

  /** Records behind the end of committed data, summed over partitions, as of the last fetch. */
  lag(): number {
    return this.follower.lag();
  }

  /**
   * Opens the local store and follows the topic from the checkpoint when it fits the topic, else
   * from the start of every partition with an empty store.
   * @throws when the topic does not exist or the broker cannot be reached.
   */
  async start(): Promise<void> {
    this.store = await this.openStore();
    await this.follower.start(await this.readCheckpoint());
  }

  /** Starts `replicas` one after another; when one fails, closes those already started and rethrows. */
  static async startAll(replicas: readonly ReplicaStore[]): Promise<void> {
    const started: ReplicaStore[] = [];
    try {
      for (const r of replicas) { await r.start(); started.push(r); }
    } catch (err) {
      for (const r of started) await r.close().catch(() => undefined);
      throw err;
    }
  }

  /** Stops following, saves the checkpoint and closes the local store. */
  async close(): Promise<void> {
    await this.follower.close();
    if (this.store) {
      await this.saveCheckpoint(this.follower.position()).catch((err) => this.opts.log.warn({ replica: this.opts.name, err: describeError(err) }, 'replica checkpoint not saved'));
      await this.store.close();
      this.store = null;
    }
  }

  /** A read-only view with values decoded by `serde` (JSON by default). */
  view<V>(serde: Serde<V> = jsonSerde<V>()): ReadOnlyKeyValueStore<V> {
    const self = this;
    return {
      name: this.opts.name,
      async get(key: string) {
        const bytes = await self.requireStore().get(key);
        return bytes === undefined ? undefined : serde.deserialize(bytes);
      },
      async *range(range: KeyRange = {}) {
        for await (const [k, v] of self.requireStore().iterate(range)) yield [k, serde.deserialize(v)] as [string, V];
      },
    };
  }

  private requireStore(): BytesStore {
    if (!this.store) throw new Error(`replica ${this.opts.name} is not open`);
    return this.store;
  }

  private async openStore(): Promise<BytesStore> {
    try {
      return await RocksBytesStore.open(this.opts.name, this.opts.dir);
    } catch (err) {
      // Another process holds the folder (two instances sharing IGA_STATE_DIR): read into memory instead.
      if (!isStoreLocked(err)) throw err;
      this.opts.log.warn({ replica: this.opts.name, dir: this.opts.dir }, 'replica folder is locked by another process; keeping this replica in memory');
      this.checkpointFile = null;
      return new MemoryBytesStore(this.opts.name);
    }
  }

  private async apply({ records, next }: FollowedBatch): Promise<void> {
    const writes: ReplicaWrite[] = [];
    let applied = 0;
    for (const [partition, list] of records) {
      for (const m of list) writes.push(...this.opts.map({ partition, offset: BigInt(m.offset), key: m.key?.toString('utf8') ?? '', value: m.value, timestamp: Number(m.timestamp) }));
      applied += list.length;
    }
    await this.requireStore().write(writes);
    this.read += applied;
    if (applied > 0) replicaMetrics.applied.inc({ replica: this.opts.name }, applied);
    if (applied > 0 && Date.now() - this.lastCheckpointAt >= CHECKPOINT_EVERY_MS) await this.saveCheckpoint(next);
  }

  /** The saved positions, when the checkpoint is of this topic and layout version. */
  private async readCheckpoint(): Promise<Map<number, bigint> | null> {
    if (!this.checkpointFile) return null;
    const cp = SavedCheckpoint.safeParse(await readJsonFile(this.checkpointFile));
    if (!cp.success || cp.data.topic !== this.opts.topic || cp.data.version !== this.opts.version) return null;
    return new Map(Object.entries(cp.data.offsets).map(([p, o]) => [Number(p), BigInt(o)]));
  }

  private async saveCheckpoint(positions: ReadonlyMap<number, bigint>): Promise<void> {
    if (!this.checkpointFile) return;
    const offsets = Object.fromEntries([...positions].map(([p, o]) => [String(p), o.toString()]));
    await writeJsonFile(this.checkpointFile, { topic: this.opts.topic, version: this.opts.version, offsets } satisfies z.infer<typeof SavedCheckpoint>);
    this.lastCheckpointAt = Date.now();
  }
}
