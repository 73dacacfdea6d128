/**
 * A plain TCP proxy in front of a real service (RabbitMQ's 5672, a Kafka listener) that a test can
 * take away and bring back on the same port: `stop()` closes the listener and cuts every
 * connection (clients then get ECONNREFUSED, as when the broker stops), `start()` listens again.
 * An outage of our own, without touching the shared brokers.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Refuses new connections and cuts the open ones. */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, opts: { stopped?: boolean } = {}): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  let connections = 0;

  const listen = async (): Promise<void> => {
    const s = net.createServer((client) => {
      connections++;
      const upstream = net.connect(target);
      for (const sock of [client, upstream]) { sockets.add(sock); sock.on('close', () => sockets.delete(sock)); sock.on('error', () => undefined); }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  const unlisten = async (): Promise<void> => {
    const s = server;
    server = null;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  if (opts.stopped) await unlisten();
  return {
    get port() { return port; },
    get connections() { return connections; },
    start: () => (server ? Promise.resolve() : listen()),
    stop: unlisten,
    close: unlisten,
  };
}
