/**
 * Fault suite, scenario 3 (the wedge test at service level): the service's AMQP connections,
 * ingress and egress, are closed from the broker's side (as `rabbitmqctl close_connection` or a
 * broker shutting clients out would) 20 times in a row under a steady load. After every close a
 * new person is announced at once and must get an account whose CREATE event reaches RabbitMQ: the
 * service converges every time, never wedges. At the end the whole load is checked as after every
 * fault. Figures: the time from each close to that person's CREATE event, and to convergence.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { closeAmqpConnections } from '../support/amqpConnections.ts';
import { checkEverything, waitForConvergence, watchScim } from './support/checks.ts';
import { startSteadyLoad } from './support/load.ts';
import { progress, recordFigures, secs } from './support/results.ts';
import { startRig, type Rig } from './support/rig.ts';

const SCENARIO = 'amqp-connections-closed';
const CLOSES = 20;

test('the ingress and egress AMQP connections closed 20 times under load: every time a new person flows, nothing lost or doubled', { timeout: 240_000 }, async () => {
  const say = progress(SCENARIO);
  let rig: Rig | null = null;
  try {
    rig = await startRig({ scenario: 'amqp', employees: 2500, positions: 2000 });
    say('service up; load at 40 notifications/s');
    const load = startSteadyLoad(rig.sim, rig.positionIds, 40);
    const scim = watchScim(rig);
    await rig.probe(); // both connections are open and used
    const rounds: number[] = [];
    let lastClose = 0;
    for (let i = 1; i <= CLOSES; i++) {
      const closed = await closeAmqpConnections(`${rig.appId} `, `fault suite close ${i}`);
      lastClose = Date.now();
      assert.equal(closed, 2, `close ${i}: the ingress and the egress connection were open and closed`);
      rounds.push(await rig.probe(30_000));
    }
    say(`${CLOSES} closes; after each a new person's CREATE came through in ${rounds.map((ms) => (ms / 1000).toFixed(1)).join(', ')} s`);
    await load.stop();
    const convergeMs = await waitForConvergence(rig, rig.expected(load.sent.map((s) => s.positionId)), lastClose);
    const watched = await scim.stop();
    const outcome = await checkEverything(rig, rig.expected(load.sent.map((s) => s.positionId)), load.sent.map((s) => s.messageId));
    const sorted = [...rounds].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const max = sorted.at(-1)!;
    await recordFigures(SCENARIO, `${CLOSES} closes: a new person's CREATE ${secs(median)} after a close (median; max ${secs(max)}); converged ${secs(convergeMs)} after the last close; ${load.sent.length} notifications, ${outcome.accounts} accounts, ${outcome.redelivered} redelivered`, {
      closes: CLOSES, probeMedianMs: median, probeMaxMs: max, probeMs: rounds, convergeMs, notifications: load.sent.length, ...outcome, scimRequests: watched.requests,
    });
  } catch (err) {
    if (rig) process.stderr.write(`service log: ${rig.logFile}\n`);
    throw err;
  } finally {
    await rig?.close();
  }
});
