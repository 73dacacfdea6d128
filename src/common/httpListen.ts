/**
 * Starts a Koa app's HTTP server on a port and host, and gives back the URL to reach it (a
 * wildcard host is reached on loopback) and a close that also ends keep-alive connections, so a
 * stop never waits for an idle client.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

export interface ListeningServer { url: string; close(): Promise<void> }

export async function listenHttp(app: Koa, opts: { port: number; host: string; requestTimeoutMs?: number }): Promise<ListeningServer> {
  const server: Server = createServer(app.callback());
  if (opts.requestTimeoutMs !== undefined) server.requestTimeout = opts.requestTimeoutMs;
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port, opts.host, resolve));
  const { port } = server.address() as AddressInfo;
  const host = opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}
