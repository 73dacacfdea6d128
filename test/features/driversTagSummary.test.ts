/** The drivers' tags summed up (src/features/drivers/tagSummary.ts): counts per destination, and which failed changes are still parked. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { ChangeStatus } from '../../src/topology/contracts/changeStatus.ts';
import { summarizeTags } from '../../src/features/drivers/tagSummary.ts';

const tag = (accountId: string, version: number, destination: string, state: ChangeStatus['state'], at = '2026-03-02T10:00:00.000Z'): ChangeStatus =>
  ({ changeId: `${accountId}:v${version}`, accountId, version, destination, state, attempts: 1, messageId: null, at, ...(state === 'complete' ? {} : { error: 'x' }) });

test('counts per destination; a failed change is parked until the account completes that version or a later one at that destination', () => {
  const s = summarizeTags([
    tag('a', 1, 'ldap', 'complete'), tag('a', 2, 'ldap', 'failed', '2026-03-02T10:00:02.000Z'),
    tag('b', 1, 'ldap', 'failed', '2026-03-02T10:00:01.000Z'), tag('b', 2, 'ldap', 'complete'),
    tag('c', 3, 'ldap', 'failed'), tag('c', 3, 'keycloak', 'complete'),
    tag('d', 1, 'keycloak', 'retrying'),
  ]);
  const ldap = s.get('ldap')!;
  assert.deepEqual([ldap.complete, ldap.failed, ldap.retrying], [2, 3, 0]);
  assert.deepEqual(ldap.parked.map((t) => t.changeId), ['c:v3', 'a:v2'], 'b:v1 was repaired by b:v2; oldest first; another destination\'s complete does not count');
  const kc = s.get('keycloak')!;
  assert.deepEqual([kc.complete, kc.failed, kc.retrying, kc.parked.length], [1, 0, 1, 0]);
  assert.deepEqual(kc.waiting.map((t) => t.changeId), ['d:v1']);
  assert.equal(summarizeTags([]).size, 0);
});
