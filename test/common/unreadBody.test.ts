/**
 * A route that answers without reading the request body (a GET with a large body, a 413 by the
 * declared length) must still deliver its whole answer: the unread bytes are read and discarded
 * first, so closing the connection does not reset it under the client (found by the SCIM fuzz).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import net from 'node:net';
import Koa from 'koa';
import { listenHttp, type ListeningServer } from '../../src/common/httpListen.ts';
import { discardUnreadBody, drain } from '../../src/common/unreadBody.ts';

const ANSWER = JSON.stringify({ resources: 'r'.repeat(300_000) });
let server: ListeningServer;
let port: number;

beforeAll(async () => {
  const app = new Koa();
  app.use(discardUnreadBody(600_000));
  app.use((ctx) => { ctx.type = 'application/json'; ctx.body = ANSWER; }); // never reads the body
  server = await listenHttp(app, { port: 0, host: '127.0.0.1' });
  port = Number(new URL(server.url).port);
});
afterAll(() => server.close());

/** Sends a GET with `bodyBytes` of body, half-closes, reads slowly; returns head and body. */
function getWithBody(bodyBytes: number, connection: 'close' | 'keep-alive' = 'close'): Promise<{ head: string; body: string }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      resolve({ head: end < 0 ? text : text.slice(0, end), body: end < 0 ? '' : text.slice(end + 4) });
    });
    socket.on('connect', () => {
      socket.pause(); // a client that reads its answer a little later, as a busy one does
      setTimeout(() => socket.resume(), 20);
      socket.end(`GET /Users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${bodyBytes}\r\nConnection: ${connection}\r\n\r\n${'z'.repeat(bodyBytes)}`);
    });
  });
}

test('an answer to a request whose body the route never read arrives whole', async () => {
  for (let i = 0; i < 10; i++) {
    const { head, body } = await getWithBody(274_000);
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(body.length).toBe(ANSWER.length);
  }
});

test('past the limit it stops reading and closes the connection after the answer', async () => {
  const { head } = await getWithBody(2_000_000, 'keep-alive');
  expect(head).toMatch(/^HTTP\/1\.1 200/);
  expect(head).toMatch(/\r\nConnection: close/i);
});

test('drain resolves at once for a request already read or gone', async () => {
  const { PassThrough } = await import('node:stream');
  const ended = new PassThrough();
  ended.end();
  ended.resume();
  await new Promise((r) => ended.once('end', r));
  expect(await drain(ended as never, 10)).toBe(true);
});
