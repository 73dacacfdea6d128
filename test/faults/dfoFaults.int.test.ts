/**
 * Fault suite, scenario 4: DFØ (the simulator, over real HTTP) fails a share of calls under a
 * steady load: about 10 % answer 500, 10 % 429 with Retry-After, 10 % never answer (the client's
 * timeout cuts them), then DFØ is healthy again. Every call is retried or parked, never dropped:
 * nothing lost or doubled, nothing dead-lettered. The figure is the time from DFØ being healthy
 * again to convergence.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { checkEverything, waitForConvergence, watchScim } from './support/checks.ts';
import { startSteadyLoad } from './support/load.ts';
import { progress, recordFigures, secs } from './support/results.ts';
import { startRig, type Rig } from './support/rig.ts';

const SCENARIO = 'dfo-failing-throttling-hanging';
const FAULT_MS = 12_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('DFØ failing, throttling and hanging 30 % of calls under load, then healthy: nothing lost or doubled, converges', { timeout: 240_000 }, async () => {
  const say = progress(SCENARIO);
  let rig: Rig | null = null;
  try {
    // A hung call costs one client timeout (1 s here instead of 10 s); 4 attempts, then the event is parked.
    rig = await startRig({ scenario: 'dfo', employees: 1500, positions: 1200, env: { IGA_DFO_TIMEOUT_MS: '1000' } });
    say('service up; load at 40 notifications/s');
    const load = startSteadyLoad(rig.sim, rig.positionIds, 40);
    const scim = watchScim(rig);
    await sleep(3_000);
    const requestsBefore = rig.sim.requestCount();
    rig.sim.setFaults({ serverError: { share: 0.1, status: 500 }, rateLimit: { share: 0.1, retryAfterSeconds: 1 }, timeout: { share: 0.1 } });
    say(`DFØ faulty (${load.sent.length} notifications sent)`);
    await sleep(FAULT_MS);
    rig.sim.setFaults({});
    const faultEnd = Date.now();
    const requestsDuring = rig.sim.requestCount() - requestsBefore;
    say(`DFØ healthy again; ${requestsDuring} DFØ requests while faulty`);
    await load.stop();
    const expected = rig.expected(load.sent.map((s) => s.positionId));
    const [convergeMs, probeMs] = await Promise.all([waitForConvergence(rig, expected, faultEnd), rig.probe()]);
    const watched = await scim.stop();
    assert.ok(requestsDuring > 100, `DFØ was called while faulty (${requestsDuring} requests)`);
    const outcome = await checkEverything(rig, rig.expected(load.sent.map((s) => s.positionId)), load.sent.map((s) => s.messageId));
    await recordFigures(SCENARIO, `converged ${secs(convergeMs)} after DFØ was healthy (${secs(FAULT_MS)} with ~30 % of ${requestsDuring} calls failing); a new person's CREATE ${secs(probeMs)}; ${load.sent.length} notifications, ${outcome.accounts} accounts`, {
      convergeMs, probeMs, faultMs: FAULT_MS, dfoRequestsWhileFaulty: requestsDuring, notifications: load.sent.length, ...outcome, scimRequests: watched.requests,
    });
  } catch (err) {
    if (rig) process.stderr.write(`service log: ${rig.logFile}\n`);
    throw err;
  } finally {
    await rig?.close();
  }
});
