import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { Drift } from '../../../src/features/reconcile/drift.ts';
import { planRepairs } from '../../../src/features/reconcile/plan.ts';
import { repairRawEvent } from '../../../src/features/reconcile/records.ts';
import { rawDfoEventSchema } from '../../../src/topology/contracts/raw.ts';

const person = (kind: Drift['kind'], id: string, positions?: string[]): Drift => ({ kind, subject: { type: 'person', id }, detail: '', ...(positions ? { positions } : {}) });
const position = (kind: Drift['kind'], id: string): Drift => ({ kind, subject: { type: 'position', id }, detail: '' });

describe('reconcile repair plan', () => {
  test('no drift, no events', () => {
    assert.deepEqual(planRepairs([]), []);
  });

  test('position drifts become one stillinger event each', () => {
    const plan = planRepairs([position('stale-position', '100'), position('missing-position', '300'), position('unknown-position', '20')]);
    assert.deepEqual(plan.map((e) => [e.kind, e.id, e.resendHolders]), [['stillinger', '20', []], ['stillinger', '100', []], ['stillinger', '300', []]]);
  });

  test('a missing person and a stale position of the same position share one event that resends the person', () => {
    const plan = planRepairs([person('missing-person', '4', ['100']), position('stale-position', '100')]);
    assert.equal(plan.length, 1);
    assert.deepEqual(plan[0], {
      kind: 'stillinger', id: '100', resendHolders: ['4'],
      repairs: [{ kind: 'missing-person', subject: 'person:4' }, { kind: 'stale-position', subject: 'position:100' }],
    });
  });

  test('wrong holders resend the person on every position named; holders merge and sort numerically', () => {
    const plan = planRepairs([person('wrong-holders', '12', ['100', '200']), person('missing-person', '3', ['100'])]);
    assert.deepEqual(plan.map((e) => [e.id, e.resendHolders]), [['100', ['3', '12']], ['200', ['12']]]);
  });

  test('unknown and stale persons with an employee record become ansatte events, after the positions', () => {
    const plan = planRepairs([person('unknown-person', '7'), person('stale-person', '5'), position('stale-position', '9')]);
    assert.deepEqual(plan.map((e) => `${e.kind}:${e.id}`), ['stillinger:9', 'ansatte:5', 'ansatte:7']);
  });

  test('a person stored without an employee record is repaired through the positions they hold', () => {
    const plan = planRepairs([person('stale-person', '5', ['300'])]);
    assert.deepEqual(plan.map((e) => [`${e.kind}:${e.id}`, e.resendHolders]), [['stillinger:300', ['5']]]);
  });

  test('the synthetic raw event passes the ingress schema, keyed <kind>:<id>, and names the run', () => {
    const [e] = planRepairs([person('missing-person', '4', ['100'])]);
    const raw = repairRawEvent(e!, '20261201T101500Z-ab12', '2026-12-01T10:15:00.000Z');
    assert.equal(raw.key, 'stillinger:100');
    const parsed = rawDfoEventSchema.parse(JSON.parse(JSON.stringify(raw.value)));
    assert.equal(parsed.kind, 'stillinger');
    assert.equal(parsed.notBefore, null);
    assert.deepEqual(parsed.reconcile, { runId: '20261201T101500Z-ab12', resendHolders: ['4'] });
    const plain = repairRawEvent(planRepairs([person('stale-person', '5')])[0]!, 'r1', '2026-12-01T10:15:00.000Z');
    assert.deepEqual(plain.value.reconcile, { runId: 'r1' });
  });
});
