/**
 * Reads single records by their coordinates (topic, partition, offset), read_committed: how an
 * audit link such as "the raw event at iga-stream.dfo.events[2]@1234" is followed back to the
 * record itself.
 */
import type { Logger } from '../../common/log.ts';
import { createKafka } from '../kafka/client.ts';
import { PartitionReader } from '../kafka/partitionReader.ts';
import type { RecordOrigin } from '../api/processor.ts';
import { isOffsetOutOfRange } from '../internals/errorKinds.ts';

/** A record as stored in its topic. */
export interface StoredRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  /** Milliseconds since the epoch. */
  timestamp: number;
  headers: Record<string, string>;
}

/** A record, or why it cannot be shown. */
export type ReadResult = { found: true; record: StoredRecord } | { found: false; reason: string };

export class TopicRecordReader {
  private readonly reader: PartitionReader;

  constructor(opts: { brokers: string[]; clientId: string; log: Logger }) {
    this.reader = new PartitionReader(createKafka(opts));
  }

  /**
   * The record at `origin`. Not found when the offset lies past the end, before the start
   * (retention), or was removed by compaction or belonged to an aborted transaction.
   * @throws on broker errors other than an offset out of range.
   */
  async read(origin: RecordOrigin): Promise<ReadResult> {
    const offset = BigInt(origin.offset);
    let r;
    try {
      r = await this.reader.fetch(origin.topic, origin.partition, offset, { maxBytes: 1024 * 1024 });
    } catch (err) {
      if (isOffsetOutOfRange(err)) return { found: false, reason: 'the offset is no longer (or not yet) in the topic' };
      throw err;
    }
    const m = r.records.find((x) => BigInt(x.offset) === offset);
    if (!m) {
      return { found: false, reason: offset >= r.lastStableOffset ? 'the offset is past the end of committed data' : 'the record was removed (compaction, retention or an aborted transaction)' };
    }
    const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, v?.toString() ?? '']));
    return { found: true, record: { ...origin, key: m.key?.toString('utf8') ?? null, value: m.value, timestamp: Number(m.timestamp), headers } };
  }

  async close(): Promise<void> {
    await this.reader.close();
  }
}
