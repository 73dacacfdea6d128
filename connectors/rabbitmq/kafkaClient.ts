/**
 * KafkaJS client construction for the connectors, with KafkaJS logs routed to pino.
 */
import '../../src/kafkajsFixes.ts';
import { Kafka, logLevel as KafkaLogLevel, type RetryOptions } from 'kafkajs';
import { pinoLogCreator } from '../../src/kafkajsLog.ts';
import { kafkaSecurityFor } from '../../src/kafkaSecurity.ts';
import type { Logger } from '../../src/log.ts';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  /** KafkaJS retry settings for one request; the connectors retry on top of them, forever. */
  retry?: RetryOptions;
}

/** A KafkaJS client for one connector. */
export function createKafka(opts: KafkaConnectionOptions, logger: Logger): Kafka {
  return new Kafka({
    brokers: opts.brokers,
    clientId: opts.clientId,
    ...kafkaSecurityFor(opts.brokers),
    logLevel: KafkaLogLevel.INFO,
    logCreator: pinoLogCreator(logger.child({ lib: 'kafkajs' })),
    retry: opts.retry ?? { initialRetryTime: 100, retries: 5, maxRetryTime: 5_000 },
  });
}
