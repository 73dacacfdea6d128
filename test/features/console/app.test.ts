/**
 * The console's HTTP layer without a broker (the whole path in a browser is
 * test/e2e/console.int.test.ts): sign-in and its refusals, the cookie's flags, expiry and
 * revocation, CSRF, Origin and confirmation checks, clear error pages without stack traces, the
 * audit record of each action, and HTML escaping of data. The brake is brakeService over an
 * in-memory BrakeAdmin; explain is a stand-in that knows one person.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createAdminApp } from '../../../src/app/admin/index.ts';
import { TokenRegistry } from '../../../src/common/tokenRegistry.ts';
import { AdminError } from '../../../src/features/adminApi/index.ts';
import type { BrakeAdmin, BrakeGroupView } from '../../../src/features/brake/brakeAdmin.ts';
import { brakeService } from '../../../src/features/brake/brakeService.ts';
import { consoleMiddleware } from '../../../src/features/console/app.ts';
import type { OperatorActionRecord } from '../../../src/features/console/operatorAudit.ts';
import type { DeadLetterService, DeadLetterView } from '../../../src/features/deadLetters/deadLetters.ts';
import type { ExplainService } from '../../../src/features/explain/explainService.ts';
import type { Account } from '../../../src/iga/model.ts';

const TOKEN = 'ops-token-0123456789';
const LIMITS = { maxBlocks: 5, maxShare: 0, minBlocks: 0, windowMs: 0, settleMs: 100 };
const TTL = 60_000;

const held: BrakeGroupView = {
  id: '7', causeKey: 'raw:x/0@7', status: 'pending', size: 6, openedAt: '2026-03-02T09:00:00.000Z', heldAt: '2026-03-02T09:00:02.000Z',
  reason: '6 blocks from one cause exceed the limit of 5 (IGA_BRAKE_MAX_BLOCKS)',
  cause: { kind: 'stillinger', id: '30000001', amqpMessageId: 'msg-1', raw: null },
  members: [{ employeeId: '100001', accountId: 'acc-1', userName: '<script>alert(1)</script>@uib.no' }],
};

const account: Account = {
  id: '5f0c2b1e-0000-4000-8000-000000000001', personId: '100001', userName: 'karnor@uib.no', active: true, givenName: 'Kari', familyName: '<b>Nordmann</b>',
  displayName: 'Kari <b>Nordmann</b>', employeeNumber: '100001', created: '2026-03-01T09:00:00.000Z', lastModified: '2026-03-01T09:00:00.000Z', version: 1,
};

const egressDeadLetter: DeadLetterView = {
  partition: 0, offset: '3', key: 'acc-1', at: '2026-03-02T09:30:00.000Z', value: null, bodyText: '{"bad": true}', redrive: 'it did not arrive over AMQP (source egress)',
  record: { reason: 'notify record fails its schema', source: 'egress', exchange: null, routingKey: null, messageId: null, contentType: null, receivedAt: '2026-03-02T09:30:00.000Z', bodyBase64: Buffer.from('{"bad": true}').toString('base64'), bodyBytes: 13 },
};

/** A stand-in reconciler: a run stays in progress until the test ends it. */
function fakeReconcile() {
  let current: string | null = null;
  let finish: (() => void) | null = null;
  return {
    schedule: 'off',
    running: () => current,
    last: () => null,
    latestRun: async () => null,
    run(o: { dryRun: boolean; onProgress: (p: { type: 'progress'; runId: string; phase: 'dfo'; done: number; total: number; note: string }) => void }) {
      current = `run-${o.dryRun ? 'dry' : 'real'}`;
      o.onProgress({ type: 'progress', runId: current, phase: 'dfo', done: 0, total: 2, note: 'reading DFØ collections' });
      return new Promise<never>((_, reject) => { finish = () => { current = null; reject(new Error('DFØ answered 503')); }; });
    },
    end: () => finish?.(),
  };
}

