/**
 * KafkaJS client construction for the connectors, with KafkaJS logs routed to pino.
 */
import '../../src/kafkajsFixes.ts';
import { Kafka, logLevel as KafkaLogLevel, type logCreator as LogCreator, type RetryOptions } from 'kafkajs';
import type { Logger } from '../../src/log.ts';

/** Maps KafkaJS log entries onto a pino logger (KafkaJS's own console logger is never used). */
export function pinoLogCreator(logger: Logger): LogCreator {
  return () => ({ namespace, level, log }) => {
    const { message, timestamp: _ts, logger: _l, ...extra } = log;
    const fields = { kafkaNamespace: namespace, ...extra };
    if (level === KafkaLogLevel.ERROR) logger.error(fields, message);
    else if (level === KafkaLogLevel.WARN) logger.warn(fields, message);
    else if (level === KafkaLogLevel.INFO) logger.info(fields, message);
    else logger.debug(fields, message);
  };
}

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
    logLevel: KafkaLogLevel.INFO,
    logCreator: pinoLogCreator(logger.child({ lib: 'kafkajs' })),
    retry: opts.retry ?? { initialRetryTime: 100, retries: 5, maxRetryTime: 5_000 },
  });
}
