/**
 * Copies the records of one topic whose timestamp is at or after `since` into another topic with
 * the same number of partitions: same partition, key, value and headers, plus marker headers from
 * `mark` (e.g. the original offset). Reads committed data up to the end the source had when the
 * copy started, so a copy of a live topic ends. Used by reprocess (src/features/replay).
 */
import { Partitioners, type Admin, type IHeaders } from 'kafkajs';
import type { Logger } from '../../common/log.ts';
import { createKafka } from '../kafka/client.ts';
import { PartitionReader } from '../kafka/partitionReader.ts';
import { retryKafka } from '../kafka/retry.ts';

export interface CopyProgress { partition: number; copied: number; skipped: number; total: number; done: boolean }
export interface CopySummary { source: string; target: string; since: number; partitions: number; copied: number; skipped: number; ms: number }

export interface CopyOptions {
  brokers: string[];
  clientId: string;
  source: string;
  target: string;
  /** Epoch ms: records with an earlier timestamp are not copied. */
  since: number;
  /** Extra headers of a copied record. */
  mark: (rec: { partition: number; offset: string; timestamp: string }) => Record<string, string>;
  onProgress?: (p: CopyProgress) => void;
  log: Logger;
  /** How long to wait for the target's metadata (a just-created topic answers UNKNOWN_TOPIC_OR_PARTITION for a moment). */
  metadataTimeoutMs?: number;
}

export async function copyTopicSince(opts: CopyOptions): Promise<CopySummary> {
  const started = Date.now();
  const kafka = createKafka({ brokers: opts.brokers, clientId: opts.clientId, log: opts.log });
  const admin = kafka.admin();
  const reader = new PartitionReader(kafka);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  try {
    await admin.connect();
    const partitions = await partitionCount(admin, opts.source, 0);
    await partitionCount(admin, opts.target, partitions, opts.metadataTimeoutMs ?? 30_000);
    const starts = await retryKafka(() => admin.fetchTopicOffsetsByTimestamp(opts.source, opts.since));
    const ends = await retryKafka(() => admin.fetchTopicOffsets(opts.source));
    await producer.connect();
    let copied = 0;
    let skipped = 0;
    for (let p = 0; p < partitions; p++) {
      const end = BigInt(ends.find((o) => o.partition === p)?.high ?? '0');
      const startText = starts.find((o) => o.partition === p)?.offset ?? '-1';
      let offset = BigInt(startText) < 0n ? end : BigInt(startText);
      const total = Number(end - offset);
      const progress: CopyProgress = { partition: p, copied: 0, skipped: 0, total, done: false };
      opts.onProgress?.({ ...progress });
      let emptyFetches = 0;
      while (offset < end) {
        const r = await reader.fetch(opts.source, p, offset, { maxWaitMs: 100 });
        if (r.nextOffset === offset) {
          if (r.lastStableOffset <= offset) break; // nothing committed beyond here (aborted tail)
          if (++emptyFetches > 50) throw new Error(`copy of ${opts.source}[${p}] stalled at ${offset} (end ${end})`);
          continue;
        }
        emptyFetches = 0;
        const wanted = r.records.filter((m) => BigInt(m.offset) < end && Number(m.timestamp) >= opts.since);
        progress.skipped += r.records.filter((m) => BigInt(m.offset) < end).length - wanted.length;
        if (wanted.length > 0) {
          await producer.send({
            topic: opts.target,
            acks: -1,
            messages: wanted.map((m) => ({
              partition: p,
              key: m.key,
              value: m.value,
              headers: { ...copyHeaders(m.headers), ...opts.mark({ partition: p, offset: m.offset, timestamp: m.timestamp }) },
            })),
          });
        }
        progress.copied += wanted.length;
        offset = r.nextOffset;
        opts.onProgress?.({ ...progress });
      }
      progress.done = true;
      opts.onProgress?.({ ...progress });
      copied += progress.copied;
      skipped += progress.skipped;
    }
    const summary = { source: opts.source, target: opts.target, since: opts.since, partitions, copied, skipped, ms: Date.now() - started };
    opts.log.info(summary, 'topic copied');
    return summary;
  } finally {
    await producer.disconnect().catch(() => undefined);
    await reader.close().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}

function copyHeaders(h: Record<string, Buffer | string | undefined>): IHeaders {
  const out: IHeaders = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = v;
  return out;
}

/**
 * The topic's partition count once every partition has a leader. With `expected` > 0, waits up to
 * `timeoutMs` for the topic to appear with that many partitions and fails clearly when it differs.
 */
export async function partitionCount(admin: Admin, topic: string, expected: number, timeoutMs = 0): Promise<number> {
  const until = Date.now() + timeoutMs;
  let last = 'not found';
  for (;;) {
    // Only the metadata request is retried; a topic of the wrong size is refused at once.
    const ps = await admin.fetchTopicMetadata({ topics: [topic] }).then(
      (meta) => meta.topics[0]?.partitions ?? [],
      (err: unknown) => { last = (err as Error).message; return null; },
    );
    if (ps && ps.length > 0 && ps.every((p) => p.leader >= 0)) {
      if (expected > 0 && ps.length !== expected) throw new Error(`${topic} has ${ps.length} partitions, ${expected} expected (it must be co-partitioned with its source)`);
      return ps.length;
    }
    if (ps) last = 'no leader yet';
    if (Date.now() >= until) throw new Error(`topic ${topic} is not available: ${last}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
