import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { auditIndex, auditIndexKey } from '../../src/explain/replicas.ts';
import { driftAuditRecord, runAuditKey } from '../../src/reconcile/records.ts';

const rec = (key: string, value: unknown) => ({ partition: 2, offset: 41n, key, value: value === null ? null : Buffer.from(JSON.stringify(value)), timestamp: 0 });

describe('explain audit index and reconciliation records', () => {
  test('drift and run records (key reconcile:<runId>) are skipped; decisions are indexed by employee', () => {
    const drift = driftAuditRecord({ kind: 'missing-person', subject: { type: 'person', id: '100301' }, detail: 'x' }, 'r1', '2026-12-01T10:00:00Z', 'stillinger:30000001');
    assert.deepEqual(auditIndex(rec(runAuditKey('r1'), drift)), []);
    assert.deepEqual(auditIndex(rec(runAuditKey('r1'), { type: 'reconcile-run', runId: 'r1' })), []);
    const decision = { v: 2, employeeId: '100301', decision: 'create' };
    const writes = auditIndex(rec('100301', decision));
    assert.equal(writes.length, 1);
    assert.equal(writes[0]![0], auditIndexKey('100301', 2, 41n));
    assert.deepEqual(auditIndex(rec('', decision)), []);
    assert.deepEqual(auditIndex(rec('100301', null)), []);
  });
});
