import { test } from 'vitest';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import kafkajs from 'kafkajs';
import { pino } from 'pino';
import { isRoutineKafkaLog, pinoLogCreator } from '../../../src/runtime/kafka/kafkajsLog.ts';
import { dependencyHealth } from '../../../src/common/dependencyHealth.ts';
import { kafka } from '../../../src/runtime/kafka/health.ts';

function capture() {
  const lines: Array<{ level: number; msg: string }> = [];
  const out = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  return { lines, log: pino({ level: 'trace' }, out) };
}

test('retried, harmless KafkaJS errors are routine; real ones are not', () => {
  assert.equal(isRoutineKafkaLog('Response Metadata(key: 3, version: 6)', 'This server does not host this topic-partition'), true);
  assert.equal(isRoutineKafkaLog('[Connection] Response Heartbeat(key: 12, version: 3)', 'The group is rebalancing, so a rejoin is needed'), true);
  assert.equal(isRoutineKafkaLog('Error when calling eachBatch', 'Database is not open'), false);
  assert.equal(isRoutineKafkaLog('Crash: KafkaJSNumberOfRetriesExceeded'), false);
  assert.equal(isRoutineKafkaLog('Response ListOffsets(key: 2, version: 3)', 'This server is not the leader for that topic-partition'), true);
  assert.equal(isRoutineKafkaLog('Limiting retries for the idempotent producer may invalidate EoS guarantees'), true);
});

test('routine errors go to debug, real errors and warnings keep their level, info is debug', async () => {
  const { lines, log } = capture();
  const write = pinoLogCreator(log)(kafkajs.logLevel.DEBUG);
  const entry = (message: string, error?: string) => ({ namespace: 'Connection', label: '', log: { timestamp: '', logger: 'kafkajs', message, ...(error ? { error } : {}) } });
  write({ ...entry('Response Heartbeat', 'The group is rebalancing, so a rejoin is needed'), level: kafkajs.logLevel.ERROR });
  write({ ...entry('Error when calling eachBatch', 'Database is not open'), level: kafkajs.logLevel.ERROR });
  write({ ...entry('Consumer is slow'), level: kafkajs.logLevel.WARN });
  write({ ...entry('Starting'), level: kafkajs.logLevel.INFO });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(lines.map((l) => [l.level, l.msg]), [
    [20, 'Connection: Response Heartbeat'],
    [50, 'Connection: Error when calling eachBatch'],
    [40, 'Connection: Consumer is slow'],
    [20, 'Connection: Starting'],
  ]);
});

test('a lost broker, logged by every client on every retry, is one "Kafka is down" line; the entries go to debug', async () => {
  const { lines, log } = capture();
  const write = pinoLogCreator(log.child({ component: 'egress' }))(kafkajs.logLevel.DEBUG);
  const at = (level: number, namespace: string, message: string, extra: Record<string, unknown> = {}) =>
    write({ namespace, level, label: '', log: { timestamp: '', logger: 'kafkajs', message, ...extra } });
  for (let i = 0; i < 20; i++) {
    at(kafkajs.logLevel.ERROR, 'Connection', 'Connection error: connect ECONNREFUSED 127.0.0.1:9092', { broker: '127.0.0.1:9092', clientId: 'x' });
    at(kafkajs.logLevel.ERROR, 'BrokerPool', 'Failed to connect to seed broker, trying another broker from the list: Connection error: connect ECONNREFUSED 127.0.0.1:9092', { retryCount: i });
  }
  at(kafkajs.logLevel.ERROR, 'Consumer', 'Crash: KafkaJSNonRetriableError: Connection error: connect ECONNREFUSED 127.0.0.1:9092', { groupId: 'g' });
  at(kafkajs.logLevel.ERROR, 'Consumer', 'Restarting the consumer in 300ms', { retryCount: 0, retryTime: 300, groupId: 'g' });
  at(kafkajs.logLevel.WARN, 'Runner', 'Error when calling eachBatch', { error: 'Connection timeout' });
  at(kafkajs.logLevel.ERROR, 'Runner', 'Error when calling eachBatch', { error: 'Database is not open' });
  at(kafkajs.logLevel.WARN, undefined as unknown as string, 'KafkaJS v2.0.0 switched default partitioner.');
  await new Promise((r) => setImmediate(r));
  const shown = lines.filter((l) => l.level >= 30).map((l) => [l.level, l.msg]);
  assert.deepEqual(shown, [
    [40, 'Kafka is down: Connection error: connect ECONNREFUSED 127.0.0.1:9092'],
    [50, 'Runner: Error when calling eachBatch'],
    [40, 'KafkaJS v2.0.0 switched default partitioner.'],
  ]);
  assert.equal(lines.filter((l) => l.level === 20).length, 43, 'each folded entry is still there at debug');
  // Leave the process's Kafka state up for the next test file.
  dependencyHealth.configure({ settleMs: 0 });
  kafka.success(log);
  dependencyHealth.configure({ settleMs: 2_000 });
  assert.equal(kafka.up, true);
});
