/**
 * The operations port (IGA_ADMIN_PORT), a small Koa app:
 * - public: `/healthz` (the process is alive), `/readyz` (every part is up and the SCIM replica
 *   caught up; 503 with the failing parts otherwise), `/metrics` (Prometheus text format);
 * - `/admin/*`: the operator API, behind its own bearer tokens (auth.ts). Feature modules add
 *   their routes through `routes` (each gets a router mounted under `/admin`);
 * - `/console/*`: the operator console in the browser (src/features/console), when given.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa, { type Middleware } from 'koa';
import client from 'prom-client';
import type { TokenRegistry } from '../../common/tokenRegistry.ts';
import { componentLogger, type Logger } from '../../common/log.ts';
import { discardUnreadBody } from '../../common/unreadBody.ts';
import { registerMemoryGauge } from '../../common/memoryMetrics.ts';
import { registerRocksMemoryGauges } from '../../stores/rocksMemoryGauges.ts';
import { adminAuth } from './auth.ts';
import { adminErrors, type AdminRoutes } from '../../features/adminApi/index.ts';

export interface AdminServerOptions {
  port: number;
  host?: string;
  readiness: () => Record<string, boolean>;
  /** Admin clients; without any, `/admin/*` answers 401. */
  tokens?: Pick<TokenRegistry, 'authenticate' | 'size'>;
  routes?: AdminRoutes[];
  /** The operator console (`/console/*`), with its own sign-in; answers nothing else. */
  console?: Middleware;
  log?: Logger;
}

export interface AdminServer { url: string; close(): Promise<void> }

/** Builds the Koa app (tests use it without a socket). */
export function createAdminApp(opts: Omit<AdminServerOptions, 'port' | 'host'>): Koa {
  // Default process metrics once per process (a restarted service in one process must not re-register them).
  if (!client.register.getSingleMetric('iga_process_cpu_user_seconds_total')) client.collectDefaultMetrics({ prefix: 'iga_' });
  registerMemoryGauge();
  registerRocksMemoryGauges();
  const log = opts.log ?? componentLogger('admin');
  const pub = new Router();
  pub.get('/healthz', (ctx) => { ctx.body = { status: 'ok' }; });
  pub.get('/readyz', (ctx) => {
    const parts = opts.readiness();
    const ready = Object.values(parts).every(Boolean);
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not ready', parts };
  });
  pub.get('/metrics', async (ctx) => {
    ctx.set('Content-Type', client.register.contentType);
    ctx.body = await client.register.metrics();
  });
  const admin = new Router({ prefix: '/admin' });
  admin.use(adminAuth(opts.tokens ?? { size: 0, authenticate: () => undefined }));
  for (const add of opts.routes ?? []) add(admin);

  const app = new Koa();
  app.silent = true;
  app.use(discardUnreadBody());
  if (opts.console) app.use(opts.console);
  app.use(adminErrors(log, 'admin'));
  app.use(pub.routes());
  app.use(admin.routes());
  app.use(admin.allowedMethods({ throw: false }));
  return app;
}

export async function startAdminServer(opts: AdminServerOptions): Promise<AdminServer> {
  const app = createAdminApp(opts);
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port, opts.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}
