/**
 * Lifecycle over time and decisions an operator can explain (issue 5), end to end on the real
 * Kafka broker and RabbitMQ with an injectable clock and the UiO-style policy: start 6 days early,
 * 14 days' grace after the end. Checked on what leaves the system (notify events, SCIM) and on
 * the admin API's explain and upcoming answers.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { eventually } from '../support/brokers.ts';
import { ADMIN_TOKEN, ansatt, startStack, stilling, type Stack } from './stack.ts';
import { runCli } from '../support/cli.ts';

const P1 = '30000101';
const P2 = '30000102';
const OPEN = '9999-12-31';
const EVA = '200001'; // starts 2026-03-16: counts from 2026-03-10 (6 days early)
const GEIR = '200002'; // ended 2026-03-04: counts until 2026-03-18 (14 days' grace), blocked on 2026-03-19
const OLA = '200003'; // current holder of P2, removed later

describe('lifecycle over time, and explain', () => {
  let s: Stack;
  let msgP1: string;
  let msgP2: string;
  const user = async (employeeNumber: string) => (await s.scim(`/Users?employeeNumber=${employeeNumber}`)).body.Resources?.[0];
  const idOf = (e: { body: { resourceUris: string[] } }) => e.body.resourceUris[0]!.split('/').pop()!;
  const eventsOf = (accountId: string) => s.events.filter((e) => idOf(e) === accountId);
  /** Explain, retried while the replicas catch up (503) or have not yet seen `until`. */
  const explain = async (who: string, until: (x: any) => boolean = () => true, query = '') =>
    eventually(`explain ${who}${query}`, async () => {
      const r = await s.admin(`/explain/${encodeURIComponent(who)}${query}`);
      return r.status === 200 && until(r.body) ? r.body : undefined;
    });

  beforeAll(async () => {
    s = await startStack({ start: '2026-03-02T09:00:00Z', policy: { startOffsetDays: 6, endGraceDays: 14, version: 'uio-e2e' } });
    await s.sim.upsertEmployee(ansatt(EVA, 'Eva', 'Tidlig'));
    await s.sim.upsertEmployee(ansatt(GEIR, 'Geir', 'Nåde'));
    await s.sim.upsertEmployee(ansatt(OLA, 'Ola', 'Flytter'));
    await s.sim.upsertPosition(stilling(P1, [[EVA, '2026-03-16', OPEN], [GEIR, '2024-01-01', '2026-03-04']]));
    await s.sim.upsertPosition(stilling(P2, [[OLA, '2025-01-01', OPEN]]));
    msgP1 = (await s.sim.publish('stillinger', P1)).messageId;
    msgP2 = (await s.sim.publish('stillinger', P2)).messageId;
    await eventually('2 CREATE events', () => s.events.filter((e) => e.body.type === 'CREATE').length >= 2);
    await s.quiesce();
  });
  afterAll(async () => { await s?.close(); });

  test('the policy in force answers with its version; explain needs an admin token', async () => {
    const p = await s.admin('/policy');
    assert.equal(p.status, 200);
    assert.equal(p.body.version, 'uio-e2e');
    assert.equal(p.body.policy.startOffsetDays, 6);
    assert.equal(p.body.policy.endGraceDays, 14);
    assert.equal((await s.admin('/policy', 'e2e-secret')).status, 401, 'a SCIM token never opens the admin API');
  });

  test('initial load: the current holder (in grace) gets an account, the future holder not yet', async () => {
    assert.equal(s.events.filter((e) => e.body.type === 'CREATE').length, 2);
    assert.equal((await user(GEIR)).active, true, 'ended 2026-03-04 but within 14 days\' grace');
    assert.equal((await user(OLA)).active, true);
    assert.equal(await user(EVA), undefined);
  });

  test('upcoming lists the early start and the end of the grace beforehand, on the right day', async () => {
    // Until the replicas caught up the answer is 503 (or may miss a timer): wait for both changes, then check them exactly.
    const seventeen = await eventually('upcoming to list two changes', async () => {
      const r = await s.admin('/upcoming?days=17');
      return r.status === 200 && r.body.changes.length >= 2 ? r.body : undefined;
    });
    assert.equal(seventeen.today, '2026-03-02');
    assert.equal(seventeen.until, '2026-03-19');
    assert.equal(seventeen.policyVersion, 'uio-e2e');
    assert.deepEqual(seventeen.changes.map((c: any) => [c.day, c.change, c.employeeId]), [['2026-03-10', 'create', EVA], ['2026-03-19', 'block', GEIR]]);
    const block = seventeen.changes[1];
    assert.equal(block.userName, (await user(GEIR)).userName);
    assert.match(block.why, /has no affiliation active on 2026-03-19/);
    assert.deepEqual(seventeen.summary, { create: 1, block: 1, reactivate: 0 });
    // The window's last day is included, the day after it is not.
    assert.deepEqual((await s.admin('/upcoming?days=8')).body.changes.map((c: any) => c.day), ['2026-03-10']);
    assert.deepEqual((await s.admin('/upcoming?days=7')).body.changes, []);
    assert.deepEqual((await s.admin('/upcoming')).body.days, 7, 'default window');
    const bad = await s.admin('/upcoming?days=1000');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /days/);
  });

  test('explain names the inputs of each decision down to the RabbitMQ message id, the raw event and the notify event', async () => {
    const x = await explain(`00${GEIR}`, (b) => b.historyTotal >= 2);
    const account = await user(GEIR);
    assert.equal(x.resolvedBy, 'employeeId');
    assert.equal(x.person.employeeId, GEIR);
    assert.equal(x.person.displayName, 'Geir Nåde');
    assert.deepEqual([x.account.id, x.account.userName, x.account.active, x.account.version], [account.id, account.userName, true, 1]);
    assert.equal(x.policy.version, 'uio-e2e');
    // Affiliations with their dates and why they count today.
    assert.equal(x.today, '2026-03-02');
    assert.deepEqual(x.evaluation.affiliations.map((a: any) => [a.positionId, a.startDate, a.endDate, a.countsUntil, a.counts]), [[P1, '2024-01-01', '2026-03-04', '2026-03-18', true]]);
    assert.match(x.evaluation.affiliations[0].why, /14 days' grace/);
    assert.deepEqual([x.evaluation.outcome, x.evaluation.rule], ['no change', 'up-to-date']);
    // History, newest first: the create (caused by the username grant, claimed on the P1 event), then the claim.
    const [create, claim] = x.history;
    assert.deepEqual([create.decision, create.rule, claim.decision], ['create', 'create-granted', 'request-username']);
    assert.deepEqual(x.current, create);
    assert.equal(claim.policyVersion, 'uio-e2e');
    assert.equal(claim.cause.kind, 'stillinger');
    assert.equal(claim.cause.id, P1);
    assert.equal(claim.cause.amqpMessageId, msgP1, 'the RabbitMQ message id returned by the publish');
    const raw = claim.rawEvent;
    assert.equal(raw.found, true);
    assert.equal(raw.topic, topicNames(s.appId).raw);
    assert.equal(raw.offset, claim.cause.raw.offset);
    assert.equal(raw.partition, claim.cause.raw.partition);
    assert.equal(raw.key, `stillinger:${P1}`);
    assert.equal(raw.value.kind, 'stillinger');
    assert.equal(raw.value.source.messageId, msgP1, 'the raw event itself, read back from its topic');
    assert.deepEqual(claim.dfoResponses.map((d: any) => [d.resource, d.id]), [['stillinger', P1], ['ansatte', GEIR]]);
    assert.equal(Number(claim.dfoResponses[0].response.id), Number(P1));
    assert.equal(claim.dfoResponses[1].response.fornavn, 'Geir');
    // The create links to the notify event that left on RabbitMQ, and back to the claim's DFØ event.
    const [sent] = eventsOf(account.id);
    assert.equal(create.notify.eventId, sent!.messageId);
    assert.equal(create.notify.type, 'CREATE');
    assert.equal(create.cause.via.amqpMessageId, msgP1);
    assert.equal(create.viaRawEvent.value.source.messageId, msgP1);
    assert.equal(create.accountVersion, 1);
  });

  test('the same person by account id and by userName (with or without the domain); an unknown person is 404', async () => {
    const account = await user(OLA);
    const byId = await explain(account.id);
    const byName = await explain(account.userName);
    const byLocal = await explain(account.userName.split('@')[0]);
    assert.deepEqual([byId.resolvedBy, byName.resolvedBy, byLocal.resolvedBy], ['accountId', 'userName', 'userName']);
    for (const x of [byId, byName, byLocal]) assert.equal(x.person.employeeId, OLA);
    const unknown = await s.admin('/explain/999999');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error, /no person, account or userName matches '999999'/);
    assert.equal((await s.admin('/explain/nobody@uib.no')).status, 404);
    assert.equal((await s.admin(`/explain/${OLA}?at=2026-02-30`)).status, 400);
  });

  test('explain --at answers as the policy would on that day, from the stored affiliations', async () => {
    const stored = (b: any) => b.evaluation.affiliations.length === 1;
    const before = await explain(EVA, stored, '?at=2026-03-09');
    assert.deepEqual([before.at, before.today, before.evaluation.outcome, before.account], ['2026-03-09', '2026-03-02', 'no change', null]);
    assert.equal(before.evaluation.affiliations[0].standing, 'not-started');
    assert.equal(before.evaluation.affiliations[0].countsFrom, '2026-03-10');
    const on = await explain(EVA, stored, '?at=2026-03-10');
    assert.deepEqual([on.evaluation.outcome, on.evaluation.rule, on.evaluation.eligible], ['create', 'request-username', true]);
    assert.deepEqual((await explain(GEIR, stored, '?at=2026-03-18')).evaluation.outcome, 'no change');
    const blocked = await explain(GEIR, stored, '?at=2026-03-19');
    assert.deepEqual([blocked.evaluation.outcome, blocked.evaluation.rule], ['block', 'block-not-eligible']);
    assert.deepEqual(blocked.evaluation.affiliations.map((a: any) => a.standing), ['ended']);
    // Eva has no account yet; her one decision says why.
    const eva = await explain(EVA, (b) => b.historyTotal >= 1);
    assert.deepEqual([eva.current.decision, eva.current.rule], ['none', 'not-eligible']);
    assert.equal(eva.current.cause.amqpMessageId, msgP1);
    assert.deepEqual(eva.upcoming.map((u: any) => [u.day, u.change]), [['2026-03-10', 'create']]);
  });

  test('a start date crossing while the service runs: the account is created 6 days before the start date', async () => {
    s.clock.set('2026-03-09T12:00:00Z');
    await s.quiesce();
    assert.equal(await user(EVA), undefined, 'not on 2026-03-09');
    s.clock.set('2026-03-09T23:30:00Z'); // 00:30 on 2026-03-10 in Oslo
    const eva = await eventually('CREATE for the early start', () => user(EVA));
    assert.equal(eva.active, true);
    assert.equal(eva.userName, 'evatid@uib.no');
    const x = await explain(EVA, (b) => b.current?.decision === 'create');
    assert.equal(x.current.today, '2026-03-10');
    assert.equal(x.current.cause.kind, 'username');
    assert.deepEqual([x.current.cause.via.kind, x.current.cause.via.id], ['timer', '2026-03-10']);
    assert.equal(x.current.notify.eventId, eventsOf(eva.id)[0]?.messageId);
    assert.equal(x.history[1].rule, 'request-username');
    assert.match(x.history[1].detail, /1 affiliation active on 2026-03-10: 30000101 \[2026-03-16\.\.open\]/);
  });

  test('an end date crossing across a restart: blocked only when the grace has run out, with the clock moved while down', async () => {
    const geir = await user(GEIR);
    s.clock.set('2026-03-18T12:00:00Z');
    await s.quiesce();
    assert.equal((await s.scim(`/Users/${geir.id}`)).body.active, true, 'still in grace on 2026-03-18');
    const up = await s.admin('/upcoming?days=1');
    assert.deepEqual(up.body.changes.map((c: any) => [c.day, c.change, c.employeeId]), [['2026-03-19', 'block', GEIR]]);
    await s.restart(() => s.clock.set('2026-03-19T06:00:00Z'));
    await eventually('MODIFY that blocks after the grace', () => eventsOf(geir.id).find((e) => e.body.type === 'MODIFY'));
    await s.quiesce();
    const now = (await s.scim(`/Users/${geir.id}`)).body;
    assert.equal(now.active, false);
    assert.equal(now.userName, geir.userName);
    const x = await explain(GEIR, (b) => b.current?.decision === 'block');
    assert.deepEqual([x.current.rule, x.current.today, x.current.cause.kind, x.current.cause.id], ['block-not-eligible', '2026-03-19', 'timer', '2026-03-19']);
    assert.equal(x.current.notify.eventId, `${geir.id}:v2`);
    assert.deepEqual(x.current.notify.attributes, ['active', 'no:edu:scim:user:employeeNumber']);
    assert.equal(x.account.active, false);
    assert.ok(x.historyTotal >= 3, 'history survives the restart (replica checkpoint)');
  });

  test('a removal: the block decision names the message id, raw event, DFØ response and notify event together', async () => {
    const ola = await user(OLA);
    await s.sim.upsertPosition(stilling(P2, []));
    const { messageId } = await s.sim.publish('stillinger', P2);
    assert.notEqual(messageId, msgP2);
    const sent = await eventually('MODIFY for the removed holder', () => eventsOf(ola.id).find((e) => e.body.type === 'MODIFY'));
    const x = await explain(ola.userName, (b) => b.current?.decision === 'block');
    const d = x.current;
    assert.equal(d.cause.amqpMessageId, messageId);
    assert.equal(d.rawEvent.found, true);
    assert.equal(d.rawEvent.value.source.messageId, messageId);
    assert.deepEqual(d.dfoResponses.map((r: any) => r.resource), ['stillinger']);
    assert.equal(d.notify.eventId, sent.messageId);
    assert.match(d.detail, /has no affiliation active/);
  });

  test('the CLI (a child process) renders explain and upcoming with a summary line, and fails clearly', async () => {
    // The SCIM account replica follows the accounts topic on its own; wait until it shows the block too.
    const x = await explain(OLA, (b) => b.current?.decision === 'block' && b.account?.active === false);
    const ola = x.account; // a blocked account no longer shows its employeeNumber in SCIM
    const env = { IGA_ADMIN_URL: s.service.adminUrl!, IGA_ADMIN_TOKEN: ADMIN_TOKEN };
    const out = await runCli(['explain', `00${OLA}`], env);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, new RegExp(`^Person {4}${OLA} Ola Flytter \\(known to DFØ, eksternbruker yes; found by employeeId\\)`, 'm'));
    assert.match(out.stdout, new RegExp(`^Account {3}${ola.userName} {2}BLOCKED {2}id ${ola.id}`, 'm'));
    assert.match(out.stdout, /^Policy {4}uio-e2e: starts 6 days early, 14 days' grace/m);
    assert.match(out.stdout, /^Affiliations on 2026-03-19 \(today\)\n {2}none stored$/m);
    assert.match(out.stdout, /^Decision on 2026-03-19: the rules say no change \(rule up-to-date, policy uio-e2e\)$/m);
    assert.match(out.stdout, new RegExp(`cause {7}stillinger ${P2} {2}AMQP message id ${x.current.cause.amqpMessageId}`));
    assert.match(out.stdout, new RegExp(`raw event {3}${topicNames(s.appId).raw.replace(/\./g, '\\.')}\\[${x.current.rawEvent.partition}\\]@${x.current.rawEvent.offset} {2}key stillinger:${P2}`));
    assert.match(out.stdout, new RegExp(`DFØ {9}stillinger ${P2}: gone \\(UBESATT STILLING\\)`), 'a position without holders is vacant');
    assert.match(out.stdout, new RegExp(`DFØ {9}ansatte ${OLA}: Ola Flytter, employed until 9999-12-31`));
    assert.match(out.stdout, new RegExp(`claimed on  stillinger ${P2} {2}AMQP message id ${msgP2}`));
    assert.match(out.stdout, new RegExp(`notify {6}MODIFY ${ola.id}:v2 \\[active, no:edu:scim:user:employeeNumber\\]`));
    const lines = out.stdout.trimEnd().split('\n');
    assert.equal(lines.at(-1), `explain: ${OLA} Ola Flytter has a blocked account ${ola.userName}; today the rules say no change (up-to-date); ${x.historyTotal} decisions on record`);

    const json = await runCli(['explain', ola.userName, '--json', '--at', '2026-04-01'], env);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).at, '2026-04-01');
    assert.match(json.stderr, /on 2026-04-01 the rules would say no change/);

    const up = await runCli(['upcoming', '--days', '30'], env);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /^Upcoming account changes 2026-03-19 \.\. 2026-04-18 \(30 days, policy uio-e2e\)$/m);
    assert.match(up.stdout.trimEnd().split('\n').at(-1)!, /^upcoming: 0 create, 0 block, 0 reactivate in the next 30 days \(until 2026-04-18; \d+ persons with timers\)$/);

    const unknown = await runCli(['explain', '999999'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^iga-stream: GET \/admin\/explain\/999999 failed with 404: no person, account or userName matches '999999'/);
    const badToken = await runCli(['explain', OLA], { ...env, IGA_ADMIN_TOKEN: 'wrong' });
    assert.equal(badToken.code, 2);
    assert.match(badToken.stderr, /refused the admin token/);
    const usage = await runCli(['explain'], env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /usage: iga-stream explain/);
  });
});

