/** A change tag as a status event on ex_iga_status (connectors/drivers/framework/statusEvents.ts). */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { STATUS_EVENT_TTL_MS, statusEvent } from '../../../connectors/drivers/framework/statusEvents.ts';
import type { ChangeStatus } from '../../../src/topology/contracts/changeStatus.ts';

test('routing key <driver>.<state>, the publisher\'s message id as correlation id, a stable message id per tag, 24-hour expiration', () => {
  const tag: ChangeStatus = { changeId: 'acc:v2', accountId: 'acc', version: 2, destination: 'ldap', state: 'retrying', attempts: 3, error: 'down', nextAttemptAt: '2026-03-02T10:00:05.000Z', messageId: 'm-1', at: '2026-03-02T10:00:00.000Z' };
  const e = statusEvent(tag);
  assert.equal(e.routingKey, 'ldap.retrying');
  assert.deepEqual(JSON.parse(e.body.toString()), tag);
  assert.equal(e.options.correlationId, 'm-1');
  assert.equal(e.options.expiration, '86400000');
  assert.equal(STATUS_EVENT_TTL_MS, 24 * 3600 * 1000);
  assert.equal(e.options.persistent, true);
  assert.deepEqual(e.options.headers, { 'iga-change-id': 'acc:v2', 'iga-destination': 'ldap', 'iga-state': 'retrying', 'iga-message-id': 'm-1' });
  assert.equal(statusEvent(tag).options.messageId, e.options.messageId, 'the same tag, the same id: a consumer can drop a repeat');
  assert.notEqual(statusEvent({ ...tag, attempts: 4 }).options.messageId, e.options.messageId);
  const noCause = statusEvent({ ...tag, messageId: null, state: 'complete' });
  assert.equal(noCause.options.correlationId, undefined);
  assert.equal(noCause.routingKey, 'ldap.complete');
});
