import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import kafkajs from 'kafkajs';
import { pino } from 'pino';
import { isRoutineKafkaLog, pinoLogCreator } from '../../src/kafkajsLog.ts';

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
