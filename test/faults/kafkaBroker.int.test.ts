/**
 * Fault suite, scenario 1: the service's Kafka broker (a broker of this test's own, so other tests
 * are not disturbed) is stopped for ~8 s under a steady load of DFØ notifications and started
 * again. Nothing may be lost or doubled, every notify event reaches RabbitMQ with its stable id,
 * SCIM keeps answering without a 5xx meanwhile, and a person announced right after the broker is
 * back gets an account. The figure is the time from the broker answering again to convergence.
 */
import { test } from 'vitest';
import { checkEverything, waitForConvergence, watchScim } from './support/checks.ts';
import { startSteadyLoad } from './support/load.ts';
import { startOwnKafka, type OwnKafka } from './support/ownKafka.ts';
import { progress, recordFigures, secs } from './support/results.ts';
import { startRig, type Rig } from './support/rig.ts';

const SCENARIO = 'kafka-broker-stop';
const DOWN_MS = 8_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the Kafka broker stopped ~8 s under load and started again: nothing lost or doubled, converges', { timeout: 240_000 }, async () => {
  const say = progress(SCENARIO);
  let kafka: OwnKafka | null = null;
  let rig: Rig | null = null;
  try {
    kafka = await startOwnKafka();
    say(`own broker on ${kafka.brokers[0]}`);
    rig = await startRig({ scenario: 'kafka', kafkaBrokers: kafka.brokers, employees: 1500, positions: 1200 });
    say('service up; load at 40 notifications/s');
    const load = startSteadyLoad(rig.sim, rig.positionIds, 40);
    const scim = watchScim(rig);
    await sleep(5_000);
    const faultStart = Date.now();
    await kafka.stop();
    say(`broker stopped (${load.sent.length} notifications sent)`);
    await sleep(DOWN_MS);
    await kafka.start();
    const faultEnd = Date.now();
    say(`broker answers again after ${secs(faultEnd - faultStart)}`);
    await load.stop();
    const expected = rig.expected(load.sent.map((s) => s.positionId));
    const [convergeMs, probeMs] = await Promise.all([waitForConvergence(rig, expected, faultEnd), rig.probe()]);
    const watched = await scim.stop();
    const outcome = await checkEverything(rig, rig.expected(load.sent.map((s) => s.positionId)), load.sent.map((s) => s.messageId));
    await recordFigures(SCENARIO, `converged ${secs(convergeMs)} after the broker was back (down ${secs(faultEnd - faultStart)}); a new person's CREATE ${secs(probeMs)}; ${load.sent.length} notifications, ${outcome.accounts} accounts, ${outcome.redelivered} redelivered`, {
      convergeMs, probeMs, downMs: faultEnd - faultStart, notifications: load.sent.length, ...outcome, scimRequests: watched.requests,
    });
  } catch (err) {
    if (rig) process.stderr.write(`service log: ${rig.logFile}\n`);
    throw err;
  } finally {
    await rig?.close();
    await kafka?.destroy();
  }
});
