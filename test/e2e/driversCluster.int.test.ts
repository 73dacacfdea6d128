/**
 * The LDAP driver across instances: two instances share the driver's consumer group, each handles
 * the changes of its partitions, and every account ends in the directory exactly once at its
 * latest version; when one instance stops, the other takes its partitions and changes keep flowing.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { eventually } from '../support/brokers.ts';
import { ldapDriverEnv, makeTestBase, removeTestBase } from '../support/ldapBase.ts';
import { ldapRoot, requireLdap, withLdap } from '../support/ldapServer.ts';
import { startCluster, type Cluster } from './cluster.ts';
import { ansatt, stilling } from './stack.ts';

const OPEN = '9999-12-31';
const NAMES = ['Ada', 'Bjørn', 'Cato', 'Dina', 'Eirik', 'Frida', 'Geir', 'Hilde', 'Ivar', 'Jorunn'];

describe('the LDAP driver on two instances', () => {
  let c: Cluster;
  let base: string;
  const entries = async () => withLdap(ldapRoot, async (l) => (await l.search(base, { scope: 'one', attributes: ['igaAccountId', 'igaAccountVersion'] })).searchEntries);
  /** Every account, from the SCIM API of instance 2 (it runs throughout). */
  const accounts = async () => {
    const res = await fetch(`${c.instances[1]!.scimUrl}/Users?count=200`, { headers: { authorization: 'Bearer e2e-secret' } });
    return ((await res.json()) as { Resources?: Array<{ id: string; meta: { version: string } }> }).Resources ?? [];
  };
  const inStep = async (n: number) => {
    const [es, as] = [await entries(), await accounts()];
    if (es.length !== n || as.length !== n) return false;
    const held = new Map(es.map((e) => [String(e.igaAccountId), String(e.igaAccountVersion)]));
    return as.every((a) => held.get(a.id) === a.meta.version.replace(/^W\/"|"$/g, ''));
  };

  beforeAll(async () => {
    await requireLdap();
    base = await makeTestBase(`cl-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`);
    c = await startCluster({ start: '2026-03-02T09:00:00Z', instances: 2, partitions: 4, env: { ...ldapDriverEnv(base), IGA_CHANGES_TOKENS: '' } });
  });
  afterAll(async () => {
    await c?.close();
    if (base) await removeTestBase(base);
  });

  test('the partitions are spread: both instances apply changes, and every account is in the directory once, at its latest version', async () => {
    for (const [i, n] of NAMES.slice(0, 8).entries()) await c.sim.upsertEmployee(ansatt(String(500001 + i), n, 'Klynge'));
    await c.sim.upsertPosition(stilling('30000501', NAMES.slice(0, 8).map((_, i) => [String(500001 + i), '2020-01-01', OPEN] as [string, string, string])), { notify: true });
    await eventually('8 accounts in step in the directory', () => inStep(8), 90_000, 250);
    const applied = await Promise.all([0, 1].map(async (i) => (await c.admin(i, 'GET', '/status')).body.drivers.ldap.applied as number));
    assert.ok(applied.every((n) => n > 0), `applied per instance: ${applied.join(', ')}`);
    assert.equal(applied[0]! + applied[1]!, 8);
  });

  test('when one instance stops, the other takes its partitions and the changes keep flowing', async () => {
    await c.instances[0]!.close();
    await c.sim.upsertEmployee(ansatt('500009', NAMES[8]!, 'Klynge'));
    await c.sim.upsertEmployee(ansatt('500010', NAMES[9]!, 'Klynge'));
    await c.sim.upsertPosition(stilling('30000502', [['500009', '2020-01-01', OPEN], ['500010', '2020-01-01', OPEN]]), { notify: true });
    await eventually('10 accounts in step in the directory', () => inStep(10), 90_000, 250);
  });
});
