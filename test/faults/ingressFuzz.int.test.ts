/**
 * Fault suite, scenario 5: a fuzz of ingress bodies. A few hundred hostile DFØ notifications
 * (invalid UTF-8, 5 MB, 10,000 levels deep, too wide, wrong types, every field of a notification
 * mangled in turn, random JSON and bytes) are published mixed with good ones, some of those with
 * absurd AMQP properties. Every hostile one is dead-lettered with a reason (counted on the DLQ
 * topic), every good one is processed, a person announced right after the last hostile body gets
 * an account within seconds, and SCIM keeps serving. IGA_FAULTS_SEED replays the random part.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import type { DeadLetterRecord } from '../../src/topology/contracts/deadLetter.ts';
import { checkEverything, waitForConvergence, watchScim } from './support/checks.ts';
import { absurdProperties, dfoBody, handMadeHostile, randomHostile } from './support/hostileBodies.ts';
import { progress, recordFigures, secs } from './support/results.ts';
import { startRig, type Rig } from './support/rig.ts';

const SCENARIO = 'ingress-fuzz';
const RANDOM_BODIES = 180;

test('a few hundred hostile bodies among good notifications: each dead-lettered with a reason, every good one processed, the next flows', { timeout: 240_000 }, async () => {
  const say = progress(SCENARIO);
  const seed = Number(process.env.IGA_FAULTS_SEED ?? Math.floor(Math.random() * 1e9));
  say(`seed ${seed} (IGA_FAULTS_SEED=${seed} replays the random bodies)`);
  let rig: Rig | null = null;
  let conn: amqp.ChannelModel | null = null;
  try {
    rig = await startRig({ scenario: 'ingress', employees: 800, positions: 600 });
    conn = await amqp.connect(rig.amqpUrl);
    const ch = await conn.createConfirmChannel();
    const exchange = rig.config.amqp.exchangeIn;
    const publish = (routingKey: string, body: Buffer, props: amqp.Options.Publish) => new Promise<void>((resolve, reject) => {
      ch.publish(exchange, routingKey, body, { persistent: true, contentType: 'application/octet-stream', ...props }, (err: unknown) => (err ? reject(err) : resolve()));
    });
    const hostile = [...handMadeHostile(rig.positionIds[0]!), ...randomHostile(RANDOM_BODIES, seed)];
    const absurd = absurdProperties();
    say(`service up; publishing ${hostile.length} hostile bodies, one good notification after every second one (${absurd.length} of them with absurd properties)`);
    const goodIds: string[] = [];
    const announced: string[] = [];
    for (let i = 0; i < hostile.length; i++) {
      await publish(hostile[i]!.routingKey, hostile[i]!.body, { messageId: `bad-${i}` });
      if (i % 2 === 0) continue;
      const positionId = rig.positionIds[announced.length]!;
      announced.push(positionId);
      const odd = i % 6 === 1 ? absurd.shift() : undefined;
      if (odd) {
        const body = dfoBody('stillinger', positionId, odd.label.startsWith('unknown extra') ? { ekstra: { a: [1, 2] }, kommentar: 'hei' } : {});
        await publish('stillinger', Buffer.from(JSON.stringify(body)), {
          messageId: odd.messageId, ...(odd.contentType !== undefined ? { contentType: odd.contentType } : {}),
          ...(odd.contentEncoding ? { contentEncoding: odd.contentEncoding } : {}), ...(odd.headers ? { headers: odd.headers } : {}), ...odd.extra,
        });
        goodIds.push(odd.messageId);
      } else {
        goodIds.push((await rig.sim.publish('stillinger', positionId)).messageId);
      }
      if (i % 40 === 39) await new Promise((r) => setTimeout(r, 100)); // a steady stream, not one burst
    }
    const lastBad = Date.now();
    assert.equal(absurd.length, 0, 'every absurd property set was used');
    say(`published; ${goodIds.length} good notifications`);
    const scim = watchScim(rig);
    const [convergeMs, probeMs] = await Promise.all([waitForConvergence(rig, rig.expected(announced), lastBad), rig.probe(30_000)]);
    const watched = await scim.stop();

    // Every hostile body dead-lettered exactly once, with a reason; nothing else.
    const deadLetters = (await rig.view.readTopic(rig.topics.dlq)).map((r) => r.value as DeadLetterRecord);
    const byId = new Map(deadLetters.map((d) => [d.messageId, d]));
    const missing = hostile.map((h, i) => ({ ...h, id: `bad-${i}` })).filter((h) => !byId.get(h.id)?.reason).map((h) => `${h.id} (${h.label})`);
    assert.deepEqual(missing, [], 'every hostile body is dead-lettered with a reason');
    assert.equal(deadLetters.length, hostile.length, 'each once, and nothing else');
    assert.ok(deadLetters.every((d) => d.source === 'ingress' && d.bodyBytes >= Buffer.from(d.bodyBase64, 'base64').length));
    const outcome = await checkEverything(rig, rig.expected(announced), goodIds, { deadLettersExpected: true });
    const reasons = new Set(deadLetters.map((d) => d.reason.replace(/[:(].*$/s, '')));
    await recordFigures(SCENARIO, `${hostile.length} hostile bodies dead-lettered (${reasons.size} kinds of reason), ${goodIds.length} good ones processed; converged ${secs(convergeMs)} after the last hostile body; a new person's CREATE ${secs(probeMs)}`, {
      convergeMs, probeMs, hostile: hostile.length, good: goodIds.length, reasonKinds: reasons.size, seed, ...outcome, scimRequests: watched.requests,
    });
  } catch (err) {
    if (rig) process.stderr.write(`service log: ${rig.logFile}\n`);
    throw err;
  } finally {
    await conn?.close().catch(() => undefined);
    await rig?.close();
  }
});
