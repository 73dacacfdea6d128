/**
 * The one place that builds KafkaJS clients, for the stream runtime, the replicas, the connectors
 * and the operator features alike: KafkaJS's log entries on pino (a lost broker goes to dependency
 * health instead of an error line per client and retry), sockets that report the broker's answers,
 * the TLS and SASL settings registered for the brokers, and the transaction coordinator cache.
 * KafkaJS is pinned at 2.2.4, its last release: plain JavaScript without native parts, and the request
 * versions it sends are ones Kafka 4.x still accepts (the integration tests run on a Kafka 4.1
 * broker). Several files in this folder patch its internals at that version.
 */
import './kafkajsFixes.ts';
import './readCommittedFix.ts';
import './kip447.ts';
import kafkajs from 'kafkajs';
import type { Kafka as KafkaT, RetryOptions } from 'kafkajs';
import type { Logger } from '../../common/log.ts';
import { pinoLogCreator } from './kafkajsLog.ts';
import { answerReportingSocketFactory } from './health.ts';
import { kafkaSecurityFor } from './security.ts';
import { installCoordinatorCache } from './coordinatorCache.ts';

const { Kafka, logLevel } = kafkajs;
export type Kafka = KafkaT;

/** Where a client connects and how it names itself; connectors take these from their options. */
export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  /**
   * KafkaJS's retries of one request. The default suits short transactions: a transaction started
   * right after a commit gets CONCURRENT_TRANSACTIONS until the markers are written (a few ms), and
   * KafkaJS's own first back-off of 300 ms would cap a task at ~3 commits/s. The connectors retry
   * on top of these, forever, and pass a slower back-off.
   */
  retry?: RetryOptions;
}

export function createKafka(opts: KafkaConnectionOptions & { log: Logger }): Kafka {
  installCoordinatorCache();
  const log = opts.log.child({ lib: 'kafkajs' });
  return new Kafka({
    brokers: opts.brokers,
    clientId: opts.clientId,
    ...kafkaSecurityFor(opts.brokers),
    logLevel: logLevel.INFO,
    logCreator: pinoLogCreator(log),
    socketFactory: answerReportingSocketFactory(log),
    connectionTimeout: 3000,
    retry: opts.retry ?? { initialRetryTime: 5, maxRetryTime: 2000, retries: 12 },
  });
}

/** The back-off the connectors give KafkaJS for one request (they retry on top of it themselves). */
export const CONNECTOR_RETRY: RetryOptions = { initialRetryTime: 100, retries: 5, maxRetryTime: 5_000 };
