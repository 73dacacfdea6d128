import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  candidateName, FALLBACK_STEM, foldToAscii, isValidLocalPart, LOCAL_PART_PATTERN, MAX_CANDIDATE, splitUserName, STEM_PATTERN, stemOf, userNameFor, usernameStem,
} from '../../src/iga/username.ts';
import { IgaRuleError } from '../../src/iga/errors.ts';

const invalidUsername = (e: unknown) => e instanceof IgaRuleError && e.code === 'invalid-username' && e.retriable === false;
const stemArb = fc.stringMatching(/^[a-z]{1,8}$/);

describe('foldToAscii', () => {
  const cases: Array<[string, string]> = [
    ['Gisle Aas', 'gisleaas'],
    ['Æsir', 'aesir'],
    ['Øystein Ødegård', 'oysteinodegard'],
    ['Åse', 'ase'],
    ['Björk Mäkinen Müller', 'bjorkmakinenmuller'],
    ['José Émile', 'joseemile'],
    ['Strauß', 'strauss'],
    ['STRAUSS ẞ', 'straussss'],
    ['Ðóra Þórsdóttir', 'dorathorsdottir'],
    ['Łukasz Wałęsa', 'lukaszwalesa'],
    ['Čeněk Šťastný Žižka', 'cenekstastnyzizka'],
    ['Ánde Đuođđa Ŋ Ŧ', 'andeduoddant'],
    ['Jean-Luc O\'Neil', 'jeanluconeil'],
    ['Anne  Marie\tBerg', 'annemarieberg'],
    ['Œuvre', 'oeuvre'],
    ['İstanbul', 'istanbul'],
    ['ﬁne Ĳssel', 'fineijssel'],
    ['Agent 007', 'agent007'],
    ['李小龍', ''],
    ['Ωmega', 'mega'],
    ['', ''],
  ];
  for (const [input, want] of cases) test(`${JSON.stringify(input)} → ${JSON.stringify(want)}`, () => assert.equal(foldToAscii(input), want));
  test('property: output is lower-case a-z0-9 only', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => assert.match(foldToAscii(s), /^[a-z0-9]*$/)));
  });
});

describe('usernameStem', () => {
  const cases: Array<[string, string, string]> = [
    ['Gisle', 'Aas', 'gisaas'],
    ['Øystein', 'Ødegård', 'oysode'],
    ['Åse', 'Ærø', 'aseaer'],
    ['Bo', 'Li', 'boli'],
    ['Ægir', 'Ås', 'aegas'],
    ['Þór', 'Ðoð', 'thodod'],
    ['Anne Marie', 'van der Berg', 'annvan'],
    ['Jean-Luc', "O'Neil", 'jeaone'],
    ['R2D2', '3PO', 'rdpo'],
    ['李', 'Aas', 'aas'],
    ['Gisle', '', 'gis'],
    ['', '', FALLBACK_STEM],
    ['123', '456', FALLBACK_STEM],
    ['李', '王', FALLBACK_STEM],
    ['  ', '--', FALLBACK_STEM],
  ];
  for (const [given, family, want] of cases) test(`${given} / ${family} → ${want}`, () => assert.equal(usernameStem(given, family), want));
  test('property: every stem matches the stem pattern and is its own stem', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (g, f) => {
        const stem = usernameStem(g, f);
        assert.match(stem, STEM_PATTERN);
        assert.equal(stemOf(stem), stem);
      }),
    );
  });
});

describe('candidateName', () => {
  test('0 is the stem, then 2, 3, …', () => {
    assert.deepEqual([0, 1, 2, 3, 9].map((n) => candidateName('gisaas', n)), ['gisaas', 'gisaas2', 'gisaas3', 'gisaas4', 'gisaas10']);
  });
  test('an 8-letter stem with the largest counter is 12 characters', () => {
    assert.equal(candidateName('abcdefgh', MAX_CANDIDATE), 'abcdefgh9999');
    assert.equal(candidateName('a', MAX_CANDIDATE), 'a9999');
  });
  test('rejects bad stems', () => {
    for (const stem of ['', 'abcdefghi', 'Gis', 'gis1', '1gis', 'gi s', 'øys']) assert.throws(() => candidateName(stem, 0), invalidUsername, stem);
  });
  test('rejects counters outside 0..9998', () => {
    for (const n of [-1, MAX_CANDIDATE + 1, 1.5, Number.NaN, Infinity]) assert.throws(() => candidateName('gisaas', n), invalidUsername, String(n));
  });
  test('property: valid local part whose stem is the input stem', () => {
    fc.assert(
      fc.property(stemArb, fc.integer({ min: 0, max: MAX_CANDIDATE }), (stem, n) => {
        const name = candidateName(stem, n);
        assert.match(name, LOCAL_PART_PATTERN);
        assert.equal(isValidLocalPart(name), true);
        assert.equal(stemOf(name), stem);
      }),
    );
  });
  test('property: injective in n (and across stems)', () => {
    fc.assert(
      fc.property(stemArb, stemArb, fc.integer({ min: 0, max: MAX_CANDIDATE }), fc.integer({ min: 0, max: MAX_CANDIDATE }), (s1, s2, n1, n2) => {
        const same = candidateName(s1, n1) === candidateName(s2, n2);
        assert.equal(same, s1 === s2 && n1 === n2);
      }),
    );
  });
  test('all candidates of one stem are distinct', () => {
    const names = new Set(Array.from({ length: MAX_CANDIDATE + 1 }, (_, n) => candidateName('ab', n)));
    assert.equal(names.size, MAX_CANDIDATE + 1);
  });
});

describe('stemOf, isValidLocalPart, userNameFor, splitUserName', () => {
  test('stemOf strips trailing digits only', () => {
    assert.equal(stemOf('gisaas12'), 'gisaas');
    assert.equal(stemOf('gisaas'), 'gisaas');
    assert.equal(stemOf('gaa041'), 'gaa');
  });
  test('isValidLocalPart', () => {
    for (const ok of ['a', 'gisaas', 'gaa041', 'abcdefghijkl']) assert.equal(isValidLocalPart(ok), true, ok);
    for (const bad of ['', '1abc', 'abcdefghijklm', 'Gisaas', 'gis.aas', 'gis-aas', 'øys']) assert.equal(isValidLocalPart(bad), false, bad);
  });
  test('userNameFor joins and lower-cases the domain', () => {
    assert.equal(userNameFor('gisaas', 'uib.no'), 'gisaas@uib.no');
    assert.equal(userNameFor('gisaas2', 'UiB.No'), 'gisaas2@uib.no');
    assert.equal(userNameFor('a', 'it.uib.no'), 'a@it.uib.no');
  });
  test('userNameFor rejects bad parts', () => {
    for (const [l, d] of [['Gis', 'uib.no'], ['gis', 'uib'], ['gis', ''], ['gis', 'uib..no'], ['gis', '-uib.no'], ['gis', 'u b.no']]) {
      assert.throws(() => userNameFor(l as string, d as string), invalidUsername, `${l}@${d}`);
    }
  });
  test('splitUserName', () => {
    assert.deepEqual(splitUserName('gisaas2@uib.no'), { local: 'gisaas2', domain: 'uib.no' });
    for (const bad of ['gisaas', 'gis@aas@uib.no', '@uib.no', 'Gis@uib.no', 'gis@UIB.no', 'gis@uib']) assert.equal(splitUserName(bad), null, bad);
  });
});
