/**
 * One change driver (CIS's per-destination driver): its own consumer group, `<app>.driver.<name>`,
 * reads the notify topic (read_committed) in per-account order — a partition's changes one after
 * the other, partitions spread over the instances like the topology's. Each change is applied to
 * the destination with the account as of that version and its eduPersonAffiliation values; its
 * tag (complete, failed or retrying) goes to the change-status topic, and the offset is committed
 * only after the tags before it are durable. So a crash repeats at most the changes after the last
 * commit, and the destination's version check makes a repeat write nothing.
 *
 * - Destination down or slow (DestinationUnavailable, or any error it did not classify): the change
 *   is tried again with back-off and jitter (capped), never skipped, tagged `retrying` when its
 *   error changes or at most every `retryingTagEveryMs`. Only this driver's partition waits; other
 *   drivers, the topology and the egress read on with their own groups.
 * - Refused (DestinationRefused): tagged `failed` with the destination's error, and the driver goes
 *   on. The tag is the parking record (compacted: it survives restarts); an operator re-drives it
 *   with `iga-stream drivers retry`, and any later change of the account carries its whole state.
 * - Kafka failing to take the tags or the commit: tried again in place, with back-off, heartbeating;
 *   nothing after the last commit counts until it goes through.
 */
import { type Consumer, type EachBatchPayload, type KafkaMessage } from 'kafkajs';
import type { Logger } from '../../../src/common/log.ts';
import { parseJsonValue } from '../../../src/common/wireFormat.ts';
import type { EduPersonAffiliation } from '../../../src/iga/destinationAffiliations.ts';
import { destinationAffiliations } from '../../../src/iga/destinationAffiliations.ts';
import { createKafka, CONNECTOR_RETRY, type KafkaConnectionOptions } from '../../../src/runtime/kafka/client.ts';
import { reportKafkaOutage } from '../../../src/runtime/kafka/health.ts';
import type { MemberRegistry } from '../../../src/runtime/kafka/memberRegistry.ts';
import { createGroupConsumer } from '../../../src/runtime/kafka/groupConsumer.ts';
import type { ChangeStatus } from '../../../src/topology/contracts/changeStatus.ts';
import { notifyRecordSchema, type NotifyRecord } from '../../../src/topology/contracts/notify.ts';
import { backoffDelay, sleep } from '../../amqp/backoff.ts';
import { DestinationRefused, DestinationUnavailable, type AccountChange, type Destination } from '../destination.ts';
import type { DriverMetrics } from './metrics.ts';
import { changeTag, retryingTagDue, type LastRetryTag } from './retryTag.ts';
import type { StatusWriter } from './statusWriter.ts';

export interface DriverOptions {
  destination: Destination;
  kafka: KafkaConnectionOptions & { groupId: string; sessionTimeoutMs?: number };
  notifyTopic: string;
  status: StatusWriter;
  metrics: DriverMetrics;
  /** The eduPersonAffiliation values of an active account (IGA_DRIVER_AFFILIATIONS). */
  affiliations: readonly EduPersonAffiliation[];
  /** Back-off between attempts while the destination is down: from initialMs doubling to maxMs, with jitter. */
  retry: { initialMs: number; maxMs: number };
  /** Least time between two `retrying` tags of one change whose error stays the same. */
  retryingTagEveryMs: number;
  /** Partitions handled at once (each in order); default 3. */
  partitionsConcurrently?: number;
  members?: MemberRegistry;
  log: Logger;
  /** Wall clock of the waits and the tags' times (default Date.now). */
  clock?: () => number;
}

export interface DriverStats {
  applied: number;
  unchanged: number;
  failed: number;
  skipped: number;
  retries: number;
  /** Changes waiting for the destination right now. */
  retrying: number;
  /** The destination's latest error while retrying (null when none waits). */
  lastError: string | null;
}

export interface Driver {
  readonly name: string;
  readonly group: string;
  stats(): DriverStats;
  stop(): Promise<void>;
}

/** The change a notify record describes, or why it has none. */
export function changeOf(record: NotifyRecord, affiliations: readonly EduPersonAffiliation[]): AccountChange | null {
  if (!record.account) return null;
  return { changeId: record.eventId, account: record.account, affiliations: destinationAffiliations(record.account, affiliations), cause: record.cause ?? null };
}

