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
  private failReady!: (err: unknown) => void;

  constructor(opts: GlobalTableOptions) {
    this.opts = opts;
    this.kafka = createKafka({ brokers: opts.brokers, clientId: opts.clientId, log: opts.log });
    this.reader = new PartitionReader(this.kafka);
    this.ready = new Promise((res, rej) => { this.markReady = res; this.failReady = rej; });
  }

  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [this.opts.topic] });
      const partitions = meta.topics[0]!.partitions.map((p) => p.partitionId);
      const caughtUp = partitions.map((p) => this.follow(p));
      this.loops = caughtUp.map((c) => c.done);
      Promise.all(caughtUp.map((c) => c.caughtUp)).then(() => this.markReady(), (e) => this.failReady(e));
    } finally {
      await admin.disconnect();
    }
  }

  async close(): Promise<void> {
    this.running = false;
    await Promise.allSettled(this.loops);
    await this.reader.close();
  }

  private follow(partition: number): { caughtUp: Promise<void>; done: Promise<void> } {
    let signal!: () => void;
    const caughtUp = new Promise<void>((r) => (signal = r));
    const done = (async () => {
      let offset = 0n;
      let end: bigint | null = null;
      while (this.running) {
        try {
          const r = await this.reader.fetch(this.opts.topic, partition, offset, { maxWaitMs: 500 });
          if (end === null) end = r.lastStableOffset;
          for (const m of r.records) this.opts.onRecord(m.key?.toString('utf8') ?? '', m.value);
          offset = r.nextOffset;
          if (offset >= end) signal();
        } catch (err) {
          this.opts.log.warn({ topic: this.opts.topic, partition, err: String(err) }, 'global table fetch failed; retrying');
          await new Promise((res) => setTimeout(res, 1000));
        }
      }
      signal();
    })();
    return { caughtUp, done };
  }
}
