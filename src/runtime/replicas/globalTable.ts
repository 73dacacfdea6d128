/**
 * A global table (Kafka Streams' GlobalKTable): every instance reads every partition of a
 * compacted topic from the start of its log, read_committed, and keeps following it, handing each
 * record to `onRecord` (the SCIM replica keeps its account index this way). Nothing is kept on
 * disk: a start reads the whole topic. `ready` resolves once the instance has caught up with the
 * end offsets it saw at start, or once it is closed. The following itself is topicFollower.ts.
 */
import type { Logger } from '../../common/log.ts';
import { createKafka } from '../kafka/client.ts';
import { TopicFollower } from './topicFollower.ts';

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
  private readonly follower: TopicFollower;
  private markReady!: () => void;

  constructor(opts: GlobalTableOptions) {
    this.follower = new TopicFollower({
      name: opts.topic, topic: opts.topic, log: opts.log,
      kafka: createKafka({ brokers: opts.brokers, clientId: opts.clientId, log: opts.log }),
      apply: async ({ records }) => {
        for (const list of records.values()) for (const m of list) opts.onRecord(m.key?.toString('utf8') ?? '', m.value);
      },
    });
    this.ready = new Promise((res) => { this.markReady = res; });
    void this.follower.ready.then(() => this.markReady());
  }

  /** Starts following from the start of every partition. @throws when the topic does not exist or the broker cannot be reached. */
  async start(): Promise<void> {
    await this.follower.start(null);
  }

  /** Stops following; `ready` resolves if it had not (nobody waits on a closed table). */
  async close(): Promise<void> {
    await this.follower.close();
    this.markReady();
  }
}
