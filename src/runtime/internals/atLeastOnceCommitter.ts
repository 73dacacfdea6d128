/**
 * The at-least-once committer (for comparison with exactly-once, IGA_PROCESSING_GUARANTEE=
 * at_least_once): outputs and changelog records are sent with an idempotent producer, then the
 * input offsets are committed through the group consumer. A crash between the two replays the
 * records since the last commit, so outputs can repeat — exactly what exactly-once prevents.
 */
import { Partitioners, type Producer } from 'kafkajs';
import type { Kafka } from '../kafka/client.ts';
import { sendOutputs, type ClosableCommitter } from './kafkaCommitter.ts';
import { countProduced } from './metrics.ts';
import type { CommitBatch } from './task.ts';

export type CommitOffsets = (offsets: Array<{ topic: string; partition: number; offset: string }>) => Promise<void>;

export class AtLeastOnceCommitter implements ClosableCommitter {
  private readonly producer: Producer;
  private readonly commitOffsets: CommitOffsets;
  private readonly appId: string;

  private constructor(producer: Producer, commitOffsets: CommitOffsets, appId: string) {
    this.producer = producer;
    this.commitOffsets = commitOffsets;
    this.appId = appId;
  }

  static async create(kafka: Kafka, appId: string, commitOffsets: CommitOffsets): Promise<AtLeastOnceCommitter> {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    return new AtLeastOnceCommitter(producer, commitOffsets, appId);
  }

  async commit(batch: CommitBatch): Promise<Map<string, bigint>> {
    const written = await sendOutputs((req) => this.producer.sendBatch(req), batch.outputs);
    countProduced(this.appId, batch.outputs);
    if (batch.offsets.length > 0) await this.commitOffsets(batch.offsets);
    return written;
  }

  async abort(): Promise<void> {
    // Nothing is open: what was sent stays sent (at least once).
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}
