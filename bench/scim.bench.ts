/**
 * SCIM benchmark (issue #4 part 7). Run: `node bench/scim.bench.ts` (env BENCH_REQUESTS,
 * BENCH_CONCURRENCY). The servers run in a worker thread with 50,000 accounts; this thread drives
 * them over HTTP with N keep-alive clients, each scenario a fixed number of requests after a
 * warm-up. Reports requests/s and p50/p99 latency, ratios against a bare Koa handler returning a
 * fixed JSON body, and deep page vs first page. Writes bench/results/scim.json.
 */
import { Agent, request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const ACCOUNTS = 50_000;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 12_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const TOKEN = 'bench-token-0123456789abcdef';

const out = (s: string) => process.stdout.write(`${s}\n`);

const worker = new Worker(new URL('./scimBenchServer.ts', import.meta.url), { workerData: { accounts: ACCOUNTS, token: TOKEN } });
const setup = await new Promise<{ scimUrl: string; bareUrl: string; ids: string[]; userNames: string[]; loadMs: number }>((resolve, reject) => {
  worker.once('message', resolve);
  worker.once('error', reject);
});
out(`loaded ${ACCOUNTS} accounts in ${setup.loadMs.toFixed(0)} ms; ${CONCURRENCY} clients x ${REQUESTS} requests per scenario`);

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function get(url: string, auth: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: auth ? { Authorization: `Bearer ${TOKEN}` } : {} }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Result { rps: number; p50ms: number; p99ms: number; requests: number }
interface Scenario { name: string; urlFor: (i: number) => string; auth: boolean; latencies: number[]; seconds: number }

/** Runs `total` requests with CONCURRENCY clients; pushes each latency (ms) when `latencies` is given. */
async function drive(s: Scenario, total: number, latencies: number[] | undefined): Promise<void> {
  let next = 0;
  const client = async () => {
    while (next < total) {
      const i = next++;
      const t = performance.now();
      const status = await get(s.urlFor(i), s.auth);
      if (status !== 200) throw new Error(`${s.name}: HTTP ${status} for ${s.urlFor(i)}`);
      latencies?.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
}

const { scimUrl, bareUrl, ids, userNames } = setup;
const pick = <T>(list: T[], i: number) => list[i % list.length] as T;
const scenario = (name: string, urlFor: (i: number) => string, auth = true): Scenario => ({ name, urlFor, auth, latencies: [], seconds: 0 });
const scenarios = {
  bareKoa: scenario('bare Koa', () => `${bareUrl}/`, false),
  getById: scenario('GET /Users/{id}', (i) => `${scimUrl}/Users/${pick(ids, i)}`),
  userNameFilter: scenario('userName eq', (i) => `${scimUrl}/Users?filter=${encodeURIComponent(`userName eq "${pick(userNames, i)}"`)}`),
  firstPage: scenario('first page', () => `${scimUrl}/Users?startIndex=1&count=100`),
  deepPage: scenario('deep page', () => `${scimUrl}/Users?startIndex=40001&count=100`),
};

// Warm every path first, then measure in ROUNDS interleaved rounds so JIT and socket warm-up
// do not favour whichever scenario happens to run last.
const ROUNDS = 3;
out('warming up');
for (const s of Object.values(scenarios)) await drive(s, 1500, undefined);
for (let round = 1; round <= ROUNDS; round++) {
  for (const s of Object.values(scenarios)) {
    const t = performance.now();
    await drive(s, Math.ceil(REQUESTS / ROUNDS), s.latencies);
    s.seconds += (performance.now() - t) / 1000;
  }
  out(`round ${round}/${ROUNDS} done`);
}

function summarise(s: Scenario): Result {
  const lat = s.latencies.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] as number;
  const r = { rps: Math.round(lat.length / s.seconds), p50ms: +pct(0.5).toFixed(3), p99ms: +pct(0.99).toFixed(3), requests: lat.length };
  out(`${s.name.padEnd(16)} ${String(r.rps).padStart(7)} req/s  p50 ${r.p50ms.toFixed(2)} ms  p99 ${r.p99ms.toFixed(2)} ms`);
  return r;
}
const results = Object.fromEntries(Object.entries(scenarios).map(([k, s]) => [k, summarise(s)])) as Record<keyof typeof scenarios, Result>;

const ratio = (a: Result, b: Result) => +(a.rps / b.rps).toFixed(3);
const summary = {
  accounts: ACCOUNTS, concurrency: CONCURRENCY, requestsPerScenario: REQUESTS, node: process.version, date: new Date().toISOString(),
  results,
  ratios: {
    getByIdVsBare: ratio(results.getById, results.bareKoa),
    userNameFilterVsBare: ratio(results.userNameFilter, results.bareKoa),
    deepPageVsFirstPage: ratio(results.deepPage, results.firstPage),
  },
  targets: { getByIdVsBare: 0.6, userNameFilterVsBare: 0.6, deepPageVsFirstPage: 'about 1 (deep as fast as first)' },
};
const json = JSON.stringify(summary, null, 2);
out(json);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/scim.json', import.meta.url), `${json}\n`);
worker.postMessage('stop');
agent.destroy();
await new Promise((r) => worker.once('exit', r));
