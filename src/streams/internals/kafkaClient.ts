/**
 * The one place that builds KafkaJS clients for the stream runtime: a quiet logger that maps
 * KafkaJS's log levels onto pino, and retry settings tuned for short transactions.
 * KafkaJS is pinned at 2.2.4 (its last release); see STACK.md for why it is still the choice.
 */
import '../../kafkajsFixes.ts';
import kafkajs from 'kafkajs';
import type { Kafka as KafkaT, logCreator as LogCreator } from 'kafkajs';
import type { Logger } from '../../log.ts';
import { installCoordinatorCache } from './coordinatorCache.ts';

const { Kafka, logLevel } = kafkajs;
export type Kafka = KafkaT;

/** KafkaJS logs retried CONCURRENT_TRANSACTIONS answers as errors; they are routine after a commit. */
const ROUTINE = /concurrent operation on the same transaction|The group is rebalancing|Not authorized to access group|coordinator is loading/i;

function pinoLogCreator(log: Logger): LogCreator {
  return () => ({ namespace, level, log: entry }) => {
    const { message, ...rest } = entry;
    const msg = `${namespace}: ${message}`;
    if (level === logLevel.ERROR && !ROUTINE.test(String(rest.error ?? message))) log.error(rest, msg);
    else if (level === logLevel.ERROR || level === logLevel.WARN) log.debug(rest, msg);
    else log.trace(rest, msg);
  };
}

export function createKafka(opts: { brokers: string[]; clientId: string; log: Logger }): Kafka {
  installCoordinatorCache();
  return new Kafka({
    brokers: opts.brokers,
    clientId: opts.clientId,
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(opts.log),
    connectionTimeout: 3000,
    // A transaction started right after a commit gets CONCURRENT_TRANSACTIONS until the markers are
    // written (a few ms); KafkaJS's default 300 ms first back-off would cap us at ~3 commits/s.
    retry: { initialRetryTime: 5, maxRetryTime: 2000, retries: 12 },
  });
}
