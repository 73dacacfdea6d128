/**
 * A global table (Kafka Streams' GlobalKTable): every instance reads every partition of a
 * compacted topic from the beginning, read_committed, and keeps following it. `ready` resolves
 * once the instance has caught up with the end offsets it saw at start.
 */
import type { Logger } from '../log.ts';
import { createKafka } from './internals/kafkaClient.ts';
import { PartitionReader } from './internals/partitionReader.ts';

export interface GlobalTableOptions {
  brokers: string[];
  topic: string;
  clientId: string;
  log: Logger;
  /** Called for every record in offset order per partition; value null = tombstone. */
  onRecord: (key: string, value: Buffer | null) => void;
}

export class GlobalTable {
  readonly ready: Promise<void>;
  private readonly opts: GlobalTableOptions;
  private readonly reader: PartitionReader;
  private readonly kafka;
  private running = true;
  private loops: Promise<void>[] = [];
  private markReady!: () => void;

  constructor(opts: GlobalTableOptions) {
    this.opts = opts;
    this.kafka = createKafka({ brokers: opts.brokers, clientId: opts.clientId, log: opts.log });
    this.reader = new PartitionReader(this.kafka);
    this.ready = new Promise((res) => { this.markReady = res; });
  }

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    let partitions: number[];
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [this.opts.topic] });
      partitions = meta.topics[0]!.partitions.map((p) => p.partitionId);
    } finally {
      await admin.disconnect();
    }
    this.loops = [this.follow(partitions)];
  }

  async close(): Promise<void> {
    this.running = false;
    await Promise.allSettled(this.loops);
    await this.reader.close();
  }

  /**
   * One loop for all partitions: one fetch per broker covers every partition, because a broker
   * answers one connection's requests in order and per-partition long polls would queue behind
   * each other (a replica then lags by up to the poll time per partition).
   */
  private async follow(partitions: number[]): Promise<void> {
    const offsets = new Map(partitions.map((p) => [p, 0n]));
    let ends: Map<number, bigint> | null = null;
    let signalled = false;
    while (this.running) {
      try {
        const results = await this.reader.fetchMany(this.opts.topic, offsets, { maxWaitMs: 500 });
        ends ??= new Map([...results].map(([p, r]) => [p, r.lastStableOffset]));
        for (const [p, r] of results) {
          for (const m of r.records) this.opts.onRecord(m.key?.toString('utf8') ?? '', m.value);
          offsets.set(p, r.nextOffset);
        }
        if (!signalled && [...ends].every(([p, end]) => offsets.get(p)! >= end)) {
          signalled = true;
          this.markReady();
        }
      } catch (err) {
        this.opts.log.warn({ topic: this.opts.topic, err: String(err) }, 'global table fetch failed; retrying');
        await new Promise((res) => setTimeout(res, 1000));
      }
    }
    if (!signalled) this.markReady();
  }
}
