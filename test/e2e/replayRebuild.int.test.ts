/**
 * Rebuild and reprocess (issue 3, part 5) on a running deployment of two instances in one group,
 * end to end on the real Kafka broker, RabbitMQ and the DFØ simulator:
 * - `iga-stream rebuild` wipes every instance's local stores and restores them from the
 *   changelogs; the SHA-256 digests of every store are byte-identical before and after;
 * - `iga-stream reprocess --from` runs every raw DFØ event again: ids and usernames of existing
 *   accounts stay, no CREATE is sent, and a change DFØ made meanwhile arrives as a MODIFY whose
 *   audit cause says it was replayed.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { topicNames } from '../../src/topology/contracts/topics.ts';
import { renderHistoryEntry } from '../../src/cli/commands/explainReport.ts';
import { eventually } from '../support/brokers.ts';
import { ADMIN_TOKEN, startCluster, type Cluster } from './cluster.ts';
import { ansatt, stilling } from './stack.ts';
import { runCli } from '../support/cli.ts';
import { testCommitMode } from '../support/commitMode.ts';

const P1 = '30000201';
const P2 = '30000202';
const OPEN = '9999-12-31';
const PEOPLE: Array<[string, string, string]> = [
  ['300001', 'Kari', 'Nordmann'], ['300002', 'Ola', 'Nordmann'], ['300003', 'Åse', 'Ødegård'],
  ['300004', 'Per', 'Hansen'], ['300005', 'Liv', 'Berg'], ['300006', 'Nils', 'Dahl'],
];
const RENAMED = '300004';

// The commit mode: IGA_TEST_PROCESSING_GUARANTEE (test/support/commitMode.ts).
describe(`rebuild and reprocess on a running deployment of two instances (${testCommitMode()})`, () => {
  let c: Cluster;
  const creates = () => c.events.filter((e) => e.body.type === 'CREATE');
  const digestMap = async () => {
    const out = new Map<string, { records: number; sha256: string }>();
    for (let i = 0; i < c.instances.length; i++) {
      const r = await c.admin(i, 'GET', '/stores');
      assert.equal(r.status, 200);
      for (const d of r.body.stores) {
        assert.ok(!out.has(`${d.task}/${d.store}`), `task ${d.task} is on one instance only`);
        out.set(`${d.task}/${d.store}`, { records: d.records, sha256: d.sha256 });
      }
    }
    return out;
  };
  const accounts = async () => {
    const r = await c.scim('/Users?count=100');
    assert.equal(r.status, 200);
    return new Map<string, { id: string; userName: string; familyName: string }>(
      r.body.Resources.map((u: any) => [u['no:edu:scim:user'].employeeNumber, { id: u.id, userName: u.userName, familyName: u.name.familyName }]));
  };

  beforeAll(async () => {
    // 3 partitions on 2 members: the task-aware assignor must keep raw[p] and replay[p] together.
    c = await startCluster({ start: '2026-03-02T09:00:00Z', instances: 2, partitions: 3 });
    for (const [id, first, last] of PEOPLE) await c.sim.upsertEmployee(ansatt(id, first, last));
    await c.sim.upsertPosition(stilling(P1, PEOPLE.slice(0, 3).map(([id]) => [id, '2020-01-01', OPEN])));
    await c.sim.upsertPosition(stilling(P2, PEOPLE.slice(3).map(([id]) => [id, '2024-01-01', OPEN])));
    await c.sim.publish('stillinger', P1);
    await c.sim.publish('stillinger', P2);
    // Known persons: DFØ says nothing new, so these change nothing now; reprocess replays them later.
    await eventually('6 CREATE events', () => creates().length >= PEOPLE.length, 60_000);
    for (const [id] of PEOPLE) await c.sim.publish('ansatte', id);
    await c.quiesce();
  });
  afterAll(async () => { await c?.close(); });

  test('the load created one account per person, and both instances hold stores', async () => {
    assert.equal(creates().length, PEOPLE.length);
    assert.equal((await accounts()).size, PEOPLE.length);
    for (let i = 0; i < 2; i++) assert.ok(c.instances[i]!.streams.taskIds().length > 0, `instance ${i + 1} owns tasks`);
  });

  test('rebuild restores every store of both instances byte-identical (SHA-256 per store)', async () => {
    const before = await digestMap();
    assert.ok([...before.values()].reduce((n, d) => n + d.records, 0) > PEOPLE.length * 3, 'the stores hold the load');
    for (const store of ['persons', 'accounts', 'positions', 'usernames']) {
      assert.ok([...before].some(([k, d]) => k.endsWith(`/${store}`) && d.records > 0), `${store} has records`);
    }
    const run = await runCli(['rebuild', '--json', '--admin-url', c.instances.map((s) => s.adminUrl).join(',')], { IGA_ADMIN_TOKEN: ADMIN_TOKEN });
    assert.equal(run.code, 0, run.stderr);
    process.stderr.write(run.stderr);
    const total = [...before.values()].reduce((n, d) => n + d.records, 0);
    assert.match(run.stderr, new RegExp(`rebuild: done on 2 instance\\(s\\): \\d+ tasks, ${before.size} stores, ${total} records`));
    assert.match(run.stderr, /rebuild task \d+_\d+: /, 'progress per task');
    // The digests the rebuild took of the freshly restored stores, and the ones asked for now.
    const restored = new Map<string, { records: number; sha256: string }>();
    for (const r of JSON.parse(run.stdout)) for (const d of r.digests) restored.set(`${d.task}/${d.store}`, { records: d.records, sha256: d.sha256 });
    assert.deepEqual(restored, before);
    assert.deepEqual(await digestMap(), before);
    // Still processing after the rebuild: a new holder gets an account.
    await c.sim.upsertEmployee(ansatt('300007', 'Siri', 'Ny'));
    await c.sim.upsertPosition(stilling(P1, [...PEOPLE.slice(0, 3), ['300007']].map(([id]) => [id!, '2020-01-01', OPEN])));
    await c.sim.publish('stillinger', P1);
    await eventually('the CREATE of the new holder', () => creates().length === PEOPLE.length + 1, 60_000);
    await c.quiesce();
  });

  test('reprocess from the start keeps every id and userName, sends no CREATE, and marks its causes as replayed', async () => {
    const beforeAccounts = await accounts();
    const eventsBefore = c.events.length;
    const notifyBefore = await c.readTopic(topicNames(c.appId).notify);
    const rawCount = (await c.readTopic(topicNames(c.appId).raw)).length;
    // DFØ changed a name without telling us: the replayed `ansatte` event picks it up.
    await c.sim.upsertEmployee(ansatt(RENAMED, 'Per', 'Hansen-Lie'));

    const run = await runCli(['reprocess', '--from', '2020-01-01', '--admin-url', c.instances[1]!.adminUrl!], { IGA_ADMIN_TOKEN: ADMIN_TOKEN });
    assert.equal(run.code, 0, run.stderr);
    process.stderr.write(run.stderr);
    assert.match(run.stderr, new RegExp(`reprocess: ${rawCount} raw events since \\S+ from 3 partitions`));
    assert.match(run.stderr, /reprocess partition 2: /, 'progress per partition');
    const runId = /as run (\S+);/.exec(run.stderr)?.[1];
    assert.ok(runId, 'the summary names the reprocess run');
    const replayed = await c.readTopic(topicNames(c.appId).replay);
    assert.equal(replayed.length, rawCount);
    assert.ok(replayed.every((r) => r.headers['iga-replay-topic'] === topicNames(c.appId).raw && /^\d+$/.test(r.headers['iga-replay-offset'] ?? '') && r.headers['iga-replay-run'] === runId));

    await eventually('the MODIFY of the renamed person', async () => (await accounts()).get(RENAMED)?.familyName === 'Hansen-Lie', 60_000);
    await c.quiesce();
    const afterAccounts = await accounts();
    assert.equal(afterAccounts.size, beforeAccounts.size);
    for (const [employee, a] of beforeAccounts) {
      assert.equal(afterAccounts.get(employee)?.id, a.id, `${employee} keeps the account id`);
      assert.equal(afterAccounts.get(employee)?.userName, a.userName, `${employee} keeps the userName`);
    }
    const newEvents = c.events.slice(eventsBefore);
    assert.equal(newEvents.filter((e) => e.body.type === 'CREATE').length, 0, 'no CREATE on RabbitMQ');
    assert.deepEqual(newEvents.map((e) => e.body.type), ['MODIFY'], 'one MODIFY: the renamed person');
    const notifyAfter = await c.readTopic(topicNames(c.appId).notify);
    assert.equal(notifyAfter.filter((n) => n.value.type === 'CREATE').length, notifyBefore.filter((n) => n.value.type === 'CREATE').length, 'no CREATE on the notify topic');

    const audit = (await c.readTopic(topicNames(c.appId).audit)).filter((a) => a.key === RENAMED);
    const last = audit[audit.length - 1]!.value;
    assert.equal(last.decision, 'modify');
    assert.equal(last.cause.kind, 'ansatte');
    assert.equal(last.cause.raw.topic, topicNames(c.appId).replay);
    assert.equal(last.cause.replayOf.topic, topicNames(c.appId).raw);
    assert.equal(last.cause.replayOf.partition, last.cause.raw.partition);
    assert.equal(last.cause.replayRun, runId);
    // explain (from any instance) shows the decision as caused by a replayed event.
    const x = await eventually('explain to show the replayed MODIFY', async () => {
      const r = await c.admin(1, 'GET', `/explain/${RENAMED}`);
      return r.status === 200 && r.body.history[0]?.decision === 'modify' ? r.body : undefined;
    });
    assert.deepEqual(x.history[0].cause.replayOf, last.cause.replayOf);
    const rendered = renderHistoryEntry(x.history[0]).join('\n');
    assert.match(rendered, new RegExp(`replayed    by reprocess ${runId}, from ${topicNames(c.appId).raw.replaceAll('.', '\\.')}\\[\\d\\]@\\d+`));
  });
});

