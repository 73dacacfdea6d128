/**
 * The publisher's view without a broker: the index mappings over the change-status, audit, raw and
 * dead-letter records (src/features/changes/indexes.ts), and the views assembled from them (view.ts).
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { auditIndex, dlqIndex, msgKey, rawIndex, tagsIndex, type DecisionSummary } from '../../../src/features/changes/indexes.ts';
import { changeIdsOf, changeView, messageView } from '../../../src/features/changes/view.ts';
import type { ChangeStatus } from '../../../src/topology/contracts/changeStatus.ts';

const rec = (key: string, value: unknown, partition = 1, offset = 7n) => ({ partition, offset, key, value: value === null ? null : Buffer.from(JSON.stringify(value)), timestamp: 0 });
const decode = (writes: ReturnType<typeof tagsIndex>) => writes.map(([k, v]) => [k, v === null ? null : JSON.parse(v.toString())]);
const tag = (over: Partial<ChangeStatus> = {}): ChangeStatus => ({ changeId: 'acc:v2', accountId: 'acc', version: 2, destination: 'ldap', state: 'complete', attempts: 1, messageId: 'm|1', at: '2026-03-02T10:00:00.000Z', ...over });

describe('index mappings', () => {
  test('a tag is indexed by change and under its message id (encoded: a | in an id is no separator); a tombstone deletes it', () => {
    assert.deepEqual(decode(tagsIndex(rec('acc:v2|ldap', tag()))), [['tag|acc:v2|ldap', tag()], ['msg|m%7C1|acc:v2', { changeId: 'acc:v2', accountId: 'acc', version: 2 }]]);
    assert.deepEqual(tagsIndex(rec('acc:v2|ldap', null)), [['tag|acc:v2|ldap', null]]);
    assert.deepEqual(tagsIndex(rec('x', { not: 'a tag' })), []);
    assert.equal(msgKey('a|b'), 'msg|a%7Cb|');
  });

  test('a decision is indexed under its message id (or its username claim\'s) and under the change it made', () => {
    const audit = { v: 2, at: 't', employeeId: '100001', accountId: 'acc', decision: 'create', rule: 'create-granted', cause: { kind: 'username', id: '100001', amqpMessageId: null, via: { kind: 'stillinger', id: '3', amqpMessageId: 'm-9' } }, notify: { eventId: 'acc:v1', type: 'CREATE' } };
    const summary: DecisionSummary = { employeeId: '100001', accountId: 'acc', decision: 'create', rule: 'create-granted', at: 't', cause: { kind: 'username', id: '100001' }, change: { changeId: 'acc:v1', type: 'CREATE' }, messageId: 'm-9' };
    assert.deepEqual(decode(auditIndex(rec('100001', audit, 2, 15n))), [['msg|m-9|0002|00000000000000000015', summary], ['change|acc:v1', summary]]);
    const timer = { ...audit, cause: { kind: 'timer', id: '2026-03-02', amqpMessageId: null }, notify: undefined, decision: 'none' };
    assert.deepEqual(auditIndex(rec('100001', timer)), [], 'no message and no change: nothing to index');
    assert.deepEqual(auditIndex(rec('reconcile:run-1', { type: 'drift' })), [], 'reconciliation records are not decisions');
  });

  test('accepted messages from the raw topic, rejected ones from the ingress\'s dead letters', () => {
    const raw = { kind: 'stillinger', id: '30000001', notBefore: null, receivedAt: 't', source: { exchange: 'ex', routingKey: 'stillinger', messageId: 'm-1', contentType: null }, body: {} };
    assert.deepEqual(decode(rawIndex('app.dfo.events')(rec('stillinger:30000001', raw))), [['msg|m-1|0001|00000000000000000007', { kind: 'stillinger', id: '30000001', receivedAt: 't', routingKey: 'stillinger', raw: 'app.dfo.events[1]@7' }]]);
    assert.deepEqual(rawIndex('t')(rec('stillinger:1', { ...raw, source: undefined, reconcile: { runId: 'r' } })), [], 'a repair event has no message id');
    const dead = { reason: 'not JSON', source: 'ingress', exchange: 'ex', routingKey: 'ansatte', messageId: 'm-2', contentType: null, receivedAt: 't', bodyBase64: '', bodyBytes: 0 };
    assert.deepEqual(decode(dlqIndex('app.iga.dlq')(rec('m-2', dead))), [['msg|m-2|0001|00000000000000000007', { reason: 'not JSON', receivedAt: 't', routingKey: 'ansatte', dlq: 'app.iga.dlq[1]@7' }]]);
    assert.deepEqual(dlqIndex('d')(rec('k', { ...dead, source: 'egress' })), [], 'the egress\'s dead letters are no publisher\'s messages');
  });
});

describe('views', () => {
  const decision: DecisionSummary = { employeeId: '100001', accountId: 'acc', decision: 'modify', rule: 'modify', at: 't', cause: { kind: 'ansatte', id: '100001' }, change: { changeId: 'acc:v2', type: 'MODIFY' }, messageId: 'm-1' };

  test('a change: each configured destination\'s tag, pending where none yet; the outcome is failed if one refused, complete only when all hold it', () => {
    const v = changeView('acc:v2', decision, [tag()], ['ldap', 'keycloak'])!;
    assert.deepEqual(v.tags, { ldap: { state: 'complete', attempts: 1, at: '2026-03-02T10:00:00.000Z' }, keycloak: { state: 'pending' } });
    assert.equal(v.outcome, 'pending');
    assert.equal(v.type, 'MODIFY');
    assert.equal(v.version, 2);
    assert.equal(changeView('acc:v2', decision, [tag(), tag({ destination: 'keycloak' })], ['ldap', 'keycloak'])!.outcome, 'complete');
    const failed = changeView('acc:v2', undefined, [tag({ state: 'failed', error: 'refused' }), tag({ destination: 'keycloak', state: 'retrying', error: 'down', nextAttemptAt: 'n' })], ['ldap'])!;
    assert.equal(failed.outcome, 'failed');
    assert.equal(failed.tags.ldap!.state, 'failed');
    assert.equal(failed.messageId, 'm|1', 'from the tags when no decision is known');
    assert.equal(changeView('acc:v2', undefined, [], ['ldap']), null);
  });

  test('a message: accepted, rejected, or unknown (null); complete when every change is', () => {
    const change = changeView('acc:v2', decision, [tag()], ['ldap'])!;
    const accepted = messageView('m-1', { accepted: [{ kind: 'ansatte', id: '1', receivedAt: null, routingKey: null, raw: 'r' }], rejected: [], decisions: [decision] }, [change])!;
    assert.equal(accepted.status, 'accepted');
    assert.equal(accepted.complete, true);
    const rejected = messageView('m-2', { accepted: [], rejected: [{ reason: 'x', receivedAt: null, routingKey: null, dlq: 'd' }], decisions: [] }, [])!;
    assert.equal(rejected.status, 'rejected');
    assert.equal(messageView('m-3', { accepted: [], rejected: [], decisions: [] }, []), null);
    assert.deepEqual(changeIdsOf([decision, { ...decision, change: null }, decision], [{ changeId: 'acc:v2' }, { changeId: 'acc:v3' }]), ['acc:v2', 'acc:v3']);
  });
});

describe('a published profile in the message view (validation tags)', () => {
  const tag = (state: 'valid' | 'invalid', reasons: string[] = []) => ({
    changeId: 'profile:m1', destination: 'validation' as const, state, reasons, publisher: 'fs', messageId: 'm1', policyVersion: 'a-1', raw: 'app.profiles.raw[0]@3', at: '2026-12-01T10:00:00.000Z',
  });
  const accepted = [{ kind: 'profile', id: 'fs:s-1', receivedAt: null, routingKey: 'fs', raw: 'app.profiles.raw[0]@3' }];

  test('invalid: status invalid with every reason, never complete', () => {
    const v = messageView('m1', { accepted, rejected: [], decisions: [], validation: tag('invalid', ['schema student: nin: 11 digits', 'authority: employeeNumber: owned by dfo; fs may not set it']) }, []);
    assert.equal(v!.status, 'invalid');
    assert.deepEqual(v!.validation, { state: 'invalid', reasons: ['schema student: nin: 11 digits', 'authority: employeeNumber: owned by dfo; fs may not set it'], publisher: 'fs', policyVersion: 'a-1', raw: 'app.profiles.raw[0]@3', at: '2026-12-01T10:00:00.000Z' });
    assert.equal(v!.complete, false);
  });

  test('accepted but not validated yet: pending, not complete; valid: complete when its changes are', () => {
    const pending = messageView('m1', { accepted, rejected: [], decisions: [] }, []);
    assert.deepEqual([pending!.status, pending!.validation, pending!.complete], ['accepted', { state: 'pending' }, false]);
    const valid = messageView('m1', { accepted, rejected: [], decisions: [], validation: tag('valid') }, []);
    assert.deepEqual([valid!.status, valid!.validation!.state, valid!.complete], ['accepted', 'valid', true]);
  });

  test('held by the person directory: status held with the reason and candidates, not complete; released: accepted, with who chose which person', () => {
    const matching = (state: 'held' | 'released', extra: Record<string, string> = {}) => ({
      changeId: 'profile:m1', destination: 'matching' as const, state, reasons: ['the keys disagree: nin finds 100060, employeeNumber finds 100050'], candidates: ['100050', '100060'],
      publisher: 'fs', messageId: 'm1', at: '2026-12-01T10:00:00.000Z', ...extra,
    });
    const held = messageView('m1', { accepted, rejected: [], decisions: [], validation: tag('valid'), matching: matching('held') }, []);
    assert.deepEqual([held!.status, held!.matching?.state, held!.matching?.candidates, held!.complete], ['held', 'held', ['100050', '100060'], false]);
    const released = messageView('m1', { accepted, rejected: [], decisions: [], validation: tag('valid'), matching: matching('released', { person: '100060', by: 'admin client ops' }) }, []);
    assert.deepEqual([released!.status, released!.matching?.person, released!.matching?.by, released!.complete], ['accepted', '100060', 'admin client ops', true]);
  });

  test('a DFØ message has no validation', () => {
    const v = messageView('m2', { accepted: [{ kind: 'stillinger', id: '1', receivedAt: null, routingKey: 'stillinger', raw: 'r[0]@0' }], rejected: [], decisions: [] }, []);
    assert.equal(v!.validation, null);
    assert.equal(v!.complete, true);
  });

  test('the tags index keeps a validation tag under the message, and the drivers\' tag prefix never sees it', () => {
    const value = Buffer.from(JSON.stringify(tag('invalid', ['x'])));
    assert.deepEqual(tagsIndex({ partition: 0, offset: 1n, key: 'profile:m1|validation', value, timestamp: 0 }), [['vmsg|m1|', value]]);
  });

  test('the dead-letter index lists what the publisher input and the validation step refused, saying which', () => {
    const rec = (source: string) => ({ partition: 1, offset: 7n, key: 'm1', timestamp: 0, value: Buffer.from(JSON.stringify({ reason: 'r', source, messageId: 'm1', receivedAt: null, routingKey: 'fs' })) });
    assert.equal(JSON.parse(String(dlqIndex('dlq')(rec('validation'))[0]![1])).by, 'validation');
    assert.equal(JSON.parse(String(dlqIndex('dlq')(rec('publish'))[0]![1])).by, 'publish');
    assert.equal(JSON.parse(String(dlqIndex('dlq')(rec('ingress'))[0]![1])).by, undefined);
    assert.deepEqual(dlqIndex('dlq')(rec('egress')), []);
  });
});
