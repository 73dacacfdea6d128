import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { DRIFT_KINDS, compareState, countByKind, indexSnapshot, stableJson, type StoredPerson } from '../../../src/features/reconcile/drift.ts';
import type { Affiliation, Employee, Holder, Position } from '../../../src/iga/model.ts';

const emp = (id: string, extra: Partial<Employee> = {}): Employee => ({
  id, givenName: 'Kari', familyName: `Nordmann${id}`, nin: null, externalUser: true, mainPositionId: null,
  startDate: '2020-01-01', endDate: null, secondaryPositions: [], ...extra,
});
const h = (employeeId: string, startDate: string | null, endDate: string | null = null): Holder => ({ employeeId, startDate, endDate });
const pos = (id: string, holders: Holder[]): Position => ({ id, name: `P${id}`, orgId: '1', holders });
const aff = (positionId: string, startDate: string | null, endDate: string | null = null): Affiliation => ({ positionId, startDate, endDate });

/** A consistent world: DFØ and the stores agree. */
function world() {
  const employees = [emp('1'), emp('2'), emp('3')];
  const positions = [pos('100', [h('1', '2020-01-01'), h('2', '2021-01-01', '2030-12-31')]), pos('200', [h('3', '2022-01-01'), h('1', '2019-01-01', '2019-12-31')])];
  const storedPositions = new Map(positions.map((p) => [p.id, { holders: p.holders.map((x) => ({ ...x })) }]));
  const storedPersons = new Map<string, StoredPerson>([
    ['1', { employee: emp('1'), affiliations: [aff('100', '2020-01-01'), aff('200', '2019-01-01', '2019-12-31')] }],
    ['2', { employee: emp('2'), affiliations: [aff('100', '2021-01-01', '2030-12-31')] }],
    ['3', { employee: emp('3'), affiliations: [aff('200', '2022-01-01')] }],
  ]);
  return { employees, positions, storedPositions, storedPersons };
}

const run = (w: ReturnType<typeof world>) => compareState(indexSnapshot({ employees: w.employees, positions: w.positions }), { positions: w.storedPositions, persons: w.storedPersons });

