/**
 * Splits a commit's output records into produce requests that the broker accepts. KafkaJS sends
 * one record batch per topic-partition and does not split it, and a broker refuses a batch over
 * `message.max.bytes` (1 MiB by default) with MESSAGE_TOO_LARGE — which a busy task's commit (a few
 * thousand audit records) easily passes. So a commit becomes several sends inside one transaction,
 * each carrying at most `maxBytes` of keys, values and headers.
 */
import type { OutputRecord } from './task.ts';

/** Comfortably below the broker's default message.max.bytes (1 MiB), record overhead included. */
export const DEFAULT_MAX_SEND_BYTES = 512 * 1024;

/** Approximate bytes of one record in a batch: key, value, headers and a fixed per-record overhead. */
export function recordBytes(o: OutputRecord): number {
  let n = 32 + Buffer.byteLength(o.key) + (o.value?.length ?? 0);
  for (const [k, v] of Object.entries(o.headers)) n += Buffer.byteLength(k) + Buffer.byteLength(v) + 8;
  return n;
}

/**
 * Consecutive chunks of `outputs`, in order, each at most `maxBytes` (a single larger record gets a
 * chunk of its own; the broker decides whether it fits). Order within a topic-partition is kept.
 */
export function chunkOutputs(outputs: readonly OutputRecord[], maxBytes = DEFAULT_MAX_SEND_BYTES): OutputRecord[][] {
  const chunks: OutputRecord[][] = [];
  let current: OutputRecord[] = [];
  let size = 0;
  for (const o of outputs) {
    const n = recordBytes(o);
    if (current.length > 0 && size + n > maxBytes) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(o);
    size += n;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
