import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MATCH_KEYS, matchPerson, type KeyLookups, type MatchKey, type OfferedKeys } from '../../src/iga/matching.ts';

const nin = fc.stringMatching(/^\d{11}$/);
const person = fc.constantFrom('p1', 'p2', 'p3');
const offered: fc.Arbitrary<OfferedKeys> = fc.record({ nin, accountId: fc.uuid(), employeeNumber: fc.stringMatching(/^\d{6}$/) }, { requiredKeys: [] });
const lookups: fc.Arbitrary<KeyLookups> = fc.record({ nin: fc.array(person, { maxLength: 3 }), accountId: fc.array(person, { maxLength: 2 }), employeeNumber: fc.array(person, { maxLength: 2 }) }, { requiredKeys: [] });
const order = fc.shuffledSubarray([...MATCH_KEYS], { minLength: 1 });

/** The distinct persons an offered, used key found. */
const foundBy = (o: OfferedKeys, f: KeyLookups, keys: readonly MatchKey[], k: MatchKey) => (keys.includes(k) && o[k] !== undefined ? [...new Set(f[k] ?? [])] : []);

describe('matching a profile to one person', () => {
  test('never guessed: matched only when every used key finds at most one person, all the same, and every link finds someone', () => {
    fc.assert(fc.property(offered, lookups, order, (o, f, keys) => {
      const v = matchPerson(o, f, keys);
      const used = keys.filter((k) => o[k] !== undefined);
      const all = new Set(used.flatMap((k) => foundBy(o, f, keys, k)));
      const anyTwo = used.some((k) => foundBy(o, f, keys, k).length > 1);
      const deadLink = used.some((k) => k !== 'nin' && foundBy(o, f, keys, k).length === 0);
      if (v.kind === 'matched') {
        assert.equal(anyTwo || deadLink || all.size !== 1, false);
        assert.deepEqual([...all], [v.personId]);
        // `by` is the highest-priority used key that found the person.
        assert.equal(v.by, used.find((k) => foundBy(o, f, keys, k).length === 1));
      } else if (v.kind === 'new') {
        assert.equal(all.size, 0);
        assert.ok(used.every((k) => k === 'nin'), 'a profile with a link is never new');
      } else {
        assert.ok(anyTwo || deadLink || all.size > 1);
      }
    }), { numRuns: 3000 });
  });

  test('the verdict does not depend on the order lookups list their persons, or on duplicates in them', () => {
    fc.assert(fc.property(offered, lookups, order, (o, f, keys) => {
      const shuffled: KeyLookups = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, [...v, ...v].reverse()]));
      assert.deepEqual(matchPerson(o, shuffled, keys), matchPerson(o, f, keys));
    }));
  });

  test('the national identity number never appears in a verdict (reasons go to logs and to operators)', () => {
    fc.assert(fc.property(offered, lookups, order, (o, f, keys) => {
      fc.pre(o.nin !== undefined);
      assert.equal(JSON.stringify(matchPerson(o, f, keys)).includes(o.nin!), false);
    }), { numRuns: 2000 });
  });

  test('a key left out of the configured order is not used', () => {
    fc.assert(fc.property(offered, lookups, (o, f) => {
      assert.deepEqual(matchPerson(o, f, ['nin']), matchPerson(o.nin === undefined ? {} : { nin: o.nin }, f, ['nin']));
    }));
  });

  test('the cases the issue names', () => {
    // A student from FS the first time: nin known to nobody, no link → new.
    assert.deepEqual(matchPerson({ nin: '01019912345' }, { nin: [] }), { kind: 'new' });
    // The same person later: found by nin.
    assert.deepEqual(matchPerson({ nin: '01019912345' }, { nin: ['p1'] }), { kind: 'matched', personId: 'p1', by: 'nin' });
    // Self-service with a link to an employee number.
    assert.deepEqual(matchPerson({ employeeNumber: '100034' }, { employeeNumber: ['p2'] }), { kind: 'matched', personId: 'p2', by: 'employeeNumber' });
    // Nin and link point at different persons: held, both named.
    assert.deepEqual(matchPerson({ nin: '01019912345', employeeNumber: '100034' }, { nin: ['p1'], employeeNumber: ['p2'] }),
      { kind: 'ambiguous', reason: 'the keys disagree: nin finds p1, employeeNumber finds p2', candidates: ['p1', 'p2'] });
    // Two persons share a nin (a data error somewhere): held.
    assert.deepEqual(matchPerson({ nin: '01019912345' }, { nin: ['p2', 'p1'] }), { kind: 'ambiguous', reason: 'the nin the profile gives belongs to 2 persons', candidates: ['p1', 'p2'] });
    // A link to nobody is not a new person.
    assert.deepEqual(matchPerson({ accountId: '0b7e…' }, { accountId: [] }), { kind: 'ambiguous', reason: 'the profile links to an account no known person has', candidates: [] });
  });
});
