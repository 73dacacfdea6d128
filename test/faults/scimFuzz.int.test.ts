/**
 * Fault suite, scenario 6: a fuzz of SCIM requests against the running service (a few thousand
 * from fast-check: random methods; paths with traversal and encoded junk; filters from the RFC 7644
 * grammar plus mutations; paging and projection junk; huge and garbage credentials, content types
 * and Accept headers; bodies of random size and shape), sent byte for byte over TCP. No answer may
 * be a 5xx (except the documented 501 for what a read-only provider does not do), none may show a
 * stack trace or a path of the machine, every valid HTTP request gets an answer, the service logs
 * no SCIM failure, and a good request afterwards is answered. IGA_FAULTS_SEED replays the requests.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { register } from 'prom-client';
import { waitForConvergence } from './support/checks.ts';
import { leakIn } from './support/hygiene.ts';
import { startSteadyLoad } from './support/load.ts';
import { sendRaw, type RawResponse } from './support/rawHttp.ts';
import { progress, recordFigures, secs } from './support/results.ts';
import { startRig, type Rig } from './support/rig.ts';
import { requestArb, type FuzzRequest } from './support/scimRequests.ts';

const SCENARIO = 'scim-fuzz';
const REQUESTS = 5000;
const CLIENTS = 30;
const CONCURRENCY = 8;

/** What is wrong with the answer to `req`, or null. */
function judge(req: FuzzRequest, res: RawResponse): string | null {
  if (res.status === null) return req.wellFormed ? 'no HTTP answer to a valid request' : null;
  const leak = leakIn(`${res.head}\n${res.body}`, sentText(req));
  if (leak) return `the answer shows ${leak}`;
  if (res.status >= 500) {
    let scimError: { schemas?: string[]; status?: string } = {};
    try { scimError = JSON.parse(res.body) as typeof scimError; } catch { /* judged below */ }
    const documented = res.status === 501 && (req.method === 'HEAD' || (scimError.status === '501' && scimError.schemas?.[0] === 'urn:ietf:params:scim:api:messages:2.0:Error'));
    if (!documented) return `${res.status}: ${res.body.slice(0, 200)}`;
  }
  if (req.method !== 'HEAD' && res.body && /json/.test(res.headers['content-type'] ?? '')) {
    try { JSON.parse(res.body); } catch { return `a JSON content type with a body that is not JSON: ${res.body.slice(0, 100)}`; }
  }
  return null;
}

/** What the client sent, also percent-decoded, so an echo of it is not mistaken for a leak. */
function sentText(req: FuzzRequest): string {
  let decoded = req.target;
  try { decoded = decodeURIComponent(req.target); } catch { /* bad escapes: the raw target only */ }
  return [req.target, decoded, ...req.headers.map(([, v]) => v), req.body?.toString('utf8') ?? ''].join('\n');
}

const show = (req: FuzzRequest) => JSON.stringify({ method: req.method, target: req.target.slice(0, 300), headers: req.headers.map(([k, v]) => [k, v.slice(0, 100)]), body: req.body?.subarray(0, 200).toString('latin1') });

test('a few thousand fuzzed SCIM requests: no 5xx, no stack trace or path, every valid request answered, still serving', { timeout: 240_000 }, async () => {
  const say = progress(SCENARIO);
  const seed = Number(process.env.IGA_FAULTS_SEED ?? Math.floor(Math.random() * 1e9));
  say(`seed ${seed} (IGA_FAULTS_SEED=${seed} replays the requests)`);
  let rig: Rig | null = null;
  try {
    rig = await startRig({ scenario: 'scim', employees: 400, positions: 300, scimClients: CLIENTS });
    const load = startSteadyLoad(rig.sim, rig.positionIds, 300);
    await load.done;
    await waitForConvergence(rig, rig.expected(load.sent.map((s) => s.positionId)), Date.now(), 60_000);
    const accounts = [...rig.service.index.values()];
    say(`${accounts.length} accounts; sending ${REQUESTS} requests`);
    const ctx = { tokens: Array.from({ length: CLIENTS }, (_, i) => rig!.scimToken(i)), accountIds: accounts.map((a) => a.id), userNames: accounts.map((a) => a.userName) };
    const requests = fc.sample(requestArb(ctx), { numRuns: REQUESTS, seed });
    const port = Number(new URL(rig.service.scimUrl!).port);

    const statuses: Record<string, number> = {};
    const problems: string[] = [];
    let next = 0;
    const started = Date.now();
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const req = requests[next++]!;
        let res: RawResponse;
        try {
          res = await sendRaw(port, req);
        } catch (err) {
          problems.push(`${String(err)} for ${show(req)}`);
          continue;
        }
        const key = String(res.status ?? 'closed');
        statuses[key] = (statuses[key] ?? 0) + 1;
        const problem = judge(req, res);
        if (problem) problems.push(`${problem}\n    request: ${show(req)}`);
      }
    }));
    const fuzzMs = Date.now() - started;
    say(`answers: ${JSON.stringify(statuses)} in ${secs(fuzzMs)}`);
    assert.deepEqual(problems.slice(0, 5), [], `${problems.length} of ${REQUESTS} answers are wrong (seed ${seed})`);

    // Still serving: a good request right after, by username and by id.
    const goodStarted = Date.now();
    const wanted = accounts[0]!;
    const found = await rig.scim(`/Users?filter=${encodeURIComponent(`userName eq "${wanted.userName}"`)}`);
    const goodMs = Date.now() - goodStarted;
    assert.equal(found.status, 200, found.text);
    assert.equal(JSON.parse(found.text).Resources[0].id, wanted.id);
    assert.equal((await rig.scim(`/Users/${wanted.id}`)).status, 200);
    // Nothing the fuzz did made the SCIM app fail internally: it logs and counts every unexpected
    // error, also one whose answer never reached the client (it had hung up).
    const failures = (await readFile(rig.logFile, 'utf8')).split('\n').filter((l) => l.includes('"component":"scim"') && /"level":(50|60)/.test(l));
    assert.deepEqual(failures.slice(0, 3), [], 'the SCIM app logged no failure');
    const counted = (await register.getSingleMetric('iga_scim_requests_total')!.get()).values.filter((v) => Number(v.labels.status) >= 500 && v.labels.status !== '501');
    assert.deepEqual(counted, [], 'the SCIM app counted no 5xx but 501');
    await recordFigures(SCENARIO, `${REQUESTS} requests in ${secs(fuzzMs)}, answers ${Object.entries(statuses).map(([s, n]) => `${s}×${n}`).join(' ')}; no 5xx but the documented 501, no leak; a good request after it ${goodMs} ms`, {
      requests: REQUESTS, fuzzMs, goodRequestMs: goodMs, statuses: JSON.stringify(statuses), seed, accounts: accounts.length,
    });
  } catch (err) {
    if (rig) process.stderr.write(`service log: ${rig.logFile}\n`);
    throw err;
  } finally {
    await rig?.close();
  }
});
