/**
 * Follows a whole topic, read_committed: every partition from a start position to the end of
 * committed data, then on as records arrive (what Kafka Streams' global stores do). The one follow
 * loop of the replicas (GlobalTable, ReplicaStore): positions, fetches, retries, catching up and lag
 * are here; what a record means is its owner's, who gets every fetched batch.
 *
 * - One fetch per broker covers every partition: a broker answers one connection's requests in
 *   order, so one long poll per partition would queue behind the others (and lag by their polls).
 * - Catching up: `ready` resolves once every partition reached the end of committed data the first
 *   fetch saw. Until then a fetch returns at once; after, it waits up to `pollMs` for news.
 * - A failed fetch is retried every second; a lost broker is reported to dependency health (one
 *   line per outage) instead of a warning per retry. A position outside its partition's log (the
 *   topic was truncated or recreated) starts every partition again from the start of its log.
 */
import type { Logger } from '../../common/log.ts';
import { describeError } from '../api/errors.ts';
import type { Kafka } from '../kafka/client.ts';
import { reportKafkaOutage } from '../kafka/health.ts';
import { PartitionReader, type FetchedRecord, type FetchResult } from '../kafka/partitionReader.ts';
import { isOffsetOutOfRange } from '../internals/errorKinds.ts';

/** One fetch's records, and where the follower stands after them. */
export interface FollowedBatch {
  /** Per partition, in offset order. */
  records: ReadonlyMap<number, FetchedRecord[]>;
  /** Per partition, the next offset to read once this batch is taken: what to save to resume here. */
  next: ReadonlyMap<number, bigint>;
}

/** Why the follower reads every partition from the start of its log. */
export type FromStartReason = 'nothing saved' | 'saved positions outside the log' | 'position out of range';

export interface TopicFollowerOptions {
  /** Names the follower in logs (the replica's name). */
  name: string;
  kafka: Kafka;
  topic: string;
  log: Logger;
  /** Longest wait of one fetch once caught up, when nothing is new (default 500 ms). */
  pollMs?: number;
  /** Takes one fetch's records; the follower moves past them once it resolves. */
  apply(batch: FollowedBatch): Promise<void>;
  /** Before every partition is read from its start: the owner drops what it holds of the topic. */
  fromStart?(why: FromStartReason): Promise<void>;
  /** After each fetch, per partition: the records behind the end of committed data. */
  onLag?(partition: number, behind: number): void;
}

export class TopicFollower {
  readonly ready: Promise<void>;
  private readonly opts: TopicFollowerOptions;
  private readonly reader: PartitionReader;
  private positions = new Map<number, bigint>();
  /** The end of committed data per partition, as the first fetch (since the start or a reset) saw it. */
  private targets: Map<number, bigint> | null = null;
  private caughtUp = false;
  private totalLag = 0;
  private running = false;
  private loop: Promise<void> | null = null;
  private lastLogAt = 0;
  private markReady!: () => void;

  constructor(opts: TopicFollowerOptions) {
    this.opts = opts;
    this.reader = new PartitionReader(opts.kafka);
    this.ready = new Promise((res) => { this.markReady = res; });
  }

  /** True once `ready` resolved. */
  isCaughtUp(): boolean {
    return this.caughtUp;
  }

  /** Records behind the end of committed data, summed over partitions, as of the last fetch. */
  lag(): number {
    return this.totalLag;
  }

  /** Per partition, the next offset to read. */
  position(): ReadonlyMap<number, bigint> {
    return this.positions;
  }

  /**
   * Starts following: from `saved` when every saved position lies inside its partition's log, else
   * from the start of every partition (after `fromStart`).
   * @throws when the topic does not exist or the broker cannot be reached.
   */
  async start(saved: ReadonlyMap<number, bigint> | null): Promise<void> {
    await this.choosePositions(saved);
    this.running = true;
    this.loop = this.follow();
  }

  /** Stops following (after the fetch in hand) and closes the connections. */
  async close(): Promise<void> {
    this.running = false;
    await this.loop?.catch(() => undefined);
    await this.reader.close().catch(() => undefined);
  }

  private async choosePositions(saved: ReadonlyMap<number, bigint> | null, why?: FromStartReason): Promise<void> {
    const bounds = await this.reader.offsets(this.opts.topic);
    const fits = saved !== null && [...saved].every(([p, o]) => {
      const b = bounds.find((x) => x.partition === p);
      return b !== undefined && o >= b.low && o <= b.high;
    });
    const fields = { replica: this.opts.name, topic: this.opts.topic };
    if (saved !== null && !fits) this.opts.log.warn(fields, 'the replica\'s saved positions do not fit the topic (recreated or truncated); reading it again from the start');
    if (!fits) await this.opts.fromStart?.(why ?? (saved === null ? 'nothing saved' : 'saved positions outside the log'));
    this.positions = new Map(bounds.map((b) => [b.partition, (fits ? saved!.get(b.partition) : undefined) ?? b.low]));
    this.opts.log.info({ ...fields, fromCheckpoint: fits }, 'replica following topic');
  }

  private async follow(): Promise<void> {
    while (this.running) {
      try {
        const fetched = await this.reader.fetchMany(this.opts.topic, this.positions, { maxWaitMs: this.caughtUp ? (this.opts.pollMs ?? 500) : 0 });
        await this.take(fetched);
      } catch (err) {
        if (isOffsetOutOfRange(err)) {
          this.opts.log.warn({ replica: this.opts.name }, 'replica offset out of range (topic truncated or recreated); reading it again');
          await this.choosePositions(null, 'position out of range').catch(() => undefined);
          this.targets = null;
          continue;
        }
        this.opts.log[reportKafkaOutage(err, this.opts.log) ? 'debug' : 'warn']({ replica: this.opts.name, topic: this.opts.topic, err: describeError(err) }, 'replica fetch failed; retrying');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async take(fetched: Map<number, FetchResult>): Promise<void> {
    const next = new Map(this.positions);
    for (const [partition, r] of fetched) next.set(partition, r.nextOffset);
    await this.opts.apply({ records: new Map([...fetched].map(([p, r]) => [p, r.records])), next });
    this.targets ??= new Map([...fetched].map(([p, r]) => [p, r.lastStableOffset]));
    let lag = 0;
    for (const [partition, r] of fetched) {
      this.positions.set(partition, r.nextOffset);
      const behind = r.lastStableOffset > r.nextOffset ? Number(r.lastStableOffset - r.nextOffset) : 0;
      this.opts.onLag?.(partition, behind);
      lag += behind;
    }
    this.totalLag = lag;
    this.noteProgress();
  }

  private noteProgress(): void {
    if (this.caughtUp) return;
    const remaining = [...this.targets!].reduce((n, [p, end]) => n + Math.max(0, Number(end - (this.positions.get(p) ?? 0n))), 0);
    if (remaining === 0) {
      this.caughtUp = true;
      this.opts.log.info({ replica: this.opts.name, topic: this.opts.topic }, 'replica caught up');
      this.markReady();
    } else if (Date.now() - this.lastLogAt > 2000) {
      this.lastLogAt = Date.now();
      this.opts.log.info({ replica: this.opts.name, remaining }, 'replica catching up');
    }
  }
}
