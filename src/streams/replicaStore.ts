/**
 * A read-only local replica of a whole topic (Kafka Streams' global store, generalised): every
 * instance follows every partition, read_committed, into its own RocksDB, so any instance can
 * answer a query without routing it to the task that owns the key.
 *
 * A mapping function turns each record into store writes, so one piece serves both
 * - a changelog replica (`identityMapping`: key → value, null value = delete), and
 * - an index over an append-only topic (e.g. `<entity>|<partition>|<offset>` → record).
 *
 * A local checkpoint (per partition, the next offset to read) is written after the writes it
 * covers, so a restart reads only the tail; re-reading a few records is harmless because the
 * mappings are idempotent. `ready` resolves once every partition reached the end of committed
 * data seen by the first fetch.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../log.ts';
import type { BytesStore, KeyRange } from '../stores/bytesStore.ts';
import type { ReadOnlyKeyValueStore } from '../stores/keyValueStore.ts';
import { MemoryBytesStore } from '../stores/memoryBytesStore.ts';
import { RocksBytesStore } from '../stores/rocksBytesStore.ts';
import { createKafka, type Kafka } from './internals/kafkaClient.ts';
import { PartitionReader, type FetchResult } from './internals/partitionReader.ts';
import { replicaMetrics } from './internals/replicaMetrics.ts';
import { jsonSerde, type Serde } from './serde.ts';
import { describeError } from './errors.ts';

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

interface SavedCheckpoint { topic: string; version: string; offsets: Record<string, string> }

const CHECKPOINT_EVERY_MS = 1000;

export class ReplicaStore {
  readonly ready: Promise<void>;
  private readonly opts: Required<Omit<ReplicaStoreOptions, 'map'>> & { map: ReplicaMapping };
  private readonly kafka: Kafka;
  private readonly reader: PartitionReader;
  private store: BytesStore | null = null;
  private offsets = new Map<number, bigint>();
  private targets: Map<number, bigint> | null = null;
  private caughtUp = false;
  private running = false;
  private loop: Promise<void> | null = null;
  private lastCheckpointAt = 0;
  private lastLogAt = 0;
  private totalLag = 0;
  private read = 0;
  private markReady!: () => void;

  constructor(opts: ReplicaStoreOptions) {
    this.opts = { version: '1', pollMs: 500, map: identityMapping, ...opts };
    this.kafka = createKafka({ brokers: opts.brokers, clientId: opts.clientId, log: opts.log });
    this.reader = new PartitionReader(this.kafka);
    this.ready = new Promise((res) => { this.markReady = res; });
  }

  /** True once `ready` resolved. */
  isReady(): boolean {
    return this.caughtUp;
  }

  /** Records read from the topic since `start()` (a restart with a good checkpoint reads only the tail). */
  get recordsRead(): number {
    return this.read;
  }

  /** Records behind the end of committed data, summed over partitions, as of the last fetch. */
  lag(): number {
    return this.totalLag;
  }

  /**
   * Opens the local store, picks the offsets to start from (the checkpoint when it fits the
   * topic, else the start of every partition with an empty store) and starts following.
   * @throws when the topic does not exist or the broker cannot be reached.
   */
  async start(): Promise<void> {
    this.store = await this.openStore();
    await this.chooseStartOffsets(await this.readCheckpoint());
    this.running = true;
    this.loop = this.follow();
  }

  /** Stops following, saves the checkpoint and closes the local store. */
  async close(): Promise<void> {
    this.running = false;
    await this.loop?.catch(() => undefined);
    if (this.store) {
      await this.saveCheckpoint().catch((err) => this.opts.log.warn({ replica: this.opts.name, err: describeError(err) }, 'replica checkpoint not saved'));
      await this.store.close();
      this.store = null;
    }
    await this.reader.close().catch(() => undefined);
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
      if (!/lock/i.test(`${describeError(err)} ${String((err as { cause?: unknown }).cause ?? '')}`)) throw err;
      this.opts.log.warn({ replica: this.opts.name, dir: this.opts.dir }, 'replica folder is locked by another process; keeping this replica in memory');
      this.opts.dir = '';
      return new MemoryBytesStore(this.opts.name);
    }
  }

  private async readCheckpoint(): Promise<SavedCheckpoint | null> {
    if (!this.opts.dir) return null;
    try {
      const cp = JSON.parse(await readFile(`${this.opts.dir}.checkpoint`, 'utf8')) as SavedCheckpoint;
      return cp.topic === this.opts.topic && cp.version === this.opts.version && typeof cp.offsets === 'object' ? cp : null;
    } catch {
      return null;
    }
  }

  private async saveCheckpoint(): Promise<void> {
    if (!this.opts.dir) return;
    const offsets = Object.fromEntries([...this.offsets].map(([p, o]) => [String(p), o.toString()]));
    const file = `${this.opts.dir}.checkpoint`;
    const saved: SavedCheckpoint = { topic: this.opts.topic, version: this.opts.version, offsets };
    await mkdir(dirname(file), { recursive: true });
    await writeFile(`${file}.tmp`, JSON.stringify(saved));
    await rename(`${file}.tmp`, file); // atomic: a crash leaves the old checkpoint or the new one
    this.lastCheckpointAt = Date.now();
  }

  /** Trusts the checkpoint only when every saved offset lies inside its partition's log. */
  private async chooseStartOffsets(cp: SavedCheckpoint | null): Promise<void> {
    const bounds = await this.reader.offsets(this.opts.topic);
    const fits = cp !== null && Object.entries(cp.offsets).every(([p, o]) => {
      const b = bounds.find((x) => x.partition === Number(p));
      return b !== undefined && BigInt(o) >= b.low && BigInt(o) <= b.high;
    });
    if (cp !== null && !fits) {
      this.opts.log.warn({ replica: this.opts.name, topic: this.opts.topic }, 'replica checkpoint does not fit the topic; reading it again from the start');
      replicaMetrics.resets.inc({ replica: this.opts.name });
    }
    if (!fits) await this.store!.clear();
    this.offsets = new Map(bounds.map((b) => {
      const saved = fits ? cp!.offsets[String(b.partition)] : undefined;
      return [b.partition, saved !== undefined ? BigInt(saved) : b.low];
    }));
    this.opts.log.info({ replica: this.opts.name, topic: this.opts.topic, fromCheckpoint: fits }, 'replica following topic');
  }

  private async follow(): Promise<void> {
    while (this.running) {
      try {
        const fetched = await this.reader.fetchMany(this.opts.topic, this.offsets, { maxWaitMs: this.caughtUp ? this.opts.pollMs : 0 });
        await this.apply(fetched);
      } catch (err) {
        if ((err as { type?: string }).type === 'OFFSET_OUT_OF_RANGE') {
          replicaMetrics.resets.inc({ replica: this.opts.name });
          this.opts.log.warn({ replica: this.opts.name }, 'replica offset out of range (topic truncated or recreated); reading it again');
          await this.chooseStartOffsets(null).catch(() => undefined);
          this.targets = null;
          continue;
        }
        this.opts.log.warn({ replica: this.opts.name, topic: this.opts.topic, err: describeError(err) }, 'replica fetch failed; retrying');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async apply(fetched: Map<number, FetchResult>): Promise<void> {
    const writes: ReplicaWrite[] = [];
    let applied = 0;
    for (const [partition, r] of fetched) {
      for (const m of r.records) {
        const rec: ReplicaRecord = { partition, offset: BigInt(m.offset), key: m.key?.toString('utf8') ?? '', value: m.value, timestamp: Number(m.timestamp) };
        writes.push(...this.opts.map(rec));
      }
      applied += r.records.length;
    }
    await this.requireStore().write(writes);
    if (this.targets === null) this.targets = new Map([...fetched].map(([p, r]) => [p, r.lastStableOffset]));
    let lag = 0;
    for (const [partition, r] of fetched) {
      this.offsets.set(partition, r.nextOffset);
      const behind = r.lastStableOffset > r.nextOffset ? Number(r.lastStableOffset - r.nextOffset) : 0;
      replicaMetrics.lag.set({ replica: this.opts.name, partition: String(partition) }, behind);
      lag += behind;
    }
    this.totalLag = lag;
    this.read += applied;
    if (applied > 0) replicaMetrics.applied.inc({ replica: this.opts.name }, applied);
    if (applied > 0 && Date.now() - this.lastCheckpointAt >= CHECKPOINT_EVERY_MS) await this.saveCheckpoint();
    this.noteProgress();
  }

  private noteProgress(): void {
    if (this.caughtUp) return;
    const remaining = [...this.targets!].reduce((n, [p, end]) => n + Math.max(0, Number(end - (this.offsets.get(p) ?? 0n))), 0);
    if (remaining === 0) {
      this.caughtUp = true;
      replicaMetrics.ready.set({ replica: this.opts.name }, 1);
      this.opts.log.info({ replica: this.opts.name, topic: this.opts.topic }, 'replica caught up');
      this.markReady();
    } else if (Date.now() - this.lastLogAt > 2000) {
      this.lastLogAt = Date.now();
      this.opts.log.info({ replica: this.opts.name, remaining }, 'replica catching up');
    }
  }
}
