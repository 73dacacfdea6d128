/**
 * The brake routes over an in-memory BrakeAdmin (the broker-backed replica and control records are
 * covered by test/e2e/brake.int.test.ts): readiness, validation, 404/409, a release that the brake
 * takes (200) or does not take in time (202), and the text rendering of the list.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createAdminApp } from '../../../src/app/admin/index.ts';
import { TokenRegistry } from '../../../src/common/tokenRegistry.ts';
import type { BrakeAdmin, BrakeGroupView } from '../../../src/features/brake/brakeAdmin.ts';
import { brakeRoutes, type BrakeList } from '../../../src/features/brake/routes.ts';
import { renderBrakeList } from '../../../src/cli/commands/brake.ts';
import type { BrakeControl } from '../../../src/topology/contracts/brake.ts';

const TOKEN = 'ops-token-0123456789';
const LIMITS = { maxBlocks: 50, maxShare: 0.05, minBlocks: 10, windowMs: 3_600_000, settleMs: 5000 };

function group(id: string, status: 'pending' | 'collecting', n: number): BrakeGroupView {
  return {
    id, causeKey: `raw:app.dfo.events/0@${id}`, status, size: n, openedAt: '2026-03-02T09:00:00.000Z',
    cause: { kind: 'stillinger', id: '30000001', amqpMessageId: 'msg-1', raw: { topic: 'app.dfo.events', partition: 0, offset: id } },
    ...(status === 'pending' ? { heldAt: '2026-03-02T09:00:05.000Z', reason: `${n} blocks from one cause exceed the limit of 50 (IGA_BRAKE_MAX_BLOCKS)` } : {}),
    members: Array.from({ length: n }, (_, i) => ({ employeeId: String(100001 + i), accountId: `acc-${i}`, userName: `user${i}@uib.no` })),
  };
}

describe('brake routes', () => {
  const groups = new Map<string, BrakeGroupView>();
  const sent: Array<[BrakeControl['type'], string, string]> = [];
  let ready = false;
  /** Whether the fake brake takes a control record (removes the group). */
  let takes = true;
  const brake: BrakeAdmin = {
    groups: async () => [...groups.values()],
    group: async (id) => groups.get(id),
    activeAccounts: async () => 1200,
    approvedSince: async () => 3,
    async send(type, id, by) { sent.push([type, id, by]); if (takes) groups.delete(id); },
    isReady: () => ready, lag: () => (ready ? 0 : 7), close: async () => undefined,
  };
  let url: string;
  let server: Server;
  const call = async (method: string, path: string) => {
    const res = await fetch(`${url}/admin${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  };

  beforeAll(async () => {
    const app = createAdminApp({
      readiness: () => ({}), tokens: new TokenRegistry({ label: 'admin', tokens: `ops:${TOKEN}` }), log: pino({ level: 'silent' }),
      routes: [brakeRoutes({ brake, limits: LIMITS, clock: () => Date.parse('2026-03-02T10:00:00Z'), waitMs: 300 })],
    });
    server = createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('503 with Retry-After while the replica catches up', async () => {
    const r = await call('GET', '/brake');
    assert.equal(r.status, 503);
    assert.equal(r.headers.get('retry-after'), '5');
    assert.match(r.body.error, /still catching up \(7 records to go\)/);
    ready = true;
  });

  test('the list: limits, census, window, held and collecting groups', async () => {
    groups.set('1', group('1', 'pending', 60));
    groups.set('2', group('2', 'collecting', 2));
    const r = await call('GET', '/brake');
    assert.equal(r.status, 200);
    const l = r.body as BrakeList;
    assert.deepEqual([l.activeAccounts, l.approvedInWindow, l.limits], [1200, 3, LIMITS]);
    assert.deepEqual(l.pending.map((g) => [g.id, g.size]), [['1', 60]]);
    assert.deepEqual(l.collecting.map((g) => [g.id, g.size]), [['2', 2]]);
    assert.equal((await call('GET', '/brake/1')).body.members.length, 60);
  });

  test('bad, unknown and still-collecting groups are refused', async () => {
    assert.equal((await call('POST', '/brake/abc/release')).status, 400);
    assert.equal((await call('POST', '/brake/0/release')).status, 400);
    assert.equal((await call('GET', '/brake/999')).status, 404);
    const missing = await call('POST', '/brake/999/discard');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /no group 999 is held by the brake/);
    const collecting = await call('POST', '/brake/2/release');
    assert.equal(collecting.status, 409);
    assert.match(collecting.body.error, /still collecting/);
    assert.deepEqual(sent, [], 'nothing was sent');
  });

  test('a release the brake takes answers 200 applied; one it does not take in time answers 202', async () => {
    const r = await call('POST', '/brake/1/release');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { group: '1', action: 'released', blocks: 60, applied: true });
    assert.deepEqual(sent.at(-1), ['release', '1', 'admin client ops']);
    takes = false;
    groups.set('3', group('3', 'pending', 12));
    const slow = await call('POST', '/brake/3/discard');
    assert.equal(slow.status, 202);
    assert.deepEqual(slow.body, { group: '3', action: 'discarded', blocks: 12, applied: false });
  });

  test('the list as text', () => {
    const text = renderBrakeList({ limits: LIMITS, activeAccounts: 1200, approvedInWindow: 3, pending: [group('7', 'pending', 12)], collecting: [group('8', 'collecting', 1)] });
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], 'Limits    more than 50 blocks, or more than 5.0% of active accounts (groups above 10), per cause and per 60 min window; settle 5000 ms');
    assert.equal(lines[1], 'Accounts  1200 active; 3 blocks approved in the window');
    assert.match(text, /^Group 7 {2}HELD {2}12 blocks {2}since 2026-03-02T09:00:05\.000Z$/m);
    assert.match(text, /^ {2}cause {3}stillinger 30000001 {2}AMQP message id msg-1 {2}\(raw:app\.dfo\.events\/0@7\)$/m);
    assert.match(text, /^ {2}why {5}12 blocks from one cause exceed the limit of 50/m);
    assert.equal(text.match(/^ {2}block /gm)?.length, 10, 'the first ten members');
    assert.match(text, /^ {2}… and 2 more \(iga-stream brake show 7\)$/m);
    assert.match(text, /^Group 8 {2}collecting {2}1 block\(s\) from raw:app\.dfo\.events\/0@8$/m);
    assert.equal(lines.at(-1), 'brake: 1 group held (12 blocks), 1 collecting; release or discard with iga-stream brake release|discard <group>');
    const none = renderBrakeList({ limits: LIMITS, activeAccounts: null, approvedInWindow: 0, pending: [], collecting: [] });
    assert.match(none, /^Accounts {2}unknown active/m);
    assert.match(none, /^No blocks are held\.$/m);
    assert.equal(none.trimEnd().split('\n').at(-1), 'brake: 0 groups held (0 blocks), 0 collecting');
  });
});
