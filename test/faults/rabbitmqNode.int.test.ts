/**
 * Fault suite, scenario 2: the RabbitMQ node the service's ingress and egress use (a node of this
 * test's own: own ports, data and log folders) is restarted under a steady load of DFØ
 * notifications. The simulator keeps trying to publish while the node is down (as DFØ would); what
 * RabbitMQ confirmed must come through, and notify events published before the restart must not be
 * lost in between. The figure is the time from the node accepting connections again to convergence.
 */
import { test } from 'vitest';
import { checkEverything, waitForConvergence, watchScim } from './support/checks.ts';
import { startSteadyLoad } from './support/load.ts';
import { startOwnRabbit, type OwnRabbit } from './support/ownRabbit.ts';
import { progress, recordFigures, secs } from './support/results.ts';
import { startRig, type Rig } from './support/rig.ts';

const SCENARIO = 'rabbitmq-node-restart';
/** Extra time the node stays down (IGA_FAULTS_RABBITMQ_DOWN_MS): a longer outage shows the connectors' reconnect backoff. */
const EXTRA_DOWN_MS = Number(process.env.IGA_FAULTS_RABBITMQ_DOWN_MS ?? 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the RabbitMQ node restarted under load: nothing lost or doubled, converges', { timeout: 240_000 }, async () => {
  const say = progress(SCENARIO);
  let rabbit: OwnRabbit | null = null;
  let rig: Rig | null = null;
  try {
    rabbit = await startOwnRabbit();
    say(`own node ${rabbit.nodeName} on ${rabbit.port}`);
    rig = await startRig({ scenario: 'rabbitmq', amqpUrl: rabbit.url, employees: 1500, positions: 1200 });
    say('service up; load at 40 notifications/s');
    const load = startSteadyLoad(rig.sim, rig.positionIds, 40);
    const scim = watchScim(rig);
    await sleep(5_000);
    const faultStart = Date.now();
    await rabbit.stop();
    say(`node stopped (${load.sent.length} notifications sent)`);
    await sleep(EXTRA_DOWN_MS);
    await rabbit.start();
    const faultEnd = Date.now();
    say(`node accepts connections again after ${secs(faultEnd - faultStart)}`);
    await sleep(2_000); // the load goes on for a moment on the restarted node
    await load.stop();
    const expected = rig.expected(load.sent.map((s) => s.positionId));
    const [convergeMs, probeMs] = await Promise.all([waitForConvergence(rig, expected, faultEnd), rig.probe()]);
    const watched = await scim.stop();
    const outcome = await checkEverything(rig, rig.expected(load.sent.map((s) => s.positionId)), load.sent.map((s) => s.messageId));
    await recordFigures(SCENARIO, `converged ${secs(convergeMs)} after the node was back (down ${secs(faultEnd - faultStart)}); a new person's CREATE ${secs(probeMs)}; ${load.sent.length} notifications (${load.failedAttempts} publish attempts refused while down), ${outcome.accounts} accounts, ${outcome.redelivered} redelivered`, {
      convergeMs, probeMs, downMs: faultEnd - faultStart, notifications: load.sent.length, publishRetries: load.failedAttempts, ...outcome, scimRequests: watched.requests,
    });
  } catch (err) {
    if (rig) process.stderr.write(`service log: ${rig.logFile}\n`);
    throw err;
  } finally {
    await rig?.close();
    await rabbit?.destroy();
  }
});
