/**
 * Retries a Kafka call that failed with an error the broker means as "try again" (KafkaJS's
 * `retriable` flag: NOT_LEADER_FOR_PARTITION, LEADER_NOT_AVAILABLE, a dropped connection, ...).
 * KafkaJS's own admin calls give up on most of these at once: `fetchTopicOffsets`, for example,
 * retries only UNKNOWN_TOPIC_OR_PARTITION, while a KRaft broker answers NOT_LEADER_FOR_PARTITION
 * for a moment after another instance created the topic. Non-retriable errors are thrown at once.
 */
import { isRetriable } from '../api/errors.ts';

export interface KafkaRetryOptions {
  /** Give up (throw the last error) after this long. */
  timeoutMs?: number;
  /** Which errors are retried (default: KafkaJS's `retriable` flag). */
  retryIf?: (err: unknown) => boolean;
  /** Runs before each new attempt, e.g. a metadata refresh after a leader error. */
  beforeRetry?: (err: unknown) => Promise<void>;
  /** For tests: the pause between attempts, and the clock the timeout is measured on. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export async function retryKafka<T>(fn: () => Promise<T>, opts: KafkaRetryOptions = {}): Promise<T> {
  const now = opts.now ?? Date.now;
  const until = now() + (opts.timeoutMs ?? 30_000);
  const retryIf = opts.retryIf ?? isRetriable;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      return await fn();
    } catch (err) {
      if (!retryIf(err) || now() + delay > until) throw err;
      await sleep(delay);
      await opts.beforeRetry?.(err).catch(() => undefined);
    }
  }
}
