import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { attributesSet, authorityProblems, mergeByAuthority, PROFILE_ATTRIBUTES, ruleProblems, type AuthorityRules, type ProfileAttribute } from '../../src/iga/authority.ts';

const PUBLISHERS = ['dfo', 'fs', 'guest-portal', 'self-service'] as const;
const publisher = fc.constantFrom(...PUBLISHERS);
const attribute = fc.constantFrom(...PROFILE_ATTRIBUTES);

/** Any rules over the sample publishers: per attribute maybe a rule, writers a unique list, requiredFrom a subset of them. */
const rules: fc.Arbitrary<AuthorityRules> = fc.dictionary(attribute, fc.uniqueArray(publisher, { minLength: 1, maxLength: 4 }).chain((writers) =>
  fc.subarray(writers).map((requiredFrom) => ({ writers, requiredFrom }))), { maxKeys: PROFILE_ATTRIBUTES.length }) as fc.Arbitrary<AuthorityRules>;
const present = fc.uniqueArray(attribute, { maxLength: PROFILE_ATTRIBUTES.length });
const value = fc.oneof(fc.string({ minLength: 1, maxLength: 5 }), fc.constant(null), fc.constant(undefined));
const profiles = fc.dictionary(publisher, fc.dictionary(attribute, value));

describe('authority: which publisher may set which attribute (all or nothing)', () => {
  test('a profile is allowed exactly when every attribute it sets names its publisher as a writer and it lacks none it must send', () => {
    fc.assert(fc.property(rules, publisher, present, (r, p, attrs) => {
      const allowed = attrs.every((a) => r[a]?.writers.includes(p)) && PROFILE_ATTRIBUTES.every((a) => !r[a]?.requiredFrom.includes(p) || attrs.includes(a));
      assert.equal(authorityProblems(r, p, attrs).length === 0, allowed);
    }), { numRuns: 2000 });
  });

  test('every reason names its attribute, and there is one reason per offending attribute', () => {
    fc.assert(fc.property(rules, publisher, present, (r, p, attrs) => {
      const reasons = authorityProblems(r, p, attrs);
      const notOwned = attrs.filter((a) => !r[a]?.writers.includes(p));
      const missing = PROFILE_ATTRIBUTES.filter((a) => r[a]?.requiredFrom.includes(p) && !attrs.includes(a));
      assert.deepEqual(reasons.map((x) => x.split(':')[0]).sort(), [...notOwned, ...missing].sort());
      assert.equal(reasons.length, notOwned.length + missing.length);
    }), { numRuns: 2000 });
  });

  test('the reasons do not depend on the order the attributes are listed in', () => {
    fc.assert(fc.property(rules, publisher, present, (r, p, attrs) => {
      assert.deepEqual(authorityProblems(r, p, [...attrs].reverse()), authorityProblems(r, p, attrs));
    }));
  });

  test('the sample case: self-service setting the employee number is refused whole, naming employeeNumber and its owner', () => {
    const r: AuthorityRules = { preferredName: { writers: ['self-service'], requiredFrom: [] }, employeeNumber: { writers: ['dfo'], requiredFrom: [] } };
    assert.deepEqual(authorityProblems(r, 'self-service', ['preferredName']), []);
    assert.deepEqual(authorityProblems(r, 'self-service', ['preferredName', 'employeeNumber']), ['employeeNumber: owned by dfo; self-service may not set it']);
    assert.deepEqual(authorityProblems(r, 'self-service', ['mobile']), ['mobile: no publisher may set it']);
    assert.deepEqual(authorityProblems({ studentNumber: { writers: ['fs'], requiredFrom: ['fs'] } }, 'fs', []), ['studentNumber: fs must send it, and this profile lacks it']);
  });

  test('attributesSet counts present values only (null and undefined are not set), and ignores the envelope', () => {
    assert.deepEqual(attributesSet({ sourceId: 'x', nin: '1', givenName: 'A', mobile: null, mail: undefined, guest: {} }), ['givenName', 'guest']);
  });
});

describe('authority merge: the first writer with a value wins', () => {
  test('each merged value comes from the highest-priority writer that has one, and from no one else', () => {
    fc.assert(fc.property(rules, profiles, (r, by) => {
      const merged = mergeByAuthority(r, by);
      for (const a of PROFILE_ATTRIBUTES) {
        const first = (r[a]?.writers ?? []).find((w) => by[w]?.[a] !== undefined && by[w]?.[a] !== null);
        if (first === undefined) assert.equal(merged[a], undefined);
        else assert.deepEqual(merged[a], { value: by[first]![a], source: first });
      }
    }), { numRuns: 2000 });
  });

  test('a source that is not a writer never changes the result, whatever it sends', () => {
    fc.assert(fc.property(rules, profiles, attribute, publisher, fc.string(), (r, by, a, intruder, v) => {
      fc.pre(!(r[a]?.writers ?? []).includes(intruder));
      const before = mergeByAuthority(r, by)[a as ProfileAttribute];
      const after = mergeByAuthority(r, { ...by, [intruder]: { ...by[intruder], [a]: v } })[a as ProfileAttribute];
      assert.deepEqual(after, before);
    }), { numRuns: 1000 });
  });

  test('a lower-priority source changes nothing while a higher one has a value; the order sources are given in does not matter', () => {
    fc.assert(fc.property(rules, profiles, (r, by) => {
      const reversed = Object.fromEntries(Object.entries(by).reverse());
      assert.deepEqual(mergeByAuthority(r, reversed), mergeByAuthority(r, by));
      for (const a of PROFILE_ATTRIBUTES) {
        const m = mergeByAuthority(r, by)[a];
        if (!m) continue;
        const writers = r[a]!.writers;
        for (const lower of writers.slice(writers.indexOf(m.source) + 1)) {
          assert.deepEqual(mergeByAuthority(r, { ...by, [lower]: { ...by[lower], [a]: 'changed' } })[a], m);
        }
      }
    }), { numRuns: 1000 });
  });

  test('merging is idempotent: the merged values, fed back as their sources, merge to themselves', () => {
    fc.assert(fc.property(rules, profiles, (r, by) => {
      const merged = mergeByAuthority(r, by);
      const back: Record<string, Record<string, unknown>> = {};
      for (const [a, m] of Object.entries(merged)) (back[m.source] ??= {})[a] = m.value;
      assert.deepEqual(mergeByAuthority(r, back), merged);
    }));
  });

  test('rule problems: a required publisher that may not write, a writer named twice', () => {
    assert.deepEqual(ruleProblems({ mobile: { writers: ['fs', 'fs'], requiredFrom: ['self-service'] } }), ['mobile: a writer is named twice', 'mobile: self-service must send it but is not among its writers']);
    fc.assert(fc.property(rules, (r) => assert.deepEqual(ruleProblems(r), [])));
  });
});
