import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { isRetriable, StreamsError, TaskMigratedError } from '../../src/runtime/api/errors.ts';
import { SourceInvalid, SourceUnavailable } from '../../connectors/dfo/errors.ts';

const flagged = (message: string, retriable: boolean | undefined, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message, extra.cause === undefined ? {} : { cause: extra.cause }), retriable === undefined ? {} : { retriable }, extra.name ? { name: extra.name } : {});

describe('isRetriable: the one retriable-error policy', () => {
  test('an error that says so decides', () => {
    assert.equal(isRetriable(flagged('x', true)), true);
    assert.equal(isRetriable(flagged('x', false)), false);
    assert.equal(isRetriable(new StreamsError('x', { retriable: true })), true);
    assert.equal(isRetriable(new TaskMigratedError('0_1', flagged('fenced', true))), false, 'an explicit no is not overruled by its cause');
  });
  test('an unknown error is not retriable (dead-lettered with its reason, never retried forever)', () => {
    for (const e of [new Error('unknown'), new TypeError('bug'), 'a string', null, undefined, 42, {}]) assert.equal(isRetriable(e), false, String(e));
  });
  test('an error with no verdict, and KafkaJS\'s retries-exhausted wrapper, defer to their cause', () => {
    const lost = flagged('Connection error', true, { name: 'KafkaJSConnectionError' });
    assert.equal(isRetriable(flagged('wrapped', undefined, { cause: lost })), true);
    assert.equal(isRetriable(flagged('retries exceeded', false, { name: 'KafkaJSNumberOfRetriesExceeded', cause: lost })), true);
    assert.equal(isRetriable(flagged('retries exceeded', false, { name: 'KafkaJSNumberOfRetriesExceeded', cause: flagged('auth', false) })), false);
    assert.equal(isRetriable(flagged('a', undefined, { cause: flagged('b', undefined, { cause: new Error('c') }) })), false);
  });
  test('the connectors\' errors carry their verdict', () => {
    assert.equal(isRetriable(new SourceUnavailable('DFØ down')), true);
    assert.equal(isRetriable(new SourceInvalid('bad date', 'ansatt.startdato')), false);
  });
});
