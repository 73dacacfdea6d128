/** The eduPersonAffiliation rule the drivers apply (src/iga/destinationAffiliations.ts), exhaustively. */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  affiliationProblems, DEFAULT_EMPLOYEE_AFFILIATIONS, destinationAffiliations, EDU_PERSON_AFFILIATIONS, type EduPersonAffiliation,
} from '../../src/iga/destinationAffiliations.ts';

const someValues = fc.subarray([...EDU_PERSON_AFFILIATIONS] as EduPersonAffiliation[], { minLength: 1 });

describe('destinationAffiliations', () => {
  test('an active account carries employee, staff and member by default', () => {
    assert.deepEqual(destinationAffiliations({ active: true }), ['staff', 'member', 'employee']);
    assert.deepEqual([...DEFAULT_EMPLOYEE_AFFILIATIONS].sort(), ['employee', 'member', 'staff']);
  });

  test('a blocked account carries none, whatever the setting', () => {
    fc.assert(fc.property(someValues, (values) => destinationAffiliations({ active: false }, values).length === 0));
  });

  test('an active account carries exactly the configured values, once each, in the vocabulary\'s order', () => {
    fc.assert(fc.property(someValues, fc.boolean(), (values, shuffle) => {
      const given = shuffle ? [...values].reverse() : values;
      const out = destinationAffiliations({ active: true }, given);
      assert.deepEqual([...out].sort(), [...new Set(values)].sort());
      assert.deepEqual(out, EDU_PERSON_AFFILIATIONS.filter((v) => out.includes(v)));
    }));
  });
});

describe('affiliationProblems (the IGA_DRIVER_AFFILIATIONS setting)', () => {
  test('every non-empty list of distinct vocabulary values is valid', () => {
    fc.assert(fc.property(someValues, (values) => affiliationProblems(values).length === 0));
  });

  test('an empty list, an unknown value and a repeated value are each named', () => {
    assert.match(affiliationProblems([]).join(), /at least one value/);
    assert.deepEqual(affiliationProblems(['employee', 'teacher']), [`'teacher' is not an eduPersonAffiliation value (${EDU_PERSON_AFFILIATIONS.join(', ')})`]);
    assert.deepEqual(affiliationProblems(['member', 'member']), ["'member' is given twice"]);
    fc.assert(fc.property(fc.string().filter((s) => !(EDU_PERSON_AFFILIATIONS as readonly string[]).includes(s)), (bad) => affiliationProblems(['staff', bad]).length === 1));
  });
});

describe('destinationAffiliations with the kinds of affiliation from every source (publishers)', () => {
  const kinds = fc.subarray(['employee', 'student', 'guest'] as const);
  test('property: the union of each kind\'s values, in the vocabulary\'s order; an account without kinds is an employee\'s; blocked carries none', () => {
    fc.assert(fc.property(kinds, fc.boolean(), (ks, active) => {
      const got = destinationAffiliations({ active, affiliationKinds: ks });
      if (!active) return assert.deepEqual(got, []);
      const want = new Set<string>([...(ks.includes('employee') ? DEFAULT_EMPLOYEE_AFFILIATIONS : []), ...(ks.includes('student') ? ['student', 'member'] : []), ...(ks.includes('guest') ? ['affiliate'] : [])]);
      assert.deepEqual(got, EDU_PERSON_AFFILIATIONS.filter((v) => want.has(v)));
    }));
    assert.deepEqual(destinationAffiliations({ active: true }), destinationAffiliations({ active: true, affiliationKinds: ['employee'] }));
    assert.deepEqual(destinationAffiliations({ active: true, affiliationKinds: ['student', 'guest'] }), ['student', 'member', 'affiliate']);
  });
});
