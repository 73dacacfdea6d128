/**
 * The LDAP driver while its directory is down (a slapd of the test's own, stopped for a while):
 * changes wait, tagged `retrying` with the attempts, the error and the next try, while the
 * topology, SCIM and the notify egress go on; once the directory is back, every change ends
 * `complete` and every entry is there — nothing lost, nothing skipped.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import type { ChangeStatus } from '../../src/topology/contracts/changeStatus.ts';
import { eventually } from '../support/brokers.ts';
import { ldapDriverEnv } from '../support/ldapBase.ts';
import { ldapRoot, peopleDn, withLdap } from '../support/ldapServer.ts';
import { ownSlapd, type OwnSlapd } from '../support/ownSlapd.ts';
import { runCli } from '../support/cli.ts';
import { ADMIN_TOKEN, ansatt, startStack, stilling, type Stack } from './stack.ts';

const OPEN = '9999-12-31';

describe('the LDAP driver while the directory is down', () => {
  let slapd: OwnSlapd;
  let s: Stack;
  /** Every tag ever written for a key, oldest first (the topic is compacted, but not yet). */
  const history = async (key: string): Promise<ChangeStatus[]> =>
    (await s.readTopic(topicNames(s.appId).changeStatus)).filter((r) => r.key === key).map((r) => r.value as ChangeStatus);
  const uids = async () => withLdap(ldapRoot, async (c) => (await c.search(peopleDn, { scope: 'one', attributes: ['uid'] })).searchEntries.map((e) => String(e.uid)).sort(), slapd.url);
  const user = async (employeeNumber: string) => (await s.scim(`/Users?employeeNumber=${employeeNumber}`)).body.Resources?.[0];

  beforeAll(async () => {
    slapd = await ownSlapd();
    await slapd.up();
    s = await startStack({
      start: '2026-03-02T09:00:00Z',
      env: { ...ldapDriverEnv(peopleDn, slapd.url), IGA_LDAP_TIMEOUT_MS: '2000', IGA_DRIVER_RETRY_INITIAL_MS: '200', IGA_DRIVER_RETRY_MAX_MS: '2000', IGA_DRIVER_RETRYING_TAG_MS: '1000' },
    });
  });
  afterAll(async () => {
    await s?.close();
    await slapd?.remove();
  });

  test('changes made while slapd is stopped wait (retrying), delay nothing else, and all end complete once it is back', async () => {
    await s.sim.upsertEmployee(ansatt('400001', 'Anna', 'Før'));
    await s.sim.upsertPosition(stilling('30000401', [['400001', '2020-01-01', OPEN]]), { notify: true });
    await eventually('the first entry', async () => (await uids()).includes('annfor'), 60_000);

    await slapd.down();
    await s.sim.upsertEmployee(ansatt('400002', 'Berit', 'Under'));
    await s.sim.upsertEmployee(ansatt('400003', 'Carl', 'Under'));
    await s.sim.upsertPosition(stilling('30000402', [['400002', '2020-01-01', OPEN], ['400003', '2020-01-01', OPEN]]), { notify: true });
    // The topology, SCIM and the egress do not wait for the directory.
    const berit = await eventually('Berit\'s account in SCIM', () => user('400002'), 60_000);
    const carl = await eventually('Carl\'s account in SCIM', () => user('400003'), 60_000);
    await eventually('both CREATE events on RabbitMQ', () => [berit.id, carl.id].every((id) => s.events.some((e) => e.body.type === 'CREATE' && e.body.resourceUris[0]!.endsWith(id))), 60_000);

    // One of them waits at the destination, tagged retrying with its error, attempts and next try, again as attempts go by.
    const waiting = await eventually('a retrying tag with a later attempt', async () => {
      for (const id of [berit.id, carl.id]) {
        const tags = (await history(`${id}:v1|ldap`)).filter((t) => t.state === 'retrying');
        if (tags.length >= 2) return tags;
      }
      return undefined;
    }, 60_000);
    const [first, later] = [waiting[0]!, waiting.at(-1)!];
    assert.equal(first.attempts, 1);
    assert.ok(later.attempts > first.attempts, `attempts ${first.attempts} → ${later.attempts}`);
    assert.match(later.error ?? '', /ECONNREFUSED|connect|timeout/i);
    assert.ok(Date.parse(later.nextAttemptAt!) >= Date.parse(later.at), 'next try after the tag');
    assert.ok(waiting.length <= later.attempts, 'not a tag on every attempt beyond the interval');
    const metrics = await (await fetch(`${s.service.adminUrl}/metrics`)).text();
    assert.match(metrics, /^iga_driver_retrying\{driver="ldap"\} [1-9]/m);
    const status = await runCli(['drivers'], { IGA_ADMIN_URL: s.service.adminUrl!, IGA_ADMIN_TOKEN: ADMIN_TOKEN });
    assert.match(status.stdout, /WAITING for the destination/);
    assert.match(status.stdout, /retrying  .*:v1  attempt \d+/);

    await slapd.up();
    for (const a of [berit, carl]) {
      const done = await eventually(`${a.userName} complete`, async () => {
        const t = (await history(`${a.id}:v1|ldap`)).at(-1);
        return t?.state === 'complete' ? t : undefined;
      }, 60_000);
      assert.equal(done.messageId !== null, true);
    }
    assert.deepEqual(await uids(), ['annfor', 'berund', 'carund']);
    const after = await (await fetch(`${s.service.adminUrl}/metrics`)).text();
    assert.match(after, /^iga_driver_retrying\{driver="ldap"\} 0$/m);
  });
});
