/**
 * The console's plots from a real Prometheus (Debian's, scripts/prometheus.sh; IGA_PROMETHEUS_BIN
 * overrides the path): Prometheus scrapes the operations port's real `/metrics` every second while
 * the test moves the counters, and the overview source reads the series back with query_range.
 * Without Prometheus the source falls back to its own samples and says why.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createAdminApp } from '../../../src/app/admin/index.ts';
import { counter, gauge } from '../../../src/common/metrics.ts';
import { startOverviewSource } from '../../../src/features/console/overviewSource.ts';
import { seriesFromPrometheus } from '../../../src/features/console/plotSeries.ts';
import { eventually } from '../../support/brokers.ts';

const BIN = process.env.IGA_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
const APP = `plots-${process.pid}`;
const processed = counter('iga_streams_records_processed_total', 'Input records processed', ['app', 'subtopology']);
const deadLettered = counter('iga_streams_records_dead_lettered_total', 'Records sent to the dead-letter topic', ['app']);
const lag = gauge('iga_streams_input_lag_offsets', 'Offsets behind per input topic', ['app', 'topic']);

const freePort = () => new Promise<number>((resolve, reject) => {
  const s = createNetServer().once('error', reject).listen(0, '127.0.0.1', () => { const { port } = s.address() as AddressInfo; s.close(() => resolve(port)); });
});

describe('plots from Prometheus', () => {
  let dir: string;
  let metrics: Server;
  let prometheus: ChildProcess | undefined;
  let promUrl: string;
  let output = '';

  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`no Prometheus at ${BIN}: run 'bash scripts/prometheus.sh' (as root it installs Debian's prometheus), or set IGA_PROMETHEUS_BIN`);
    dir = await mkdtemp(join(tmpdir(), 'iga-prometheus-'));
    metrics = createServer(createAdminApp({ readiness: () => ({}), log: pino({ level: 'silent' }) }).callback());
    await new Promise<void>((r) => metrics.listen(0, '127.0.0.1', r));
    const target = `127.0.0.1:${(metrics.address() as AddressInfo).port}`;
    await writeFile(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: iga\n    static_configs:\n      - targets: ['${target}']\n`);
    const port = await freePort();
    promUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(BIN, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    prometheus.stderr!.on('data', (b: Buffer) => { output = (output + b.toString()).slice(-4000); });
    await eventually('Prometheus to be ready', async () => (await fetch(`${promUrl}/-/ready`).catch(() => null))?.ok, 60_000, 250)
      .catch((err: Error) => { throw new Error(`${err.message}; its output:\n${output}`); });
  }, 90_000);
  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    await new Promise<void>((r) => metrics?.close(() => r()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('rates, lag and dead letters read back over the last minutes; this app only', async () => {
    lag.set({ app: APP, topic: `${APP}.dfo.events` }, 5);
    lag.set({ app: APP, topic: `${APP}-person-events-repartition` }, 2);
    lag.set({ app: 'another-app', topic: 'x' }, 1000);
    deadLettered.inc({ app: APP }, 3);
    // Records flow for a while: 20 per second on A, 10 on B; another app's records do not count.
    // rate() over 5 s (five scrapes): a production window of a minute would need a minute of data.
    const flowing = setInterval(() => { processed.inc({ app: APP, subtopology: '0' }, 10); processed.inc({ app: APP, subtopology: '1' }, 5); processed.inc({ app: 'another-app', subtopology: '0' }, 500); }, 500);
    try {
      const points = await eventually('a processed rate from Prometheus', async () => {
        const ps = await seriesFromPrometheus({ url: promUrl, appId: APP, historyMs: 120_000, stepMs: 1000, now: Date.now(), rateWindowS: 5 });
        const last = ps.at(-1);
        // Until five seconds of scrapes are in the window, the rate is still climbing towards 30.
        return last && last.processed !== null && last.processed > 20 ? ps : undefined;
      }, 60_000, 500);
      const last = points.at(-1)!;
      assert.ok(last.processed! < 45, `about 30 records per second, got ${last.processed}`);
      assert.equal(last.behind, 7);
      assert.equal(last.deadLetters, 3);
      assert.ok(points.every((p, i) => i === 0 || p.t - points[i - 1]!.t === 1000), 'one point per step');
    } finally {
      clearInterval(flowing);
    }
  });

  test('the overview source takes its plots from Prometheus, and falls back to its samples with the reason when it cannot answer', async () => {
    const deps = { appId: APP, instance: 'i', status: async () => { throw new Error('not used'); }, accounts: () => ({ total: 0, active: 0 }), topics: { raw: 'r', personEvents: 'p', accountInputs: 'a', usernameClaims: 'u', brake: 'b' }, sampleMs: 1000, keepMs: 120_000 };
    const fromProm = startOverviewSource({ ...deps, prometheusUrl: promUrl });
    const closed = await freePort();
    const down = startOverviewSource({ ...deps, prometheusUrl: `http://127.0.0.1:${closed}` });
    try {
      const a = await fromProm.plots();
      assert.equal(a.source, 'prometheus');
      assert.ok(a.points.length > 0);
      const b = await down.plots();
      assert.equal(b.source, 'memory');
      assert.match(b.fallback!, /fetch failed|ECONNREFUSED/);
    } finally {
      fromProm.close();
      down.close();
    }
  });
});
