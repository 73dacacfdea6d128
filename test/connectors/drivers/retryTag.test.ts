/** When a waiting change gets a new `retrying` tag (connectors/drivers/framework/retryTag.ts), and the tags' shapes. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { changeTag, retryingTagDue } from '../../../connectors/drivers/framework/retryTag.ts';
import { changeStatusSchema } from '../../../src/topology/contracts/changeStatus.ts';

test('a retrying tag is due on the first failure, when the error changes, and otherwise once per interval', () => {
  assert.equal(retryingTagDue(null, 'down', 0, 30_000), true);
  fc.assert(fc.property(fc.string(), fc.string(), fc.nat(1e9), fc.nat(1e6), fc.nat(1e6), (a, b, at, elapsed, every) => {
    const due = retryingTagDue({ error: a, at }, b, at + elapsed, every);
    return due === (a !== b || elapsed >= every);
  }));
});

test('tags of each state are valid change-status records', () => {
  const base = { changeId: 'acc:v3', accountId: 'acc', version: 3, destination: 'ldap', messageId: 'm-1', at: Date.parse('2026-03-02T10:00:00Z') };
  const complete = changeTag({ ...base, state: 'complete', attempts: 2 });
  assert.deepEqual(complete, { changeId: 'acc:v3', accountId: 'acc', version: 3, destination: 'ldap', state: 'complete', attempts: 2, messageId: 'm-1', at: '2026-03-02T10:00:00.000Z' });
  const retrying = changeTag({ ...base, state: 'retrying', attempts: 1, error: 'connect ECONNREFUSED', nextAttemptAt: base.at + 500 });
  assert.equal(retrying.nextAttemptAt, '2026-03-02T10:00:00.500Z');
  const failed = changeTag({ ...base, state: 'failed', attempts: 1, error: 'objectClassViolation' });
  for (const t of [complete, retrying, failed]) assert.ok(changeStatusSchema.safeParse(t).success, JSON.stringify(t));
  assert.equal('nextAttemptAt' in failed, false);
});
