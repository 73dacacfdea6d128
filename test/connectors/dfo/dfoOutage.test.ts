/**
 * A DFØ outage against the real simulator over HTTP: 503s from fault injection, then connection
 * refused (the simulator is gone), then the simulator back on its port. Every failed attempt is
 * reported instead of logged; the log shows one down line, summaries and one back line, and
 * `iga_dependency_up{dependency="dfo"}` flips. A 404 fact ("IKKE ANSATT") is an answer, not an outage.
 */
import { afterAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { register } from 'prom-client';
import { createDfoClient, SourceUnavailable } from '../../../connectors/dfo/index.ts';
import { startDfoSimulator, type DfoSimulator } from '../../../tools/dfo-simulator/server.ts';
import { dependencyHealth } from '../../../src/common/dependencyHealth.ts';

interface Line { level: number; msg: string; component?: string; failures?: number; sources?: Record<string, number> }

const kari = { id: '00100001', fornavn: 'Kari', etternavn: 'Nordmann', fnr: '01017012345', startdato: '2020-01-01', sluttdato: '9999-12-31', stillingId: 30000001, eksternbruker: true };

async function dfoUp(): Promise<number | undefined> {
  const metric = register.getSingleMetric('iga_dependency_up');
  return (await metric?.get())?.values.find((v) => v.labels.dependency === 'dfo')?.value;
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let sim: DfoSimulator | null = null;
afterAll(async () => {
  dependencyHealth.configure({ summaryEveryMs: 30_000 });
  await sim?.close();
});

test('a DFØ outage (503s, then connection refused) is one down line, summaries and one back line; the gauge flips', async () => {
  dependencyHealth.configure({ summaryEveryMs: 400 });
  sim = await startDfoSimulator();
  await sim.upsertEmployee(kari);
  const port = sim.port;
  const lines: Line[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => { lines.push(JSON.parse(s)); } }).child({ component: 'dfo-client' });
  const client = createDfoClient({ baseUrl: sim.url, timeoutMs: 500, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 20 }, logger: log });

  assert.equal((await client.getEmployee('100001')).kind, 'found');
  assert.equal((await client.getEmployee('100099')).kind, 'gone', 'IKKE ANSATT is a fact');
  assert.equal(await dfoUp(), 1);
  assert.deepEqual(lines.filter((l) => l.level >= 30), [], 'answers and 404 facts log nothing');

  // 503 on every request.
  sim.setFaults({ serverError: { share: 1, status: 503 } });
  let calls = 0;
  const failUntil = Date.now() + 1_000;
  while (Date.now() < failUntil) {
    await assert.rejects(client.getEmployee('100001'), SourceUnavailable);
    calls++;
  }
  assert.equal(await dfoUp(), 0);
  // Connection refused: the simulator is gone.
  await sim.close();
  sim = null;
  const refusedUntil = Date.now() + 1_000;
  while (Date.now() < refusedUntil) {
    await assert.rejects(client.getPosition('30000001'), SourceUnavailable);
    calls++;
  }
  // Back on its port.
  sim = await startDfoSimulator({ port });
  await sim.upsertEmployee(kari);
  assert.equal((await client.getEmployee('100001')).kind, 'found');
  await until('the dfo gauge to show up again', async () => (await dfoUp()) === 1);

  const shown = lines.filter((l) => l.level >= 30);
  const kinds = shown.map((l) => (/^DFØ API is down: /.test(l.msg) ? 'down' : /^DFØ API still down after /.test(l.msg) ? 'summary' : /^DFØ API is back after /.test(l.msg) ? 'back' : l.msg));
  const summaries = kinds.filter((k) => k === 'summary').length;
  assert.deepEqual(kinds, ['down', ...Array(summaries).fill('summary'), 'back'], `only outage lines, got ${JSON.stringify(shown.map((l) => l.msg))}`);
  assert.ok(summaries >= 3, `a summary at most every 400 ms over 2 s of failures (got ${summaries})`);
  assert.match(shown[0]!.msg, new RegExp(`^DFØ API is down: DFØ http://127\\.0\\.0\\.1:${port}/dfo/ansatte/100001: HTTP 503$`));
  assert.ok(shown.slice(1, -1).some((l) => /ECONNREFUSED/.test(l.msg)), 'a summary names the refused connection as the last error');
  const attempts = calls * 3;
  assert.equal(shown.at(-1)!.failures, attempts, 'the back line counts every failed attempt');
  assert.equal(shown.at(-1)!.level, 30);
  // The attempts are still there, at debug, for whoever wants them.
  assert.equal(lines.filter((l) => l.level === 20 && l.msg === 'DFØ request failed, retrying').length, calls * 2);
});
