/**
 * A client that hangs up before its request body is complete (found by the fault suite's SCIM
 * fuzz): that is the client's doing, so the app answers it as a 400 and logs no failure, instead of
 * logging "SCIM request failed" at error level and counting a 500 that nobody received.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import net from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { startTestServer, TOKEN } from './fixtures.ts';

test('a body cut short by the client closing the connection is a 400, not a logged 500', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(line); } });
  const registry = new Registry();
  const s = await startTestServer({ logger, registry });
  try {
    const port = Number(new URL(s.url).port);
    await new Promise<void>((resolve) => {
      // Content-Length promises 100 bytes; 10 arrive, then the client closes its side.
      const c = net.connect(port, '127.0.0.1', () => c.end(`POST /Users/.search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/scim+json\r\nContent-Length: 100\r\n\r\n{"filter":`));
      c.on('error', () => undefined);
      c.on('close', () => resolve());
      c.resume();
    });
    // The app finishes the request after the socket closed: wait until it has counted it.
    const counted = async () => (await registry.getSingleMetric('iga_scim_requests_total')!.get()).values.map((v) => v.labels.status);
    for (let i = 0; i < 100 && (await counted()).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(lines.filter((l) => JSON.parse(l).level >= 50), [], 'no error logged');
    assert.deepEqual(await counted(), ['400']);
  } finally {
    await s.close();
  }
});
