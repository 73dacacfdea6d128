import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { z } from 'zod';
import { TokenRegistry } from '../../../src/common/tokenRegistry.ts';
import { createAdminApp } from '../../../src/app/admin/index.ts';
import { AdminError, badRequest, streamNdjson } from '../../../src/features/adminApi/index.ts';
import { AdminClient } from '../../../src/cli/commands/adminClient.ts';
import { CliError } from '../../../src/cli/commands/cliError.ts';

const ADMIN = 'admin-token-0123456789';
const body = async (res: Response): Promise<any> => res.json();

async function serve(app: { callback(): Parameters<typeof createServer>[1] }): Promise<{ url: string; server: Server }> {
  const server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('admin API', () => {
  let url: string;
  let server: Server;
  let ready = false;
  beforeAll(async () => {
    const app = createAdminApp({
      log: pino({ level: 'silent' }),
      readiness: () => ({ streams: true, accountReplica: ready }),
      tokens: new TokenRegistry({ label: 'admin', tokens: `ops:${ADMIN}` }),
      routes: [
        (r) => r.get('/whoami', (ctx) => { ctx.body = { client: ctx.state.client }; }),
        (r) => r.get('/checked', (ctx) => {
          const q = z.object({ days: z.coerce.number().int().min(1) }).safeParse(ctx.query);
          if (!q.success) throw badRequest(q.error.issues);
          ctx.body = { days: q.data.days };
        }),
        (r) => r.post('/busy', () => { throw new AdminError(409, 'a rebuild is already running', { retriable: true }); }),
        (r) => r.post('/long', (ctx) => streamNdjson(ctx, async (send) => { for (let i = 1; i <= 3; i++) send({ type: 'progress', done: i, total: 3 }); return { records: 3 }; })),
        (r) => r.post('/fails', (ctx) => streamNdjson(ctx, async (send) => { send({ type: 'progress', done: 1 }); throw new Error('changelog topic is missing'); })),
        (r) => r.get('/crash', () => { throw new Error('secret internal detail'); }),
      ],
    });
    ({ url, server } = await serve(app));
  });
  afterAll(() => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }));

  const get = (path: string, token?: string) => fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  test('health and metrics are public; readiness reports the failing parts', async () => {
    assert.deepEqual(await (await get('/healthz')).json(), { status: 'ok' });
    const notReady = await get('/readyz');
    assert.equal(notReady.status, 503);
    assert.deepEqual(await notReady.json(), { status: 'not ready', parts: { streams: true, accountReplica: false } });
    ready = true;
    assert.equal((await get('/readyz')).status, 200);
    const metrics = await get('/metrics');
    assert.equal(metrics.status, 200);
    assert.match(await metrics.text(), /iga_process_cpu_user_seconds_total/);
  });

  test('/admin needs an admin bearer token', async () => {
    const none = await get('/admin/whoami');
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer realm="iga-stream-admin"/);
    assert.match((await body(none)).error, /Authentication required/);
    const wrong = await get('/admin/whoami', 'scim-client-token-0123');
    assert.equal(wrong.status, 401);
    assert.equal((await body(wrong)).error, 'Invalid admin token');
    const ok = await get('/admin/whoami', ADMIN);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { client: 'ops' });
  });

  test('bad input is a 400 naming the field; unknown paths 404; internals never leak', async () => {
    const bad = await get('/admin/checked?days=zero', ADMIN);
    assert.equal(bad.status, 400);
    assert.match((await body(bad)).error, /^days: /);
    assert.deepEqual(await (await get('/admin/checked?days=7', ADMIN)).json(), { days: 7 });
    const missing = await get('/admin/nothing-here', ADMIN);
    assert.equal(missing.status, 404);
    assert.match((await body(missing)).error, /No endpoint GET \/admin\/nothing-here/);
    const crash = await get('/admin/crash', ADMIN);
    assert.equal(crash.status, 500);
    assert.deepEqual(await crash.json(), { error: 'Internal error', status: 500 });
  });

  test('with no admin client configured, /admin refuses everything', async () => {
    const { url: u, server: s } = await serve(createAdminApp({ readiness: () => ({}), routes: [(r) => r.get('/whoami', (ctx) => { ctx.body = {}; })] }));
    try {
      const res = await fetch(`${u}/admin/whoami`, { headers: { authorization: `Bearer ${ADMIN}` } });
      assert.equal(res.status, 401);
      assert.match((await body(res)).error, /No admin clients are configured/);
    } finally {
      s.close();
      s.closeAllConnections();
    }
  });

  test('the CLI client: JSON calls, NDJSON progress, clear errors', async () => {
    const client = new AdminClient({ url, token: ADMIN, env: {} });
    assert.deepEqual(await client.get('/whoami'), { client: 'ops' });
    const seen: unknown[] = [];
    const done = await client.stream('/long', {}, (l) => seen.push(l.done));
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(done, { type: 'done', records: 3 });
    await assert.rejects(client.stream('/fails', {}, () => undefined), (e: unknown) => e instanceof CliError && /changelog topic is missing/.test(e.message));
    await assert.rejects(client.post('/busy'), (e: unknown) => e instanceof CliError && /409: a rebuild is already running/.test(e.message));
    await assert.rejects(new AdminClient({ url, token: 'wrong-token-0123456789', env: {} }).get('/whoami'), (e: unknown) => e instanceof CliError && e.exitCode === 2 && /refused the admin token/.test(e.message));
    await assert.rejects(new AdminClient({ url: 'http://127.0.0.1:9', token: ADMIN, env: {} }).get('/whoami'), (e: unknown) => e instanceof CliError && /no iga-stream instance answers at http:\/\/127\.0\.0\.1:9/.test(e.message));
    assert.throws(() => new AdminClient({ env: {} }), (e: unknown) => e instanceof CliError && /IGA_ADMIN_TOKEN/.test(e.message));
  });
});
