import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { notifyMessageType, notifyRoutingKey, parseNotifyRecord, toScimEvent } from '../../connectors/egress/notifyEvent.ts';
import type { NotifyRecord } from '../../src/topology/contracts/notify.ts';
import { deadLetterRecord, MAX_DEAD_LETTER_BODY_BYTES } from '../../src/topology/contracts/deadLetter.ts';
import { backoffDelay } from '../../connectors/amqp/backoff.ts';
import { frameValue } from '../../src/common/wireFormat.ts';

const uri = 'https://gw-uib.intark.uh-it.no/iga/scim/v2/Users/5f0c2b1e-0000-4000-8000-000000000001';
const base: NotifyRecord = { eventId: 'a1:v1', type: 'CREATE', accountId: 'a1', resourceUri: uri, occurredAt: '2026-01-01T10:00:00.000Z' };

describe('toScimEvent', () => {
  test('CREATE has no attributes and no values, even if the record lists some', () => {
    const e = toScimEvent({ ...base, attributes: ['active'] });
    assert.deepEqual(e, { schemas: ['urn:ietf:params:scim:schemas:notify:2.0:Event'], resourceUris: [uri], type: 'CREATE' });
    assert.equal(JSON.stringify(e), `{"schemas":["urn:ietf:params:scim:schemas:notify:2.0:Event"],"resourceUris":["${uri}"],"type":"CREATE"}`);
  });
  test('MODIFY lists the changed attributes once each', () => {
    const e = toScimEvent({ ...base, eventId: 'a1:v2', type: 'MODIFY', attributes: ['active', 'name.givenName', 'active'] });
    assert.deepEqual(e, { schemas: ['urn:ietf:params:scim:schemas:notify:2.0:Event'], resourceUris: [uri], type: 'MODIFY', attributes: ['active', 'name.givenName'] });
    assert.equal('values' in e, false);
  });
  test('MODIFY without attributes gets an empty list', () => {
    assert.deepEqual(toScimEvent({ ...base, type: 'MODIFY' }).attributes, []);
  });
});

describe('parseNotifyRecord', () => {
  test('accepts a valid record', () => {
    const r = parseNotifyRecord(Buffer.from(JSON.stringify(base)));
    assert.deepEqual(r, { ok: true, record: base });
  });
  test('accepts a record in a schema registry\'s wire format (written with the registry on)', () => {
    const r = parseNotifyRecord(frameValue(42, Buffer.from(JSON.stringify(base))));
    assert.deepEqual(r, { ok: true, record: base });
  });
  test('rejects tombstones, bad JSON and invalid fields', () => {
    assert.equal(parseNotifyRecord(null).ok, false);
    assert.equal(parseNotifyRecord(Buffer.from('{')).ok, false);
    const r = parseNotifyRecord(Buffer.from(JSON.stringify({ ...base, type: 'DELETE', resourceUri: 'not a url' })));
    assert.equal(r.ok, false);
    assert.match((r as { reason: string }).reason, /type.*resourceUri|resourceUri.*type/s);
  });
});

describe('routing key and message type', () => {
  test('template', () => {
    assert.equal(notifyRoutingKey('no.uib.iga.scim.user.{type}', 'CREATE'), 'no.uib.iga.scim.user.create');
    assert.equal(notifyRoutingKey('{type}.x.{type}', 'MODIFY'), 'modify.x.modify');
    assert.equal(notifyRoutingKey('fixed.key', 'MODIFY'), 'fixed.key');
    assert.equal(notifyMessageType('MODIFY'), 'scim.user.modify');
  });
});

describe('deadLetterRecord', () => {
  const fields = { reason: 'r', source: 'ingress' as const, exchange: 'x', routingKey: 'k', messageId: null, contentType: null, receivedAt: 't' };
  test('keeps the original bytes', () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    const d = deadLetterRecord(fields, bytes);
    assert.deepEqual(Buffer.from(d.bodyBase64, 'base64'), bytes);
    assert.equal(d.bodyBytes, 4);
    assert.equal('truncated' in d, false);
  });
  test('cuts oversized bodies and says so', () => {
    const d = deadLetterRecord(fields, Buffer.alloc(MAX_DEAD_LETTER_BODY_BYTES + 10, 1));
    assert.equal(d.truncated, true);
    assert.equal(d.bodyBytes, MAX_DEAD_LETTER_BODY_BYTES + 10);
    assert.equal(Buffer.from(d.bodyBase64, 'base64').length, MAX_DEAD_LETTER_BODY_BYTES);
  });
});

describe('backoffDelay', () => {
  test('grows, stays within [cap/2, cap] and never exceeds max', () => {
    for (let attempt = 1; attempt < 40; attempt++) {
      const cap = Math.min(1000, 10 * 2 ** (attempt - 1));
      const d = backoffDelay(attempt, { initialMs: 10, maxMs: 1000 });
      assert.ok(d >= cap / 2 - 1 && d <= cap, `attempt ${attempt}: ${d}`);
    }
    assert.ok(backoffDelay(Number.MAX_SAFE_INTEGER, { maxMs: 500 }) <= 500);
  });
});
