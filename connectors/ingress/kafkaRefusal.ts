/**
 * Why a Kafka produce failed, as the ingress must act on it: Kafka refused this record for good
 * (too large, invalid — retrying the same bytes cannot help, so after a few attempts it is
 * dead-lettered), or Kafka or the client is unwell (keep the message and retry, forever if need be;
 * nothing is lost while RabbitMQ holds it). Only errors that name the record count as the record's
 * fault, so a broker in trouble can never get good messages dead-lettered.
 */

/** KafkaJS protocol error types that are about the records sent, not the broker's health. */
const RECORD_ERRORS = new Set([
  'MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE', 'INVALID_TIMESTAMP',
  'INVALID_REQUIRED_ACKS', 'UNSUPPORTED_COMPRESSION_TYPE',
]);

export type ProduceFailure =
  /** Worth retrying as is (connection lost, leader moving, timeouts). */
  | 'retriable'
  /** Kafka refused these records; the same bytes will be refused again. */
  | 'record'
  /** Not retriable but not about the records either (a client in a bad state): renew the producer, retry. */
  | 'client';

export function classifyProduceFailure(err: unknown): ProduceFailure {
  let retriable = false;
  let kafkajs = false;
  let e = err as { name?: unknown; type?: unknown; retriable?: unknown; cause?: unknown; originalError?: unknown } | null | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    if (typeof e.type === 'string' && RECORD_ERRORS.has(e.type)) return 'record';
    if (typeof e.name === 'string' && e.name.startsWith('KafkaJS')) kafkajs = true;
    if (e.retriable === true) retriable = true;
    e = (e.cause ?? e.originalError) as typeof e;
  }
  if (retriable) return 'retriable';
  // A plain error thrown while KafkaJS encoded the request is about what we gave it.
  return kafkajs ? 'client' : 'record';
}
