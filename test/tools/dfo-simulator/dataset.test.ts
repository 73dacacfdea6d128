import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { toEmployee, toPosition } from '../../../connectors/dfo/mapper.ts';
import { parseAnsatt, parseStilling } from '../../../connectors/dfo/schemas.ts';
import { generateUniversity } from '../../../tools/dfo-simulator/dataset.ts';

const today = '2026-03-01';
const uni = generateUniversity({ seed: 42, employees: 3000, positions: 2400, today });
const employees = uni.employees.map((raw) => toEmployee(parseAnsatt(raw)));
const positions = uni.positions.map((raw) => toPosition(parseStilling(raw)));

describe('generateUniversity', () => {
  test('is deterministic for a seed and differs between seeds', () => {
    assert.deepEqual(generateUniversity({ seed: 42, employees: 200, positions: 150, today }), generateUniversity({ seed: 42, employees: 200, positions: 150, today }));
    assert.notDeepEqual(generateUniversity({ seed: 43, employees: 200, positions: 150, today }), generateUniversity({ seed: 42, employees: 200, positions: 150, today }));
  });

  test('every object validates with the client schemas, in the asked numbers, with unique ids', () => {
    assert.equal(employees.length, 3000);
    assert.equal(positions.length, 2400);
    assert.equal(new Set(employees.map((e) => e.id)).size, 3000);
    assert.equal(new Set(positions.map((p) => p.id)).size, 2400);
  });

  test('names carry æ/ø/å and other letters', () => {
    const names = employees.map((e) => `${e.givenName} ${e.familyName}`).join(' ');
    for (const ch of ['æ', 'ø', 'å', 'Æ', 'Ø', 'Å', 'é', 'ü']) assert.ok(names.includes(ch), ch);
  });

  test('holders are past, current, future and open-ended; positions have several holders or none', () => {
    const holders = positions.flatMap((p) => p.holders);
    assert.ok(holders.some((h) => h.endDate !== null && h.endDate < today), 'past holder');
    assert.ok(holders.some((h) => h.startDate !== null && h.startDate > today), 'future holder');
    assert.ok(holders.some((h) => h.startDate! <= today && (h.endDate === null || h.endDate >= today)), 'current holder');
    assert.ok(holders.some((h) => h.endDate === null), 'open-ended');
    assert.ok(positions.some((p) => p.holders.length >= 3), 'several holders');
    assert.ok(positions.some((p) => p.holders.length === 0), 'vacant');
    assert.ok(positions.some((p) => new Set(p.holders.map((h) => h.employeeId)).size < p.holders.length), 'one person twice');
  });

  test('employees and positions agree; secondary positions, former staff and padded ids exist', () => {
    const byId = new Map(positions.map((p) => [p.id, p]));
    for (const e of employees) {
      for (const pid of [e.mainPositionId, ...e.secondaryPositions.map((s) => s.positionId)]) {
        if (pid === null) continue;
        assert.ok(byId.get(pid)?.holders.some((h) => h.employeeId === e.id), `${e.id} in ${pid}`);
      }
    }
    assert.ok(employees.some((e) => e.secondaryPositions.length > 0));
    assert.ok(employees.some((e) => e.mainPositionId === null && e.endDate !== null && e.endDate < today));
    assert.ok(uni.employees.some((raw) => String(raw['id']).startsWith('00')));
    assert.ok(uni.employees.some((raw) => !String(raw['id']).startsWith('0')));
    assert.ok(employees.some((e) => e.nin === null), 'test fnr');
  });
});

describe("generateUniversity with names: 'varied'", () => {
  const spec = { seed: 42, employees: 3000, positions: 2400, today };
  const varied = generateUniversity({ ...spec, names: 'varied' });

  test('only the names differ: the same ids, dates, holders and positions', () => {
    const withoutNames = (u: typeof uni) => u.employees.map(({ fornavn: _f, etternavn: _e, ...rest }) => rest);
    assert.deepEqual(withoutNames(varied), withoutNames(uni));
    assert.deepEqual(varied.positions, uni.positions);
    assert.deepEqual(generateUniversity({ ...spec, names: 'varied' }), varied);
  });

  test('names are as varied as a staff list: many distinct, common ones frequent, double and foreign names among them', () => {
    const full = varied.employees.map((e) => `${e.fornavn} ${e.etternavn}`);
    const family = varied.employees.map((e) => String(e.etternavn));
    assert.ok(new Set(full).size > 0.75 * full.length, 'most full names are distinct');
    assert.ok(new Set(family).size > 8 * new Set(uni.employees.map((e) => e.etternavn)).size, 'hundreds of family names (the simple tables have 50)');
    const hansen = family.filter((f) => f === 'Hansen').length / family.length;
    assert.ok(hansen > 0.007 && hansen < 0.02, `Hansen is the commonest, about 1 % as in Norway (${hansen})`);
    assert.ok(varied.employees.some((e) => String(e.fornavn).includes(' ')), 'double given names');
    assert.ok(varied.employees.some((e) => String(e.etternavn).includes(' ') && !/^(de|van)\b/.test(String(e.etternavn))), 'double family names');
    for (const name of ['Nguyễn', 'Wang', 'Sharma', 'Hætta']) assert.ok(family.includes(name), name);
    const parsed = varied.employees.map((raw) => toEmployee(parseAnsatt(raw)));
    assert.equal(parsed.length, 3000);
  });
});
