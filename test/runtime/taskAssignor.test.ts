import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assignTasks, compareTaskIds, tasksOf, topicPartitionsOf } from '../../src/runtime/internals/taskAssignor.ts';

const taskIds = (subs: number, parts: number) => Array.from({ length: subs * parts }, (_, i) => `${Math.floor(i / parts)}_${i % parts}`);

describe('task assignor (pure)', () => {
  test('co-partitioned topics of one sub-topology go to the same member, per partition', () => {
    const subs = [{ id: 0, topics: ['raw'] }, { id: 1, topics: ['events', 'claims'] }];
    const tasks = tasksOf(subs, () => 3);
    assert.deepEqual(tasks, ['0_0', '0_1', '0_2', '1_0', '1_1', '1_2']);
    const plan = assignTasks([{ memberId: 'a', owned: [] }, { memberId: 'b', owned: [] }], tasks);
    for (const list of plan.values()) {
      const tp = topicPartitionsOf(list, subs, () => 3);
      assert.deepEqual(tp.events ?? [], tp.claims ?? [], 'events and claims partitions together');
    }
  });

  test('a member keeps its tasks when the group is unchanged', () => {
    const tasks = taskIds(2, 6);
    const first = assignTasks([{ memberId: 'a', owned: [] }, { memberId: 'b', owned: [] }, { memberId: 'c', owned: [] }], tasks);
    const again = assignTasks([...first].map(([memberId, owned]) => ({ memberId, owned })), tasks);
    assert.deepEqual(again, first);
  });

  test('a new member takes tasks only from the busiest ones; the others keep theirs', () => {
    const tasks = taskIds(1, 6);
    const plan = assignTasks([{ memberId: 'a', owned: ['0_0', '0_1', '0_2'] }, { memberId: 'b', owned: ['0_3', '0_4', '0_5'] }, { memberId: 'c', owned: [] }], tasks);
    assert.equal(plan.get('c')!.length, 2);
    for (const t of plan.get('a')!) assert.ok(['0_0', '0_1', '0_2'].includes(t));
    for (const t of plan.get('b')!) assert.ok(['0_3', '0_4', '0_5'].includes(t));
  });

  test('a task claimed by two members (a zombie) goes to one of them only', () => {
    const plan = assignTasks([{ memberId: 'a', owned: ['0_0'] }, { memberId: 'b', owned: ['0_0'] }], ['0_0', '0_1']);
    assert.deepEqual([...plan.values()].flat().sort(), ['0_0', '0_1']);
  });

  test('task ids order numerically', () => {
    assert.deepEqual(['1_10', '10_0', '1_2', '0_11'].sort(compareTaskIds), ['0_11', '1_2', '1_10', '10_0']);
  });

  test('property: every task exactly once, balanced, sticky up to the quota', () => {
    const arb = fc.record({
      subs: fc.integer({ min: 1, max: 4 }),
      parts: fc.integer({ min: 1, max: 12 }),
      members: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 7 }),
      seedOwned: fc.array(fc.array(fc.nat(60)), { minLength: 7, maxLength: 7 }),
    });
    fc.assert(fc.property(arb, ({ subs, parts, members, seedOwned }) => {
      const tasks = taskIds(subs, parts);
      const input = members.map((memberId, i) => ({ memberId, owned: seedOwned[i]!.map((n) => `${n % (subs + 1)}_${n % (parts + 2)}`) }));
      const plan = assignTasks(input, tasks);
      const flat = [...plan.values()].flat();
      assert.equal(flat.length, tasks.length, 'no task twice');
      assert.deepEqual([...flat].sort(), [...tasks].sort(), 'every task once');
      const sizes = [...plan.values()].map((l) => l.length);
      assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced: ${sizes}`);
      assert.deepEqual([...plan.keys()].sort(), [...members].sort());
      // Sticky: unchanged input → unchanged output.
      const again = assignTasks([...plan].map(([memberId, owned]) => ({ memberId, owned })), tasks);
      assert.deepEqual(again, plan);
      // Sticky: a member keeps min(quota, its valid unique claims) of what it owned, when it was the first claimer.
      const base = Math.floor(tasks.length / members.length);
      const claimed = new Set<string>();
      for (const m of [...input].sort((a, b) => (a.memberId < b.memberId ? -1 : 1))) {
        const mine = [...new Set(m.owned)].filter((t) => tasks.includes(t) && !claimed.has(t));
        for (const t of mine) claimed.add(t);
        const kept = plan.get(m.memberId)!.filter((t) => mine.includes(t)).length;
        assert.ok(kept >= Math.min(base, mine.length), `${m.memberId} kept ${kept} of ${mine.length} (base ${base})`);
      }
    }), { numRuns: 500 });
  });
});

describe('task assignor (KafkaJS protocol)', () => {
  test('members report their tasks in the join; the leader hands out whole tasks, sticky', async () => {
    const { taskAssignor } = await import('../../src/runtime/internals/assignorProtocol.ts');
    const { default: kafkajs } = await import('kafkajs');
    const subs = [{ id: 0, topics: ['raw'] }, { id: 1, topics: ['events', 'claims'] }];
    const cluster = { findTopicPartitionMetadata: (_t: string) => [0, 1, 2, 3].map((p) => ({ partitionId: p })) } as never;
    const logger = { info() {}, debug() {}, warn() {}, error() {} } as never;
    const owned: Record<string, string[]> = { m1: ['1_0', '1_1', '0_3'], m2: [] };
    const make = (m: string) => taskAssignor({ subs, ownedTasks: () => owned[m]! })({ cluster, groupId: 'g', logger });
    const topics = ['raw', 'events', 'claims'];
    const members = ['m1', 'm2'].map((m) => ({ memberId: m, memberMetadata: make(m).protocol({ topics }).metadata }));
    const result = await make('m1').assign({ members, topics });
    const got = Object.fromEntries(result.map((r) => [r.memberId, kafkajs.AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!.assignment]));
    // 8 tasks, 4 each; m1 keeps the 3 it had, and each task's topics travel together.
    assert.deepEqual(got.m1, { raw: [3], events: [0, 1, 2], claims: [0, 1, 2] });
    assert.deepEqual(got.m2, { raw: [0, 1, 2], events: [3], claims: [3] });
  });
});
