/**
 * KafkaJS's log entries on pino, for every KafkaJS client of the project (stream runtime and
 * connectors). KafkaJS logs conditions it retries by itself at error level — a rebalance in
 * progress, a topic's metadata a moment after its creation, a transaction still finishing — which
 * would alarm an operator every start-up; those go to debug. A broker that cannot be reached is
 * logged by every client on every retry; those entries are reported to dependency health (one line
 * when Kafka goes down, summaries, one when it is back) and go to debug. Real errors stay errors.
 */
import kafkajs from 'kafkajs';
import type { logCreator as LogCreator } from 'kafkajs';
import { isKafkaConnectionFailure, kafka } from './health.ts';
import type { Logger } from '../../common/log.ts';

const { logLevel } = kafkajs;

const ROUTINE = new RegExp([
  'concurrent operation on the same transaction',
  'The group is rebalancing',
  'The coordinator is not aware of this member',
  'Specified group generation id is not valid',
  'coordinator is loading',
  'This is not the correct coordinator',
  'does not host this topic-partition',
  'There is no leader for this topic-partition',
  'This server is not the leader for that topic-partition',
  'The group coordinator is not available',
  'Not authorized to access group',
  // Said at every start of an idempotent producer with a finite retry count. Ours are
  // transactional (a failed send aborts) or feed idempotent consumers (a failed copy is re-run).
  'Limiting retries for the idempotent producer',
].join('|'), 'i');

// Said after each consumer crash, whose own entry carries the cause (and is judged by it).
const FOLLOW_UP = /^Restarting the consumer in \d+ms$/;

/** True for a KafkaJS error or warning that it retries by itself and that says nothing is wrong. */
export function isRoutineKafkaLog(message: string, error?: unknown): boolean {
  return ROUTINE.test(message) || (error !== undefined && ROUTINE.test(String(error)));
}

export function pinoLogCreator(log: Logger): LogCreator {
  return () => ({ namespace, level, log: entry }) => {
    const { message, timestamp: _ts, logger: _l, ...rest } = entry;
    const text = String(message);
    const msg = namespace ? `${namespace}: ${text}` : text;
    if (level === logLevel.ERROR || level === logLevel.WARN) {
      const error = rest.error === undefined ? undefined : String(rest.error);
      if (isRoutineKafkaLog(text, error) || FOLLOW_UP.test(text)) log.debug(rest, msg);
      else if (isKafkaConnectionFailure(error === undefined ? text : `${text} ${error}`)) {
        kafka.failure(error ?? text, log);
        log.debug(rest, msg);
      } else if (level === logLevel.ERROR) log.error(rest, msg);
      else log.warn(rest, msg);
    } else if (level === logLevel.INFO) log.debug(rest, msg);
    else log.trace(rest, msg);
  };
}
