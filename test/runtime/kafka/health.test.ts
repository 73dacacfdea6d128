/**
 * Which KafkaJS log texts and errors count as a lost broker (reported to dependency health) and
 * which stay errors, on the texts KafkaJS 2.2.4 writes.
 */
import { afterAll, test } from 'vitest';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { pino } from 'pino';
import { dependencyHealth } from '../../../src/common/dependencyHealth.ts';
import { isKafkaConnectionFailure, kafka, reportKafkaOutage } from '../../../src/runtime/kafka/health.ts';
import { StreamsError, TaskMigratedError } from '../../../src/runtime/api/errors.ts';

// KafkaJS's error classes as it constructs them (its type declarations omit some and the option bags).
type ErrorClass = new (e: unknown, opts?: Record<string, unknown>) => Error;
const { KafkaJSConnectionError, KafkaJSConnectionClosedError, KafkaJSRequestTimeoutError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, KafkaJSSASLAuthenticationError } = kafkajs as unknown as Record<string, ErrorClass>;

function capture() {
  const lines: Array<{ level: number; msg: string }> = [];
  return { lines, log: pino({ level: 'trace' }, { write: (s: string) => { lines.push(JSON.parse(s)); } }).child({ component: 'streams' }) };
}

afterAll(() => {
  // Leave the process's Kafka state up for the next file.
  dependencyHealth.configure({ settleMs: 0 });
  kafka.success(capture().log);
  dependencyHealth.configure({ settleMs: 2_000 });
});

test('the texts KafkaJS logs when a broker cannot be reached are connection failures', () => {
  for (const text of [
    'Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    'Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    'Crash: KafkaJSNonRetriableError: Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    'Crash: KafkaJSNumberOfRetriesExceeded: Connection timeout',
    'Connection timeout',
    'Closed connection',
    'Connection closed by the server',
    'Failed to send messages: Connection error: read ECONNRESET',
    'Request Produce(key: 0, version: 7) timed out',
    'Connection error: getaddrinfo ENOTFOUND kafka1.uib.no',
    'Connection error: connect EHOSTUNREACH 10.0.0.7:9093',
    'No broker available',
    'Error when calling eachBatch Not connected',
  ]) assert.equal(isKafkaConnectionFailure(text), true, text);
});

test('protocol, authorisation and application errors are not connection failures', () => {
  for (const text of [
    'Error when calling eachBatch Database is not open',
    'SASL SCRAM SHA512 authentication failed: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
    'Crash: KafkaJSProtocolError: Not authorized to access topics: [Topic authorization failed]',
    'Producer attempted an operation with an old epoch. Either there is a newer producer with the same transactionalId, or the producer\'s transaction has been expired by the broker',
    'The group is rebalancing, so a rejoin is needed',
    'Offset out of range, resetting to default offset',
    'Consumer group received unsubscribed topics',
    'Restarting the consumer in 300ms',
  ]) assert.equal(isKafkaConnectionFailure(text), false, text);
});

test('reportKafkaOutage reports lost-broker errors, also when wrapped, and leaves every other error to the caller', () => {
  const { log } = capture();
  const refused = new KafkaJSConnectionError!('Connection error: connect ECONNREFUSED 127.0.0.1:9092', { broker: '127.0.0.1:9092', code: 'ECONNREFUSED' });
  assert.equal(reportKafkaOutage(refused, log), true);
  assert.equal(reportKafkaOutage(new KafkaJSNumberOfRetriesExceeded!(new KafkaJSConnectionClosedError!('Closed connection', { host: 'h', port: 9092 }), { retryCount: 5, retryTime: 1000 }), log), true);
  assert.equal(reportKafkaOutage(new KafkaJSRequestTimeoutError!('Request Produce(key: 0, version: 7) timed out'), log), true);
  assert.equal(reportKafkaOutage(new StreamsError('commit failed', { retriable: true, cause: refused }), log), true);
  assert.equal(reportKafkaOutage(new KafkaJSProtocolError!({ message: 'Not authorized to access topics: [Topic authorization failed]', type: 'TOPIC_AUTHORIZATION_FAILED', code: 29, retriable: false }), log), false);
  assert.equal(reportKafkaOutage(new KafkaJSSASLAuthenticationError!('SASL PLAIN authentication failed: Authentication failed'), log), false);
  assert.equal(reportKafkaOutage(new TaskMigratedError('0_1'), log), false);
  assert.equal(reportKafkaOutage(new Error('Database is not open'), log), false);
  assert.equal(reportKafkaOutage('no object at all', log), false);
});
