import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { auditIndex, auditIndexKey, reconcileRunIndexKey } from '../../../src/features/explain/replicas.ts';
import { driftAuditRecord, runAuditKey } from '../../../src/features/reconcile/records.ts';

const rec = (key: string, value: unknown) => ({ partition: 2, offset: 41n, key, value: value === null ? null : Buffer.from(JSON.stringify(value)), timestamp: 0 });

describe('explain audit index and reconciliation records', () => {
  test('drift records (key reconcile:<runId>) are skipped; run summaries are kept by end time; decisions are indexed by employee', () => {
    const drift = driftAuditRecord({ kind: 'missing-person', subject: { type: 'person', id: '100301' }, detail: 'x' }, 'r1', '2026-12-01T10:00:00Z', 'stillinger:30000001');
    assert.deepEqual(auditIndex(rec(runAuditKey('r1'), drift)), []);
    const run = { type: 'reconcile-run', runId: 'r1', endedAt: '2026-12-01T10:00:05.000Z' };
    const runWrites = auditIndex(rec(runAuditKey('r1'), run));
    assert.deepEqual(runWrites.map(([k, v]) => [k, JSON.parse(v!.toString())]), [[reconcileRunIndexKey(run.endedAt, 'r1'), run]]);
    assert.deepEqual(auditIndex(rec(runAuditKey('r1'), { type: 'reconcile-run', runId: 'r1' })), [], 'no end time: not a summary');
    assert.deepEqual(auditIndex(rec(runAuditKey('r1'), 'not an object')), []);
    assert.deepEqual(auditIndex({ ...rec(runAuditKey('r1'), null), value: Buffer.from('{broken') }), [], 'unreadable: skipped, not thrown');
    assert.deepEqual(auditIndex(rec('other:x', run)), [], 'only reconcile: keys');
    assert.ok(reconcileRunIndexKey('2026-12-01T10:00:05.000Z', 'r1') > auditIndexKey('999999999', 9, 99n), 'after every employee key');
    assert.ok(reconcileRunIndexKey('2026-12-02T00:00:00.000Z', 'a') > reconcileRunIndexKey('2026-12-01T23:59:59.999Z', 'z'), 'in end-time order');
    const decision = { v: 2, employeeId: '100301', decision: 'create' };
    const writes = auditIndex(rec('100301', decision));
    assert.equal(writes.length, 1);
    assert.equal(writes[0]![0], auditIndexKey('100301', 2, 41n));
    assert.deepEqual(auditIndex(rec('', decision)), []);
    assert.deepEqual(auditIndex(rec('100301', null)), []);
  });
});