function parse(message: KafkaMessage): NotifyRecord | null {
  try {
    const parsed = notifyRecordSchema.safeParse(message.value ? parseJsonValue(message.value) : null);
    return parsed.success ? (parsed.data as NotifyRecord) : null;
  } catch {
    return null;
  }
}

const HEARTBEAT_EVERY_MS = 3_000;

export async function startDriver(opts: DriverOptions): Promise<Driver> {
  const name = opts.destination.name;
  const log = opts.log;
  const clock = opts.clock ?? Date.now;
  const m = opts.metrics;
  const counts = { applied: 0, unchanged: 0, failed: 0, skipped: 0, retries: 0 };
  let waiting = 0;
  let lastError: string | null = null;
  const stopSignal = new AbortController();
  let stopping = false;

  const kafka = createKafka({ retry: CONNECTOR_RETRY, ...opts.kafka, log });
  const consumer: Consumer = createGroupConsumer(kafka, { ...opts.kafka, members: opts.members });

  const tagOf = (change: AccountChange, at: number) => ({
    changeId: change.changeId, accountId: change.account.id, version: change.account.version, destination: name, messageId: change.cause?.messageId ?? null, at,
  });

  /** Waits `ms` in slices, heartbeating; false when the driver stops or the partition was taken away meanwhile. */
  async function wait(ms: number, p: EachBatchPayload): Promise<boolean> {
    const until = clock() + ms;
    while (!stopping && p.isRunning() && !p.isStale()) {
      const left = until - clock();
      if (left <= 0) return true;
      await sleep(Math.min(left, HEARTBEAT_EVERY_MS), stopSignal.signal);
      if (!(await beat(p))) return false;
    }
    return false;
  }

  /** Heartbeats the group; false when it refuses (a rebalance took the partition, or is under way). */
  async function beat(p: EachBatchPayload): Promise<boolean> {
    try {
      await p.heartbeat();
      return true;
    } catch (err) {
      log.debug({ err: String(err) }, 'heartbeat between changes failed; leaving the batch to the rebalance');
      return false;
    }
  }

  /**
   * Applies one change until the destination takes or refuses it. Returns its final tag, or null
   * when the driver stops (or loses the partition) first: then nothing is committed for it.
   * `flush` writes and commits what came before, so a change that waits never holds them back.
   */
  async function applyUntilDone(change: AccountChange, p: EachBatchPayload, flush: () => Promise<boolean>): Promise<ChangeStatus | null> {
    let lastTag: LastRetryTag | null = null;
    let waited = false;
    try {
      for (let attempt = 1; ; attempt++) {
        const end = m.applySeconds.startTimer({ driver: name });
        try {
          const outcome = await opts.destination.apply(change);
          end();
          counts[outcome]++;
          m.changes.inc({ driver: name, outcome });
          return changeTag({ ...tagOf(change, clock()), state: 'complete', attempts: attempt });
        } catch (err) {
          end();
          if (err instanceof DestinationRefused) {
            counts.failed++;
            m.changes.inc({ driver: name, outcome: 'failed' });
            log.warn({ changeId: change.changeId, userName: change.account.userName, err: err.message }, 'destination refused the change; tagged failed and parked');
            return changeTag({ ...tagOf(change, clock()), state: 'failed', attempts: attempt, error: err.message });
          }
          const error = err instanceof Error ? err.message : String(err);
          if (!(err instanceof DestinationUnavailable) && attempt === 1) log.error({ err, changeId: change.changeId }, 'unexpected error from the destination; retried like an outage');
          if (!waited) { waited = true; waiting++; m.retrying.inc({ driver: name }); }
          lastError = error;
          counts.retries++;
          m.retries.inc({ driver: name });
          const delay = backoffDelay(attempt, { initialMs: opts.retry.initialMs, maxMs: opts.retry.maxMs });
          const now = clock();
          if (retryingTagDue(lastTag, error, now, opts.retryingTagEveryMs)) {
            // Best effort: with Kafka down too, the tag waits for the next one; the change is retried all the same.
            if (await flush()) {
              await opts.status.write([changeTag({ ...tagOf(change, now), state: 'retrying', attempts: attempt, error, nextAttemptAt: now + delay })])
                .then(() => { lastTag = { error, at: now }; }, (err: unknown) => log.debug({ err: String(err) }, 'retrying tag not written'));
            }
            log[attempt === 1 ? 'warn' : 'info']({ changeId: change.changeId, attempt, delayMs: delay, err: error }, 'destination unavailable; retrying the change');
          }
          if (!(await wait(delay, p))) return null;
        }
      }
    } finally {
      if (waited) {
        waiting--;
        m.retrying.dec({ driver: name });
        if (waiting === 0) lastError = null;
      }
    }
  }

  async function eachBatch(p: EachBatchPayload): Promise<void> {
    const { topic, partition, messages } = p.batch;
    let tags: ChangeStatus[] = [];
    let lastDone: string | null = null;
    /** Writes the pending tags, then commits the offsets they cover; false (nothing lost, retried later) when Kafka fails. */
    const flush = async (): Promise<boolean> => {
      try {
        if (tags.length > 0) {
          await opts.status.write(tags);
          tags = [];
        }
        if (lastDone !== null) {
          p.resolveOffset(lastDone);
          await consumer.commitOffsets([{ topic, partition, offset: (BigInt(lastDone) + 1n).toString() }]);
          lastDone = null;
        }
        return true;
      } catch (err) {
        // Kafka down: reported once per outage by dependency health; the tags stay pending and the offsets uncommitted.
        if (!reportKafkaOutage(err, log)) log.warn({ err }, 'writing change tags or committing failed; retrying');
        return false;
      }
    };
    /** Flushes until it succeeds; false when the driver stops (or loses the partition) first. */
    const flushed = async (): Promise<boolean> => {
      for (let attempt = 1; ; attempt++) {
        if (await flush()) return true;
        if (!(await wait(backoffDelay(attempt, { initialMs: 100, maxMs: 5_000 }), p))) return false;
      }
    };
    for (const message of messages) {
      if (stopping || !p.isRunning() || p.isStale()) break;
      const record = parse(message);
      const change = record && changeOf(record, opts.affiliations);
      if (!change) {
        // Invalid records are the egress's to dead-letter; records from before `account` existed carry nothing to write.
        counts.skipped++;
        m.changes.inc({ driver: name, outcome: 'skipped' });
        log.debug({ offset: message.offset, partition }, record ? 'notify record without an account; skipped' : 'invalid notify record; skipped');
        lastDone = message.offset;
        continue;
      }
      const tag = await applyUntilDone(change, p, flush);
      if (tag === null) break;
      tags.push(tag);
      lastDone = message.offset;
      if (tags.length >= 100 && !(await flushed())) return;
      // A batch of changes that each take a destination round trip can outlast the session timeout:
      // heartbeat as it goes (KafkaJS sends one only when its interval has passed), or the group
      // drops this member mid-batch, its commit is refused and the batch is done again, endlessly.
      if (!(await beat(p))) break;
    }
    if (!(await flushed())) return;
    m.lag.set({ driver: name, partition: String(partition) }, Math.max(0, Number(BigInt(p.batch.highWatermark) - BigInt(p.batch.lastOffset()) - 1n)));
  }

  await consumer.connect();
  await consumer.subscribe({ topic: opts.notifyTopic, fromBeginning: true });
  await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: opts.partitionsConcurrently ?? 3, eachBatch });
  log.info({ driver: name, group: opts.kafka.groupId, topic: opts.notifyTopic }, 'driver started');

  let stopped: Promise<void> | null = null;
  return {
    name,
    group: opts.kafka.groupId,
    stats: () => ({ ...counts, retrying: waiting, lastError }),
    stop() {
      stopped ??= (async () => {
        stopping = true;
        stopSignal.abort();
        await consumer.disconnect().catch((err: unknown) => log.warn({ err }, 'driver consumer disconnect failed'));
        log.info({ driver: name, ...counts }, 'driver stopped');
      })();
      return stopped;
    },
  };
}
