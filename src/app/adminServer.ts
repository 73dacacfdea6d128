/**
 * Operations endpoints on their own port: `/healthz` (the process is alive), `/readyz` (every part
 * is up and the SCIM replica caught up; 503 with the failing parts otherwise), `/metrics`
 * (Prometheus text format, prom-client's default registry).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';

export interface AdminServer { url: string; close(): Promise<void> }

export async function startAdminServer(opts: { port: number; host?: string; readiness: () => Record<string, boolean> }): Promise<AdminServer> {
  // Default process metrics once per process (a restarted service in one process must not re-register them).
  if (!client.register.getSingleMetric('iga_process_cpu_user_seconds_total')) client.collectDefaultMetrics({ prefix: 'iga_' });
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else if (path === '/readyz') {
      const parts = opts.readiness();
      const ready = Object.values(parts).every(Boolean);
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ready ? 'ready' : 'not ready', parts }));
    } else if (path === '/metrics') {
      res.writeHead(200, { 'content-type': client.register.contentType }).end(await client.register.metrics());
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    }
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port, opts.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    close: () => new Promise((r) => { server.close(() => r()); server.closeAllConnections(); }),
  };
}
