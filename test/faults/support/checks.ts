/**
 * The checks every fault scenario ends with, and the convergence wait it times:
 *   - nothing lost: every notification RabbitMQ confirmed is on the raw topic, and every person the
 *     pure rules expect to have an account has exactly one, active;
 *   - no identity doubled: one account per person, one username per account, ids and usernames
 *     stable across versions, versions strictly increasing;
 *   - every notify event on Kafka exactly once and on RabbitMQ at least once with its stable id
 *     (redeliveries identical), and nothing on RabbitMQ that is not on Kafka;
 *   - the service still serves SCIM (the accounts it has, a lookup by username).
 */
import assert from 'node:assert/strict';
import type { ExpectedPerson } from '../../../tools/dfo-simulator/expectedAccounts.ts';
import type { Account } from '../../../src/iga/model.ts';
import { leakIn } from './hygiene.ts';
import type { Rig } from './rig.ts';

/** Why the service has not converged on `expected` yet, or null when it has (read from its own replica). */
export function convergenceGap(rig: Rig, expected: Map<string, ExpectedPerson>): string | null {
  const byPerson = new Map<string, Readonly<Account>[]>();
  for (const a of rig.service.index.values()) byPerson.set(a.personId, [...(byPerson.get(a.personId) ?? []), a]);
  let missing = 0;
  let example = '';
  for (const [personId, e] of expected) {
    if (e.eligible && !byPerson.get(personId)?.some((a) => a.active)) {
      missing++;
      example ||= personId;
    }
  }
  if (missing > 0) return `${missing} expected accounts missing (e.g. person ${example})`;
  const undelivered = [...rig.service.index.values()].filter((a) => !rig.capture.ids.has(`${a.id}:v${a.version}`));
  if (undelivered.length > 0) return `${undelivered.length} notify events not on RabbitMQ yet (e.g. ${undelivered[0]!.id}:v${undelivered[0]!.version})`;
  return null;
}