describe('console HTTP layer', () => {
  const reconcile = fakeReconcile();
  const groups = new Map<string, BrakeGroupView>([[held.id, held]]);
  const brake: BrakeAdmin = {
    groups: async () => [...groups.values()], group: async (id) => groups.get(id), activeAccounts: async () => 100, approvedSince: async () => 0,
    async send(_type, id) { groups.delete(id); }, isReady: () => true, lag: () => 0, close: async () => undefined,
  };
  const explain: ExplainService = {
    explain: async (who) => { throw new AdminError(404, `no person, account or userName matches '${String(who)}'`); },
    upcoming: async () => { throw new AdminError(503, 'the local replicas are still catching up; try again shortly', { headers: { 'Retry-After': '5' } }); },
    searchAccounts: (text) => (account.displayName.toLowerCase().includes(text.toLowerCase()) ? [account] : []),
    searchPersonsWithoutAccount: async (text) => ('ola nordmann'.includes(text.toLowerCase()) ? [{ employeeId: '100002', name: 'Ola Nordmann' }] : []),
  };
  const audit: Array<Omit<OperatorActionRecord, 'type' | 'v' | 'via' | 'at'>> = [];
  let now = Date.parse('2026-03-02T10:00:00Z');
  const tokens = new TokenRegistry({ label: 'admin', tokens: `ops:${TOKEN}` });
  let revoked = false;
  /** Set to make the audit writer fail (Kafka down). */
  let auditDown = false;
  let url: string;
  let server: Server;

  beforeAll(async () => {
    const app = createAdminApp({
      readiness: () => ({}), tokens, log: pino({ level: 'silent' }),
      console: consoleMiddleware({
        tokens: { authenticate: (t) => tokens.authenticate(t), authenticateDigest: (d) => (revoked ? undefined : tokens.authenticateDigest(d)), size: 1 },
        audit: { write: async (r) => { if (auditDown) throw new Error('broker not available'); audit.push(r); } },
        explain, brake: brakeService({ brake, limits: LIMITS, clock: () => now, waitMs: 300 }),
        deadLetters: {
          list: async () => [egressDeadLetter],
          get: async (p, o) => { if (p === '0' && o === '3') return egressDeadLetter; throw new AdminError(404, `no dead letter at dlq[${String(p)}]@${String(o)}`); },
          redrive: async () => { throw new AdminError(409, 'dlq[0]@3 cannot be re-driven: it did not arrive over AMQP (source egress)'); },
        } satisfies Pick<DeadLetterService, 'list' | 'get' | 'redrive'>,
        reconcile: reconcile as never,
        overview: { snapshot: async () => { throw new Error('not used here'); }, history: () => [], plots: async () => ({ source: 'memory' as const, points: [] }), sample: async () => undefined, close: () => undefined },
        sessionTtlMs: TTL, secureCookie: false, log: pino({ level: 'silent' }), now: () => now,
      }),
    });
    server = createServer(app.callback());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
    method: 'POST', redirect: 'manual' as const, body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
  const signIn = async () => {
    const res = await fetch(`${url}/console/sign-in`, form({ token: TOKEN }));
    assert.equal(res.status, 302);
    const setCookie = res.headers.get('set-cookie')!;
    return { setCookie, cookie: setCookie.split(';')[0]! };
  };
  const get = (path: string, cookie: string) => fetch(`${url}${path}`, { headers: { cookie }, redirect: 'manual' });
  const csrfOf = async (cookie: string) => /name="_csrf" value="([^"]+)"/.exec(await (await get('/console/held', cookie)).text())![1]!;

  test('sign-in: a bad token is refused (401, audited without the token); a good one sets an HttpOnly, SameSite=Strict cookie that expires', async () => {
    const bad = await fetch(`${url}/console/sign-in`, form({ token: 'wrong-token-0123456789' }));
    assert.equal(bad.status, 401);
    assert.match(await bad.text(), /not an admin token of this service/);
    assert.deepEqual(audit.at(-1), { client: null, action: 'sign-in-refused', target: null, outcome: 'refused', detail: 'from 127.0.0.1' });
    const empty = await fetch(`${url}/console/sign-in`, form({ token: ' ' }));
    assert.equal(empty.status, 400);
    assert.match(await empty.text(), /enter an admin token/);
    const { setCookie } = await signIn();
    assert.match(setCookie, /^iga_console_session=[\w-]{43}; path=\/console; expires=[^;]+; samesite=strict; httponly$/);
    assert.deepEqual(audit.at(-1), { client: 'ops', action: 'sign-in', target: null, outcome: 'ok', detail: 'from 127.0.0.1' });
    assert.ok(!JSON.stringify(audit).includes(TOKEN));
  });

  test('without a session a page sends to the sign-in; an expired session says so', async () => {
    const none = await get('/console/held', '');
    assert.equal(none.status, 302);
    assert.equal(none.headers.get('location'), '/console/sign-in');
    const { cookie } = await signIn();
    assert.equal((await get('/console/held', cookie)).status, 200);
    now += TTL;
    const expired = await get('/console/held', cookie);
    assert.equal(expired.headers.get('location'), '/console/sign-in?why=expired');
    const page = await (await get('/console/sign-in?why=expired', '')).text();
    assert.match(page, /Your session has expired or was revoked; sign in again\./);
  });

  test('a revoked token ends its sessions; a POST without a session is a clear 401', async () => {
    const { cookie } = await signIn();
    revoked = true;
    try {
      const refresh = await fetch(`${url}/console/overview/live`, { headers: { cookie, 'HX-Request': 'true' } });
      assert.equal(refresh.headers.get('hx-redirect'), '/console/sign-in?why=revoked', 'a page refresh takes the page to the sign-in');
      assert.equal((await get('/console/held', cookie)).headers.get('location'), '/console/sign-in', 'the session is gone');
      const post = await fetch(`${url}/console/held/7/release`, form({ confirm: 'release:7' }, { cookie }));
      assert.equal(post.status, 401);
      assert.match(await post.text(), /sign in first/);
    } finally {
      revoked = false;
    }
  });

  test('a state-changing form needs the CSRF token, the same origin and the confirmation', async () => {
    const { cookie } = await signIn();
    const csrf = await csrfOf(cookie);
    const noCsrf = await fetch(`${url}/console/held/7/release`, form({ confirm: 'release:7' }, { cookie }));
    assert.equal(noCsrf.status, 403);
    assert.match(await noCsrf.text(), /no valid CSRF token/);
    const crossSite = await fetch(`${url}/console/held/7/release`, form({ _csrf: csrf, confirm: 'release:7' }, { cookie, origin: 'https://evil.example' }));
    assert.equal(crossSite.status, 403);
    assert.match(await crossSite.text(), /cross-site request refused/);
    const unconfirmed = await fetch(`${url}/console/held/7/release`, form({ _csrf: csrf }, { cookie }));
    assert.equal(unconfirmed.status, 400);
    assert.match(await unconfirmed.text(), /confirm first/);
    assert.ok(groups.has('7'), 'nothing was released');
  });

  test('release with confirmation: audited, then a second release says the group is gone (never a stack trace)', async () => {
    const { cookie } = await signIn();
    const confirmPage = await (await get('/console/held/7/release', cookie)).text();
    assert.match(confirmPage, /Release 6 blocks/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(confirmPage)![1]!;
    const ok = await fetch(`${url}/console/held/7/release`, form({ _csrf: csrf, confirm: 'release:7' }, { cookie, origin: url }));
    assert.equal(ok.status, 302);
    assert.match(await (await get('/console/held', cookie)).text(), /Group 7: 6 blocks released\./);
    assert.deepEqual(audit.at(-1), { client: 'ops', action: 'brake-release', target: 'brake group 7', outcome: 'ok', detail: 'Group 7: 6 blocks released.' });
    const again = await fetch(`${url}/console/held/7/release`, form({ _csrf: csrf, confirm: 'release:7' }, { cookie }));
    assert.equal(again.status, 302);
    const after = await (await get('/console/held', cookie)).text();
    assert.match(after, /no group 7 is held by the brake \(released or discarded already\?/);
    assert.equal(audit.at(-1)!.outcome, 'refused');
    const gone = await get('/console/held/7/release', cookie);
    assert.equal(gone.status, 404);
    assert.doesNotMatch(await gone.text(), /at .*\.ts:\d+/);
  });

  test('errors are pages with the message: unknown person 404, replicas catching up 503, unknown page 404', async () => {
    const { cookie } = await signIn();
    const unknown = await get('/console/people/99999999', cookie);
    assert.equal(unknown.status, 404);
    assert.match(await unknown.text(), /404: no person, account or userName matches &#39;99999999&#39;/);
    const busy = await get('/console/upcoming', cookie);
    assert.equal(busy.status, 503);
    assert.equal(busy.headers.get('retry-after'), '5');
    assert.match(await busy.text(), /still catching up/);
    const nothing = await get('/console/nothing-here', cookie);
    assert.equal(nothing.status, 404);
    assert.match(await nothing.text(), /no console page \/console\/nothing-here/);
  });

  test('dead letters: listed with their reason; one that cannot be re-driven says why, and a forced re-drive is refused and audited', async () => {
    const { cookie } = await signIn();
    assert.match(await (await get('/console/dead-letters', cookie)).text(), /notify record fails its schema/);
    const page = await (await get('/console/dead-letters/0/3', cookie)).text();
    assert.match(page, /Cannot be re-driven: it did not arrive over AMQP \(source egress\)\./);
    assert.match(page, /\{&quot;bad&quot;: true\}/);
    const csrf = await csrfOf(cookie);
    const forced = await fetch(`${url}/console/dead-letters/0/3/redrive`, form({ _csrf: csrf, confirm: 'redrive:0:3' }, { cookie }));
    assert.equal(forced.headers.get('location'), '/console/dead-letters/0/3');
    assert.match(await (await get('/console/dead-letters/0/3', cookie)).text(), /cannot be re-driven: it did not arrive over AMQP/);
    assert.deepEqual(audit.at(-1), { client: 'ops', action: 'dead-letter-redrive', target: 'dead letter [0]@3', outcome: 'refused', detail: 'dlq[0]@3 cannot be re-driven: it did not arrive over AMQP (source egress)' });
    assert.equal((await get('/console/dead-letters/0/9', cookie)).status, 404);
  });

  test('reconciliation: a dry run starts after confirmation and shows its progress; a second start is refused; a failure is shown', async () => {
    const { cookie } = await signIn();
    const confirmPage = await (await get('/console/reconcile/dry-run', cookie)).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(confirmPage)![1]!;
    const started = await fetch(`${url}/console/reconcile/dry-run`, form({ _csrf: csrf, confirm: 'reconcile:dry-run' }, { cookie }));
    assert.equal(started.headers.get('location'), '/console/reconcile');
    const page = await (await get('/console/reconcile', cookie)).text();
    assert.match(page, /Dry run run-dry started\./);
    assert.match(page, /Run <code>run-dry<\/code> in progress: dfo 0 \/ 2 — reading DFØ collections\./);
    assert.match(page, /hx-get="\/console\/reconcile\/live"/);
    assert.deepEqual(audit.at(-1), { client: 'ops', action: 'reconcile-start', target: 'run-dry', outcome: 'ok', detail: 'Dry run run-dry started.' });
    await fetch(`${url}/console/reconcile/repair`, form({ _csrf: csrf, confirm: 'reconcile:repair' }, { cookie }));
    assert.match(await (await get('/console/reconcile', cookie)).text(), /reconciliation run run-dry is in progress on this instance; wait for it to end/);
    assert.equal(audit.at(-1)!.outcome, 'refused');
    reconcile.end();
    await new Promise((r) => setImmediate(r));
    const after = await (await get('/console/reconcile/live', cookie)).text();
    assert.match(after, /The last run started here failed: DFØ answered 503/);
    assert.doesNotMatch(after, /hx-trigger/, 'no refresh once nothing runs');
  });

  test('refused sign-ins from one address are slowed down: after 10 in a minute, 429 without an audit record, until the minute has passed', async () => {
    now += 120_000; // the refusals of earlier tests have left the window
    for (let i = 0; i < 10; i++) assert.equal((await fetch(`${url}/console/sign-in`, form({ token: `guess-${i}-0123456789` }))).status, 401);
    const audited = audit.length;
    const blocked = await fetch(`${url}/console/sign-in`, form({ token: TOKEN }));
    assert.equal(blocked.status, 429, 'even the right token waits: the address is blocked, not the token');
    assert.match(await blocked.text(), /too many refused sign-ins from 127\.0\.0\.1; try again in \d+ s/);
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    assert.equal(audit.length, audited, 'no audit record while blocked');
    now += 60_000;
    assert.equal((await fetch(`${url}/console/sign-in`, form({ token: TOKEN }))).status, 302);
  });

  test('an action whose audit record cannot be written says so (503); a sign-in is then refused', async () => {
    const { cookie } = await signIn();
    groups.set('9', { ...held, id: '9' });
    const csrf = await csrfOf(cookie);
    auditDown = true;
    try {
      const release = await fetch(`${url}/console/held/9/release`, form({ _csrf: csrf, confirm: 'release:9' }, { cookie }));
      assert.equal(release.status, 503);
      assert.match(await release.text(), /the audit record of this brake-release \(ok\) could not be written to Kafka \(broker not available\); check Kafka, then the result, before trying again/);
      const signInNow = await fetch(`${url}/console/sign-in`, form({ token: TOKEN }));
      assert.equal(signInNow.status, 503);
      assert.equal(signInNow.headers.get('set-cookie'), null, 'no session without its audit record');
    } finally {
      auditDown = false;
    }
  });

  test('data from DFØ or Kafka is escaped, never markup; pages carry a strict CSP', async () => {
    groups.set('8', { ...held, id: '8' });
    const { cookie } = await signIn();
    const res = await get('/console/held', cookie);
    const text = await res.text();
    assert.ok(text.includes('&lt;script&gt;alert(1)&lt;/script&gt;@uib.no'));
    assert.ok(!text.includes('<script>alert(1)'));
    assert.match(res.headers.get('content-security-policy')!, /script-src 'self';/);
    const search = await (await get('/console/people?q=kari', cookie)).text();
    assert.ok(search.includes('Kari &lt;b&gt;Nordmann&lt;/b&gt;'));
    const noAccount = await (await get('/console/people?q=ola', cookie)).text();
    assert.match(noAccount, /<a href="\/console\/people\/100002">Ola Nordmann<\/a><\/td><td>–<\/td><td>100002<\/td><td>No account<\/td>/);
  });

  test('assets are served from the repository and node_modules; the rest of the port is untouched', async () => {
    const htmx = await fetch(`${url}/console/assets/htmx.min.js`);
    assert.equal(htmx.status, 200);
    assert.match(htmx.headers.get('content-type')!, /javascript/);
    assert.equal((await fetch(`${url}/console/assets/../../package.json`)).status, 404);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal((await fetch(`${url}/metrics`)).status, 200);
  });
});
