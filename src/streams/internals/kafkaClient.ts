/**
 * The one place that builds KafkaJS clients for the stream runtime: a quiet logger that maps
 * KafkaJS's log levels onto pino, and retry settings tuned for short transactions.
 * KafkaJS is pinned at 2.2.4 (its last release); see STACK.md for why it is still the choice.
 */
import '../../kafkajsFixes.ts';
import kafkajs from 'kafkajs';
import type { Kafka as KafkaT } from 'kafkajs';
import type { Logger } from '../../log.ts';
import { pinoLogCreator } from '../../kafkajsLog.ts';
import { kafkaSecurityFor } from '../../kafkaSecurity.ts';
import { installCoordinatorCache } from './coordinatorCache.ts';

const { Kafka, logLevel } = kafkajs;
export type Kafka = KafkaT;

export function createKafka(opts: { brokers: string[]; clientId: string; log: Logger }): Kafka {
  installCoordinatorCache();
  return new Kafka({
    brokers: opts.brokers,
    clientId: opts.clientId,
    ...kafkaSecurityFor(opts.brokers),
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(opts.log),
    connectionTimeout: 3000,
    // A transaction started right after a commit gets CONCURRENT_TRANSACTIONS until the markers are
    // written (a few ms); KafkaJS's default 300 ms first back-off would cap us at ~3 commits/s.
    retry: { initialRetryTime: 5, maxRetryTime: 2000, retries: 12 },
  });
}