/** Polls until converged; resolves with ms since `since`. Throws with the last gap after `timeoutMs`. */
export async function waitForConvergence(rig: Rig, expected: Map<string, ExpectedPerson>, since: number, timeoutMs = 90_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const gap = convergenceGap(rig, expected);
    if (gap === null) return Date.now() - since;
    if (Date.now() > until) throw new Error(`not converged ${timeoutMs / 1000} s after the fault: ${gap}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Outcome { accounts: number; notifyEvents: number; deliveries: number; redelivered: number; rawRecords: number; deadLetters: number }

/**
 * The full checks, on what Kafka and RabbitMQ hold. `messageIds`: every notification RabbitMQ
 * confirmed. Nothing may be dead-lettered unless `deadLettersExpected` (the fuzz checks its own).
 */
export async function checkEverything(rig: Rig, expected: Map<string, ExpectedPerson>, messageIds: Iterable<string>, opts: { deadLettersExpected?: boolean } = {}): Promise<Outcome> {
  // Nothing lost at ingress, nothing given up on.
  const raw = await rig.view.readTopic(rig.topics.raw);
  const onRaw = new Set(raw.map((r) => r.headers['amqp-message-id']));
  const lost = [...messageIds].filter((id) => !onRaw.has(id));
  assert.deepEqual(lost, [], `${lost.length} confirmed notifications are not on the raw topic`);
  const deadLetters = await rig.view.readTopic(rig.topics.dlq);
  if (!opts.deadLettersExpected) assert.deepEqual(deadLetters.map((r) => r.value?.reason), [], 'nothing is dead-lettered');

  // Accounts: the whole log, then the latest state.
  const log = await rig.view.readTopic(rig.topics.accounts);
  const firstSeen = new Map<string, Account>();
  const latest = new Map<string, Account>();
  for (const r of log) {
    if (r.value === null) { latest.delete(r.key); continue; }
    const a = r.value as Account;
    const first = firstSeen.get(a.id);
    if (first) {
      assert.equal(a.personId, first.personId, `account ${a.id} changed owner`);
      assert.equal(a.userName, first.userName, `account ${a.id} changed username`);
      assert.ok(a.version > latest.get(a.id)!.version, `account ${a.id}: version ${a.version} after ${latest.get(a.id)!.version} (a doubled or reordered change)`);
    } else firstSeen.set(a.id, a);
    latest.set(a.id, a);
  }
  const byPerson = new Map<string, Account[]>();
  for (const a of firstSeen.values()) byPerson.set(a.personId, [...(byPerson.get(a.personId) ?? []), a]);
  for (const [personId, accounts] of byPerson) assert.equal(accounts.length, 1, `person ${personId} has ${accounts.length} accounts: ${accounts.map((a) => a.userName).join(', ')}`);
  const userNames = [...firstSeen.values()].map((a) => a.userName);
  assert.equal(new Set(userNames).size, userNames.length, 'a username was issued twice');
  for (const [personId, e] of expected) {
    const mine = byPerson.get(personId)?.map((a) => latest.get(a.id)) ?? [];
    if (e.eligible) assert.ok(mine.length === 1 && mine[0]?.active, `person ${personId} should have one active account`);
    else assert.ok(mine.every((a) => !a?.active), `person ${personId} should have no active account`);
  }
  for (const personId of byPerson.keys()) assert.ok(expected.has(personId), `an account for person ${personId}, who holds no announced position`);

  // Notify events: once on Kafka, at least once on RabbitMQ with the same id and bytes.
  const notify = await rig.view.readTopic(rig.topics.notify);
  const eventIds = notify.map((r) => r.value.eventId as string);
  assert.equal(new Set(eventIds).size, eventIds.length, 'a notify event was produced twice');
  for (const a of latest.values()) assert.ok(eventIds.includes(`${a.id}:v${a.version}`), `no notify event for ${a.id} v${a.version}`);
  const seen = new Map<string, { routingKey: string; body: string }>();
  for (const d of rig.capture.deliveries) {
    const first = seen.get(d.messageId);
    if (first) assert.deepEqual({ routingKey: d.routingKey, body: d.body }, first, `redelivery of ${d.messageId} differs`);
    else seen.set(d.messageId, { routingKey: d.routingKey, body: d.body });
  }
  assert.deepEqual([...seen.keys()].sort(), [...eventIds].sort(), 'the delivered message ids are exactly the notify event ids');

  // Still serving: SCIM shows every account, and finds one by username.
  const list = await rig.scim('/Users?count=0');
  assert.equal(list.status, 200, `SCIM answers: ${list.text}`);
  assert.equal(JSON.parse(list.text).totalResults, latest.size);
  const some = [...latest.values()][0];
  if (some) {
    const found = await rig.scim(`/Users?filter=${encodeURIComponent(`userName eq "${some.userName}"`)}`);
    assert.equal(found.status, 200);
    assert.equal(JSON.parse(found.text).Resources[0].id, some.id);
  }
  return { accounts: latest.size, notifyEvents: eventIds.length, deliveries: rig.capture.deliveries.length, redelivered: rig.capture.deliveries.length - seen.size, rawRecords: raw.length, deadLetters: deadLetters.length };
}

/**
 * Watches SCIM while a fault runs: a list request every `everyMs`. Every answer must be below 500
 * and show no stack trace or internal path; `stop()` resolves with the counts.
 */
export function watchScim(rig: Rig, everyMs = 250): { stop(): Promise<{ requests: number; statuses: Record<number, number> }> } {
  const statuses: Record<number, number> = {};
  const problems: string[] = [];
  let requests = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const res = await rig.scim('/Users?count=2&sortBy=userName');
        requests++;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status >= 500) problems.push(`SCIM answered ${res.status}: ${res.text.slice(0, 200)}`);
        const leak = leakIn(res.text);
        if (leak) problems.push(`SCIM response shows ${leak}`);
      } catch (err) {
        problems.push(`SCIM did not answer: ${String(err)}`);
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      assert.deepEqual(problems.slice(0, 5), [], `${problems.length} bad SCIM answers while the fault ran`);
      return { requests, statuses };
    },
  };
}
