/**
 * Starts the SCIM app on a port. Called by the service's run command; tests start it on port 0.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { componentLogger } from '../common/log.ts';
import { createScimApp, type ScimAppOptions } from './app.ts';

const log = componentLogger('scim');

export interface ScimServerOptions extends ScimAppOptions {
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1; use 0.0.0.0 to listen on all interfaces. */
  host?: string;
}

export interface RunningScimServer {
  /** `http://host:port`, for tests and logs. */
  url: string;
  port: number;
  /** Stops accepting, closes idle keep-alive connections and waits for in-flight requests. */
  close(): Promise<void>;
}

/** Resolves once listening; rejects when the port cannot be bound. */
export async function startScimServer(opts: ScimServerOptions): Promise<RunningScimServer> {
  const app = createScimApp(opts);
  const timeout = opts.requestTimeoutMs ?? 10_000;
  const server = createServer({ requestTimeout: timeout, headersTimeout: Math.min(timeout, 10_000), keepAliveTimeout: 5_000 }, app.callback());
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url }, 'SCIM server listening');
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
      }),
  };
}
