import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { toEmployee, toPosition } from '../../../connectors/dfo/mapper.ts';
import { parseAnsatt, parseStilling } from '../../../connectors/dfo/schemas.ts';
import { generateUniversity } from '../../../tools/dfo-simulator/dataset.ts';
import { applyQuirks, rollQuirks, type RolledQuirks } from '../../../tools/dfo-simulator/quirks.ts';
import { createRng } from '../../../tools/dfo-simulator/prng.ts';

const uni = generateUniversity({ seed: 7, employees: 60, positions: 40, today: '2026-03-01' });
const none: RolledQuirks = rollQuirks({}, createRng(1));

describe('applyQuirks', () => {
  test('without quirks an object is served as stored, and the stored object is never mutated', () => {
    const raw = uni.positions.find((p) => (p['innehaver'] as unknown[]).length === 1)!;
    const before = structuredClone(raw);
    assert.deepEqual(applyQuirks(raw, none), raw);
    applyQuirks(raw, { ...none, unwrapSingletons: true, padIds: true, isoDatetimes: true, orgField: 'orgenhet' });
    assert.deepEqual(raw, before);
  });

  test('each quirk renders as DFØ does', () => {
    const raw = { id: 30000001, stillingskode: '20001434', organisasjonId: '10000001', innehaver: [{ innehaverAnsattnr: '101926', innehaverStartdato: '2020-01-01', innehaverSluttdato: null }], stillingskat: [] };
    const q = (over: Partial<RolledQuirks>) => applyQuirks(raw, { ...none, ...over });
    assert.deepEqual(q({ unwrapSingletons: true })['innehaver'], raw.innehaver[0]);
    assert.equal(q({ nullEmptyLists: true })['stillingskat'], null);
    assert.equal('stillingskat' in q({ omitEmptyLists: true }), false);
    assert.equal(q({ numbersAsStrings: true })['id'], '30000001');
    assert.equal(q({ stringsAsNumbers: true })['stillingskode'], 20001434);
    assert.equal((q({ isoDatetimes: true })['innehaver'] as any)[0].innehaverStartdato, '2020-01-01T00:00:00.0000000+00:00');
    assert.equal((q({ openEndAsNines: true })['innehaver'] as any)[0].innehaverSluttdato, '9999-12-31');
    assert.equal((q({ padIds: true })['innehaver'] as any)[0].innehaverAnsattnr, '00101926');
    const renamed = q({ orgField: 'organisasjon_id' });
    assert.equal(renamed['organisasjon_id'], '10000001');
    assert.equal('organisasjonId' in renamed, false);
  });

  test('any mix of quirks maps to the same Employee and Position as the plain object', () => {
    const bool = fc.boolean();
    const quirks = fc.record({
      wrapInList: bool, unwrapSingletons: bool, nullEmptyLists: bool, omitEmptyLists: bool, numbersAsStrings: bool,
      stringsAsNumbers: bool, isoDatetimes: bool, openEndAsNines: bool, padIds: bool,
      orgField: fc.constantFrom(undefined, 'organisasjonId' as const, 'orgenhet' as const, 'organisasjon_id' as const),
    });
    fc.assert(
      fc.property(quirks, fc.nat(uni.employees.length - 1), fc.nat(uni.positions.length - 1), (q, ei, pi) => {
        const e = uni.employees[ei]!;
        const p = uni.positions[pi]!;
        assert.deepEqual(toEmployee(parseAnsatt(applyQuirks(e, q))), toEmployee(parseAnsatt(e)));
        assert.deepEqual(toPosition(parseStilling(applyQuirks(p, q))), toPosition(parseStilling(p)));
      }),
      { numRuns: 300 },
    );
  });

  test('probabilities are drawn from the seeded PRNG, reproducibly', () => {
    const draw = (seed: number) => Array.from({ length: 20 }, (_, i) => rollQuirks({ padIds: 0.5 }, createRng(seed + i)).padIds);
    assert.deepEqual(draw(1), draw(1));
    assert.ok(draw(1).includes(true) && draw(1).includes(false));
  });
});
