/**
 * The mass-change brake end to end (issue 5 part 5) on the real Kafka broker and RabbitMQ with the
 * DFØ simulator: one DFØ event that ends more holders than IGA_BRAKE_MAX_BLOCKS is held (the
 * accounts stay active, the admin API and the CLI list the group, explain says held), then released
 * through the CLI (all blocked, with notify events); another mass block, still held across a
 * restart, is discarded through the admin API (the accounts stay active); a small block passes
 * without being held.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { eventually } from '../support/brokers.ts';
import { ADMIN_TOKEN, ansatt, startStack, stilling, type Stack } from './stack.ts';
import { runCli } from '../support/cli.ts';

const MASS = '30000201'; // 8 holders: over the limit of 5
const MASS2 = '30000202'; // 6 holders: over the limit, discarded
const SMALL = '30000203'; // 2 holders: under the limit
const OPEN = '9999-12-31';
const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => String(from + i));

describe('mass-change brake, end to end', () => {
  let s: Stack;
  const user = async (employeeNumber: string) => (await s.scim(`/Users?employeeNumber=${employeeNumber}`)).body.Resources?.[0];
  const idOf = (e: { body: { resourceUris: string[] } }) => e.body.resourceUris[0]!.split('/').pop()!;
  const modifiesOf = (accountIds: string[]) => s.events.filter((e) => e.body.type === 'MODIFY' && accountIds.includes(idOf(e)));
  const accountIds = new Map<string, string>();
  const post = async (path: string) => {
    const res = await fetch(`${s.service.adminUrl}/admin${path}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    return { status: res.status, body: await res.json() };
  };
  /** The held group, once the brake held one with `size` blocks. */
  const heldGroup = (size: number) => eventually(`a held group of ${size}`, async () => {
    const r = await s.admin('/brake');
    return r.status === 200 ? r.body.pending.find((g: any) => g.size === size) : undefined;
  });
  const metric = async (name: string) => {
    const text = await (await fetch(`${s.service.adminUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{app="${s.appId}"}`));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };

  beforeAll(async () => {
    s = await startStack({
      start: '2026-03-02T09:00:00Z',
      // Settle long enough that one event's blocks from every partition land in one group.
      env: { IGA_BRAKE_MAX_BLOCKS: '5', IGA_BRAKE_MAX_SHARE: '0', IGA_BRAKE_SETTLE_MS: '2000' },
    });
    const holders = { [MASS]: ids(300001, 8), [MASS2]: ids(300101, 6), [SMALL]: ids(300201, 2) };
    for (const [pos, hs] of Object.entries(holders)) {
      for (const h of hs) await s.sim.upsertEmployee(ansatt(h, `Navn${h.slice(-3)}`, `Etter${pos.slice(-1)}`));
      await s.sim.upsertPosition(stilling(pos, hs.map((h) => [h, '2020-01-01', OPEN])));
      await s.sim.publish('stillinger', pos);
    }
    await eventually('16 CREATE events', () => s.events.filter((e) => e.body.type === 'CREATE').length >= 16);
    await s.quiesce();
    for (const h of [...holders[MASS]!, ...holders[MASS2]!, ...holders[SMALL]!]) accountIds.set(h, (await user(h)).id);
  });
  afterAll(async () => { await s?.close(); });

  test('a mass block is held: accounts stay active, the admin API, the CLI, explain and the metrics show it', async () => {
    await s.sim.upsertPosition(stilling(MASS, []));
    await s.sim.publish('stillinger', MASS);
    const g = await heldGroup(8);
    assert.equal(g.cause.kind, 'stillinger');
    assert.equal(g.cause.id, MASS);
    assert.match(g.reason, /^8 blocks from one cause exceed the limit of 5 \(IGA_BRAKE_MAX_BLOCKS\)$/);
    assert.deepEqual(g.members.map((m: any) => m.employeeId).sort(), ids(300001, 8));
    await s.quiesce();
    const mass = ids(300001, 8).map((h) => accountIds.get(h)!);
    assert.deepEqual(modifiesOf(mass), [], 'no notify event while held');
    for (const h of ids(300001, 8)) assert.equal((await s.scim(`/Users/${accountIds.get(h)}`)).body.active, true);

    const x = await eventually('explain to show the hold', async () => {
      const r = await s.admin('/explain/300001');
      return r.status === 200 && r.body.current?.rule === 'block-held' ? r.body : undefined;
    });
    assert.match(x.current.detail, new RegExp(`held by the mass-change brake in group ${g.id}: 8 blocks`));

    const env = { IGA_ADMIN_URL: s.service.adminUrl!, IGA_ADMIN_TOKEN: ADMIN_TOKEN };
    const list = await runCli(['brake', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`^Group ${g.id} {2}HELD {2}8 blocks`, 'm'));
    assert.match(list.stdout, new RegExp(`cause {3}stillinger ${MASS}`));
    assert.equal(list.stdout.trimEnd().split('\n').at(-1), 'brake: 1 group held (8 blocks), 0 collecting; release or discard with iga-stream brake release|discard <group>');
    assert.equal(await eventually('the pending gauge', async () => (await metric('iga_brake_pending_groups')) === 1 || undefined), true);
    assert.equal(await metric('iga_brake_held_blocks_total'), 8);

    // Released through the CLI: every account is blocked, with a MODIFY each.
    const rel = await runCli(['brake', 'release', g.id], env);
    assert.equal(rel.code, 0, rel.stderr);
    assert.equal(rel.stdout, `brake: group ${g.id} released (8 blocks); the accounts are blocked as the rules still call for it\n`);
    await eventually('8 MODIFY events', () => modifiesOf(mass).length === 8);
    await s.quiesce();
    for (const e of modifiesOf(mass)) assert.ok(e.body.attributes!.includes('active'));
    for (const id of mass) assert.equal((await s.scim(`/Users/${id}`)).body.active, false);
    assert.deepEqual((await s.admin('/brake')).body.pending, []);
    const after = (await s.admin('/explain/300001')).body.current;
    assert.deepEqual([after.decision, after.rule, after.brake.status, after.cause.id], ['block', 'block-not-eligible', 'released', MASS]);
    assert.equal(await metric('iga_brake_released_blocks_total'), 8);
    assert.equal((await post(`/brake/${g.id}/release`)).status, 404, 'a group is released once');
  });

  test('a held group survives a restart; discarded, it leaves the accounts active', async () => {
    await s.sim.upsertPosition(stilling(MASS2, []));
    await s.sim.publish('stillinger', MASS2);
    const g = await heldGroup(6);
    await s.restart();
    assert.equal((await heldGroup(6)).id, g.id, 'still held after the restart (brake store restored from its changelog)');
    await eventually('the brake task to run again', () => s.service.streams.taskIds().length > 0);
    await s.service.streams.allTasksReady();
    const r = await post(`/brake/${g.id}/discard`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { group: g.id, action: 'discarded', blocks: 6, applied: true });
    await s.quiesce();
    const discarded = ids(300101, 6).map((h) => accountIds.get(h)!);
    assert.deepEqual(modifiesOf(discarded), []);
    for (const id of discarded) assert.equal((await s.scim(`/Users/${id}`)).body.active, true);
    const x = await eventually('explain to show the discard', async () => {
      const e = await s.admin('/explain/300101');
      return e.body.current?.rule === 'block-discarded' ? e.body : undefined;
    });
    assert.equal(x.current.brake.status, 'discarded');
    assert.equal(await metric('iga_brake_discarded_blocks_total'), 6);
  });

  test('a small block (under the limit) passes without being held', async () => {
    const small = ids(300201, 2).map((h) => accountIds.get(h)!);
    await s.sim.upsertPosition(stilling(SMALL, []));
    await s.sim.publish('stillinger', SMALL);
    await eventually('2 MODIFY events', () => modifiesOf(small).length === 2);
    await s.quiesce();
    for (const id of small) assert.equal((await s.scim(`/Users/${id}`)).body.active, false);
    const x = (await s.admin('/explain/300201')).body.current;
    assert.deepEqual([x.decision, x.brake.status], ['block', 'approved']);
    assert.deepEqual((await s.admin('/brake')).body.pending, []);
    assert.equal(await metric('iga_brake_held_blocks_total'), 14, 'nothing more was held');
  });

  test('bad requests are refused clearly', async () => {
    assert.equal((await post('/brake/abc/release')).status, 400);
    assert.equal((await post('/brake/999/discard')).status, 404);
    assert.equal((await s.admin('/brake', 'e2e-secret')).status, 401);
    const usage = await runCli(['brake', 'release'], { IGA_ADMIN_URL: s.service.adminUrl!, IGA_ADMIN_TOKEN: ADMIN_TOKEN });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /brake release needs a group number/);
  });
});