describe('reconcile drift comparison', () => {
  test('DFØ and stores agree: no drift', () => {
    assert.deepEqual(run(world()), []);
  });

  test('a person first known from a publisher (p-…) with a DFØ side is not drift: the DFØ side is compared at its own key', () => {
    const w = world();
    w.storedPersons.set('p-0b6c1a7e-1111-5222-8333-444455556666', { employee: emp('1'), affiliations: [aff('100', '2020-01-01'), aff('200', '2019-01-01', '2019-12-31')] });
    assert.deepEqual(run(w), []);
  });

  test('holder order, duplicate ranges and the order of employee fields are not drift', () => {
    const w = world();
    w.positions[0] = pos('100', [h('2', '2021-01-01', '2030-12-31'), h('1', '2020-01-01'), h('1', '2020-01-01')]);
    const e1 = emp('1');
    const reordered = Object.fromEntries(Object.entries(e1).reverse()) as unknown as Employee;
    w.storedPersons.set('1', { ...w.storedPersons.get('1')!, employee: reordered });
    assert.deepEqual(run(w), []);
  });

  test('a hire DFØ never announced: the position is stale and the new holder a missing person', () => {
    const w = world();
    w.employees.push(emp('4'));
    w.positions[0] = pos('100', [...w.positions[0]!.holders, h('4', '2026-01-01')]);
    const drifts = run(w);
    assert.deepEqual(drifts.map((d) => [d.kind, d.subject.type, d.subject.id]), [['missing-person', 'person', '4'], ['stale-position', 'position', '100']]);
    assert.deepEqual(drifts[0]!.positions, ['100']);
    assert.equal(drifts[1]!.detail, 'holders of position 100 differ: DFØ 1 [2020-01-01..open], 2 [2021-01-01..2030-12-31], 4 [2026-01-01..open]; stored 1 [2020-01-01..open], 2 [2021-01-01..2030-12-31]');
  });

  test('a position DFØ lists that the store never saw is missing; its holders are missing persons', () => {
    const w = world();
    w.employees.push(emp('5'));
    w.positions.push(pos('300', [h('5', '2024-01-01')]));
    assert.deepEqual(run(w).map((d) => [d.kind, d.subject.id]), [['missing-person', '5'], ['missing-position', '300']]);
  });

  test('a stored position without holders that DFØ does not list is not drift; with holders it is unknown', () => {
    const w = world();
    w.storedPositions.set('400', { holders: [] });
    assert.deepEqual(run(w), []);
    w.storedPositions.set('400', { holders: [h('1', '2020-01-01')] });
    w.storedPersons.set('1', { ...w.storedPersons.get('1')!, affiliations: [...w.storedPersons.get('1')!.affiliations, aff('400', '2020-01-01')] });
    assert.deepEqual(run(w).map((d) => [d.kind, d.subject.id, d.positions]), [['unknown-position', '400', undefined], ['wrong-holders', '1', ['400']]]);
  });

  test('a removed holder: stale position and wrong holders for the person still stored in it', () => {
    const w = world();
    w.positions[0] = pos('100', [h('1', '2020-01-01')]);
    const drifts = run(w);
    assert.deepEqual(drifts.map((d) => [d.kind, d.subject.id, d.positions]), [['stale-position', '100', undefined], ['wrong-holders', '2', ['100']]]);
  });

  test('a changed end date is stale position and wrong holders', () => {
    const w = world();
    w.positions[1] = pos('200', [h('3', '2022-01-01', '2026-06-30'), h('1', '2019-01-01', '2019-12-31')]);
    assert.deepEqual(run(w).map((d) => [d.kind, d.subject.id]), [['stale-position', '200'], ['wrong-holders', '3']]);
  });

  test('the positions store agrees but a person missed the holder event: wrong holders only', () => {
    const w = world();
    w.storedPersons.set('3', { employee: emp('3'), affiliations: [] });
    assert.deepEqual(run(w).map((d) => [d.kind, d.subject.id, d.positions]), [['wrong-holders', '3', ['200']]]);
  });

  test('a holder without a stored person is missing even when the positions store agrees', () => {
    const w = world();
    w.storedPersons.delete('2');
    assert.deepEqual(run(w).map((d) => [d.kind, d.subject.id, d.positions]), [['missing-person', '2', ['100']]]);
  });

  test('an employee DFØ lists who holds no position is never expected in the stores', () => {
    const w = world();
    w.employees.push(emp('9'));
    assert.deepEqual(run(w), []);
  });

  test('a stored employee DFØ no longer lists is an unknown person', () => {
    const w = world();
    w.employees = w.employees.filter((e) => e.id !== '3');
    const drifts = run(w);
    assert.deepEqual(drifts.map((d) => [d.kind, d.subject.id]), [['unknown-person', '3']]);
    assert.match(drifts[0]!.detail, /Nordmann3/);
  });

  test('a person stored without an employee record (IKKE ANSATT) is fine while DFØ does not list them', () => {
    const w = world();
    w.employees = w.employees.filter((e) => e.id !== '3');
    w.storedPersons.set('3', { employee: null, affiliations: [aff('200', '2022-01-01')] });
    assert.deepEqual(run(w), []);
  });

  test('a changed employee record is a stale person naming the fields', () => {
    const w = world();
    w.employees[1] = emp('2', { familyName: 'Hansen', endDate: '2026-12-31' });
    const drifts = run(w);
    assert.deepEqual(drifts.map((d) => [d.kind, d.subject.id, d.positions]), [['stale-person', '2', undefined]]);
    assert.match(drifts[0]!.detail, /endDate, familyName/);
  });

  test('a person stored without an employee record while DFØ lists them and they hold a position is stale (repaired via the position)', () => {
    const w = world();
    w.storedPersons.set('3', { employee: null, affiliations: [aff('200', '2022-01-01')] });
    assert.deepEqual(run(w).map((d) => [d.kind, d.subject.id, d.positions]), [['stale-person', '3', ['200']]]);
  });

  test('several ranges with the same start collapse as the person processor stores them (latest end wins)', () => {
    const w = world();
    w.positions[0] = pos('100', [h('1', '2020-01-01'), h('2', '2021-01-01', '2030-12-31'), h('2', '2021-01-01', '2025-12-31')]);
    w.storedPositions.set('100', { holders: w.positions[0]!.holders });
    assert.deepEqual(run(w), []);
  });

  test('scope limits the comparison to the subjects named', () => {
    const w = world();
    w.positions[0] = pos('100', [h('1', '2020-01-01')]);
    const dfo = indexSnapshot({ employees: w.employees, positions: w.positions });
    const scoped = compareState(dfo, { positions: w.storedPositions, persons: w.storedPersons }, { positions: new Set(['200']), persons: new Set(['2']) });
    assert.deepEqual(scoped.map((d) => [d.kind, d.subject.id]), [['wrong-holders', '2']]);
  });

  test('countByKind has every kind, zero when absent', () => {
    const counts = countByKind(run(world()));
    assert.deepEqual(Object.keys(counts), [...DRIFT_KINDS]);
    assert.ok(Object.values(counts).every((n) => n === 0));
  });

  test('stableJson ignores key order but not values', () => {
    assert.equal(stableJson({ a: 1, b: { c: 2, d: [1, 2] } }), stableJson({ b: { d: [1, 2], c: 2 }, a: 1 }));
    assert.notEqual(stableJson({ a: [1, 2] }), stableJson({ a: [2, 1] }));
  });
});
