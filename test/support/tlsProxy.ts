/**
 * A TLS endpoint in front of a plain TCP service (RabbitMQ's 5672), with the test broker
 * certificate from scripts/kafka/tls (test CA, 127.0.0.1): lets a test run the AMQP client's TLS
 * path against the real broker without reconfiguring it. Counts the TLS sessions it accepted.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';

export interface TlsProxy { port: number; sessions: number; close(): Promise<void> }

export async function startTlsProxy(target: { host: string; port: number }): Promise<TlsProxy> {
  const pfx = readFileSync(new URL('../../scripts/kafka/tls/broker.p12', import.meta.url));
  const sockets = new Set<net.Socket>();
  const proxy: TlsProxy = { port: 0, sessions: 0, close: async () => undefined };
  const server = tls.createServer({ pfx, passphrase: 'iga-test' }, (client) => {
    proxy.sessions++;
    const upstream = net.connect(target);
    for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => undefined); }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.on('tlsClientError', () => undefined); // a client that refuses our certificate: the test looks at the client's error
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as AddressInfo).port;
  proxy.close = () => new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  return proxy;
}
