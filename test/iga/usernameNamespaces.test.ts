import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { candidateName, isValidLocalPart, MAX_CANDIDATE, STEM_PATTERN, stemOf, usernameStem } from '../../src/iga/username.ts';
import { finalNamespace, ownCandidate, sharedCandidate, usernameNamespaces, type UsernameNamespace } from '../../src/iga/usernameNamespaces.ts';
import { chooseName, remainingNamespaces, type NameChoice } from '../../src/iga/usernameChoice.ts';
import { IgaRuleError } from '../../src/iga/errors.ts';

const counter = (stem: string): UsernameNamespace => ({ stem, scheme: 'counter' });
const byId = (stem: string): UsernameNamespace => ({ stem, scheme: 'employee-id' });
const show = (chain: UsernameNamespace[]) => chain.map((n) => (n.scheme === 'counter' ? n.stem : `${n.stem}#id`));
const invalidUsername = (e: unknown) => e instanceof IgaRuleError && e.code === 'invalid-username';
const stemArb = fc.stringMatching(/^[a-z]{1,8}$/);
/** An index into a namespace: often inside the counter range, sometimes anywhere in the wide range. */
const indexArb = fc.oneof(fc.integer({ min: 0, max: MAX_CANDIDATE + 1 }), fc.integer({ min: 0, max: 10_000_000_000 }));
const normalisedId = (maxDigits: number) => fc.stringMatching(new RegExp(`^(0|[1-9][0-9]{0,${maxDigits - 1}})$`));

describe('usernameNamespaces: the chain a claim walks', () => {
  const cases: Array<[string, string, string[]]> = [
    ['Gisle', 'Aas', ['gisaas', 'gislaas', 'gisleaas', 'g#id']],
    // given 3 + family 4, given 4 + family 3, then 8 letters: 4 + 4, 3 + 5, 5 + 3; then the middle name
    ['Anne Marie', 'Berg', ['annber', 'annberg', 'anneber', 'anneberg', 'annember', 'annmber', 'annmaber', 'marber', 'a#id']],
    ['Kari', 'Berg Hansen', ['karber', 'karberg', 'kariber', 'kariberg', 'karbergh', 'karhan', 'karbhan', 'karbehan', 'k#id']],
    ['Per Olav', 'Dahl', ['perdah', 'perdahl', 'perodah', 'perodahl', 'peroldah', 'oladah', 'p#id']],
    ['Øystein', 'Ødegård', ['oysode', 'oysodeg', 'oystode', 'oystodeg', 'oysodega', 'oysteode', 'o#id']],
    ['Bo', 'Li', ['boli', 'b#id']],
    ['Gisle', '', ['gis', 'gisl', 'gisle', 'g#id']],
    ['李', '王', ['user', 'u#id']],
    ['', '', ['user', 'u#id']],
  ];
  for (const [given, family, want] of cases) {
    test(`${given || '""'} / ${family || '""'} → ${want.join(' ')}`, () => assert.deepEqual(show(usernameNamespaces(given, family)), want));
  }

  const nameArb = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.array(fc.oneof(fc.stringMatching(/^[A-Za-zæøåÆØÅ-]{0,9}$/), fc.constantFrom('Ødegård', '李', 'Þór', "O'Neil")), { maxLength: 4 }).map((ws) => ws.join(' ')),
  );
  test('property: starts with the default stem as today, ends with the employee-id namespace of its first letter, every stem valid and once', () => {
    fc.assert(
      fc.property(nameArb, nameArb, (given, family) => {
        const chain = usernameNamespaces(given, family);
        const first = usernameStem(given, family);
        assert.deepEqual(chain[0], counter(first));
        assert.deepEqual(chain.at(-1), byId(first[0]!));
        assert.deepEqual(chain.at(-1), finalNamespace(first));
        assert.ok(chain.slice(0, -1).every((n) => n.scheme === 'counter'));
        for (const n of chain) {
          assert.match(n.stem, STEM_PATTERN);
          assert.equal(stemOf(n.stem), n.stem);
        }
        assert.equal(new Set(chain.map((n) => `${n.scheme}:${n.stem}`)).size, chain.length);
      }),
    );
  });
});

describe('candidates in a namespace', () => {
  test('counter: the shared candidates are exactly today\'s (stem, stem2 … stem9999), then none; no own candidate', () => {
    const ns = counter('gisaas');
    for (let i = 0; i <= MAX_CANDIDATE; i++) assert.equal(sharedCandidate(ns, i), candidateName('gisaas', i));
    assert.deepEqual([sharedCandidate(ns, 0), sharedCandidate(ns, 1), sharedCandidate(ns, MAX_CANDIDATE)], ['gisaas', 'gisaas2', 'gisaas9999']);
    for (const i of [MAX_CANDIDATE + 1, 10 ** 12, -1, 1.5, Number.NaN]) assert.equal(sharedCandidate(ns, i), null, String(i));
    assert.equal(ownCandidate(ns, '101926'), null);
  });
  test('employee-id: the own candidate is the letter and the id padded to 5 digits, for ids of up to 11 digits', () => {
    const ns = byId('g');
    assert.deepEqual(['101926', '42', '0', '99999', '100000', '12345678901'].map((id) => ownCandidate(ns, id)), ['g101926', 'g00042', 'g00000', 'g99999', 'g100000', 'g12345678901']);
    for (const id of ['123456789012', '007', '', 'x1', '1 2']) assert.equal(ownCandidate(ns, id), null, id);
  });
  test('employee-id: the wide range is the letter, 0 and a 5-digit-padded counter, 10^10 names', () => {
    const ns = byId('g');
    assert.deepEqual([0, 1, 99_999, 100_000, 9_999_999_999].map((i) => sharedCandidate(ns, i)), ['g000000', 'g000001', 'g099999', 'g0100000', 'g09999999999']);
    assert.equal(sharedCandidate(ns, 10_000_000_000), null);
  });
  test('bad stems are refused', () => {
    for (const stem of ['', 'Gis', 'g1', 'abcdefghi']) {
      assert.throws(() => sharedCandidate(counter(stem), 0), invalidUsername, stem);
      assert.throws(() => ownCandidate(byId(stem), '1'), invalidUsername, stem);
    }
  });
  test('property: every candidate is a valid local part in its own namespace (stemOf gives the stem back)', () => {
    fc.assert(
      fc.property(stemArb, indexArb, normalisedId(11), (stem, i, id) => {
        for (const ns of [counter(stem), byId(stem)]) {
          for (const local of [sharedCandidate(ns, i), ownCandidate(ns, id)]) {
            if (local === null) continue;
            assert.ok(isValidLocalPart(local), local);
            assert.equal(stemOf(local), stem);
          }
        }
      }),
    );
  });
  test('property: an own candidate is nobody else\'s — not another id\'s, not a counter name, not in the wide range', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]$/), normalisedId(11), normalisedId(11), indexArb, (stem, a, b, i) => {
        const own = ownCandidate(byId(stem), a);
        assert.ok(own !== null, `ids of up to 11 digits always have one (${a})`);
        assert.equal(own === ownCandidate(byId(stem), b), a === b);
        // The counter and wide candidates with the own candidate's number, and any other index.
        const n = Number(own.slice(stem.length));
        for (const j of [i, n, n - 1]) {
          assert.notEqual(own, sharedCandidate(counter(stem), j));
          assert.notEqual(own, sharedCandidate(byId(stem), j));
        }
      }),
    );
  });
  test('property: shared candidates are distinct in i', () => {
    fc.assert(
      fc.property(stemArb, indexArb, indexArb, (stem, i, j) => {
        for (const ns of [counter(stem), byId(stem)]) {
          const [x, y] = [sharedCandidate(ns, i), sharedCandidate(ns, j)];
          if (x !== null && y !== null) assert.equal(x === y, i === j);
        }
        assert.notEqual(sharedCandidate(counter(stem), i), sharedCandidate(byId(stem), j) ?? 'none');
      }),
    );
  });
});

/**
 * The registry's rules over a model store: the same reads and writes the registry task makes, a
 * claim walking its chain namespace by namespace until one grants a name.
 */
class ModelRegistry {
  readonly owner = new Map<string, string>();
  private readonly mine = new Map<string, string>();
  private readonly hints = new Map<string, number>();
  /** Counter stems whose 9,999 names all belong to others (kept as a set, not 9,999 entries each). */
  private readonly usedUp = new Set<string>();

  private hintKey(ns: UsernameNamespace): string {
    return `${ns.scheme}:${ns.stem}`;
  }

  ownerOf(local: string): string | undefined {
    const counterName = /^[a-z]+([2-9]|[1-9][0-9]{1,3})?$/.test(local);
    return this.owner.get(local) ?? (counterName && this.usedUp.has(stemOf(local)) ? `other-${local}` : undefined);
  }

  /** Names of `ns` taken by others (the first `count` shared candidates), the hint at `hint`. */
  occupy(ns: UsernameNamespace, count: number, hint: number): void {
    for (let i = 0; i < count; i++) this.owner.set(sharedCandidate(ns, i)!, `other-${ns.stem}-${i}`);
    this.hints.set(this.hintKey(ns), Math.min(hint, count));
  }

  /** Every counter name of `stem` taken by others; the hint at `hint`. */
  useUp(stem: string, hint: number): void {
    this.usedUp.add(stem);
    this.hints.set(this.hintKey(counter(stem)), hint);
  }

  async claim(c: { stem: string; employeeId: string; preferred?: string; fallbacks?: UsernameNamespace[] }): Promise<{ local: string; ns: UsernameNamespace; choice: NameChoice }> {
    let ns = counter(c.stem);
    let fallbacks = c.fallbacks;
    for (;;) {
      const choice = await chooseName(ns, c, {
        ownerOf: async (l) => this.ownerOf(l),
        grantedTo: async (id) => this.mine.get(`${ns.stem}|${id}`),
        nextShared: async () => this.hints.get(this.hintKey(ns)) ?? 0,
      });
      if (choice.kind === 'existing') return { local: choice.local, ns, choice };
      if (choice.kind === 'new') {
        assert.equal(this.ownerOf(choice.local), undefined, `${choice.local} is free when granted`);
        if (ns.scheme === 'counter') {
          // The lowest free candidate, as always: every one before it is taken.
          const index = choice.local === ns.stem ? 0 : Number(choice.local.slice(ns.stem.length)) - 1;
          for (let i = 0; i < index; i++) assert.ok(this.ownerOf(sharedCandidate(ns, i)!), `${sharedCandidate(ns, i)} is taken before ${choice.local}`);
        }
        this.owner.set(choice.local, c.employeeId);
        this.mine.set(`${ns.stem}|${c.employeeId}`, choice.local);
        if (choice.nextShared !== undefined) this.hints.set(this.hintKey(ns), choice.nextShared);
        return { local: choice.local, ns, choice };
      }
      const [next, ...rest] = remainingNamespaces(ns, fallbacks);
      assert.ok(next, `the chain of ${c.employeeId} never runs out`);
      ns = next;
      fallbacks = rest;
    }
  }
}

describe('chooseName and remainingNamespaces: the registry rules', () => {
  test('the person\'s earlier name first, then the own candidate, then the lowest free shared one; used-up at the end', async () => {
    const m = new ModelRegistry();
    m.occupy(counter('gisaas'), 3, 1);
    assert.equal((await m.claim({ stem: 'gisaas', employeeId: '7' })).local, 'gisaas4');
    assert.equal((await m.claim({ stem: 'gisaas', employeeId: '8' })).local, 'gisaas5');
    assert.equal((await m.claim({ stem: 'gisaas', employeeId: '7' })).local, 'gisaas4');
    assert.equal((await m.claim({ stem: 'gisaas', employeeId: '8', preferred: 'gisaas4@uib.no' })).local, 'gisaas5', 'a preferred name of someone else does not count');
    m.useUp('gisaas', MAX_CANDIDATE + 1);
    const viaFallback = await m.claim({ stem: 'gisaas', employeeId: '9', fallbacks: usernameNamespaces('Gisle', 'Aas').slice(1) });
    assert.deepEqual([viaFallback.local, viaFallback.ns], ['gislaas', counter('gislaas')]);
    const legacy = await m.claim({ stem: 'gisaas', employeeId: '10' });
    assert.deepEqual([legacy.local, legacy.ns], ['g00010', byId('g')]);
    const longId = await m.claim({ stem: 'gisaas', employeeId: '1234567890123' });
    assert.deepEqual([longId.local, longId.choice], ['g000000', { kind: 'new', local: 'g000000', nextShared: 1 }]);
  });
  test('the last shared name of a namespace is marked used up', async () => {
    const m = new ModelRegistry();
    m.occupy(counter('ab'), MAX_CANDIDATE, MAX_CANDIDATE);
    assert.deepEqual((await m.claim({ stem: 'ab', employeeId: '1' })).choice, { kind: 'new', local: 'ab9999', nextShared: MAX_CANDIDATE + 1, usedUp: true });
  });
  test('remainingNamespaces: the claim\'s fallbacks, or for an old claim the final fallback of its stem', () => {
    assert.deepEqual(remainingNamespaces(counter('gisaas'), undefined), [byId('g')]);
    assert.deepEqual(remainingNamespaces(byId('g'), undefined), []);
    assert.deepEqual(remainingNamespaces(counter('gisaas'), [counter('gislaas')]), [counter('gislaas')]);
    assert.deepEqual(remainingNamespaces(counter('gislaas'), []), []);
  });

  // People share names on purpose, so chains overlap; some namespaces are used up or partly taken.
  const POOL: Array<[string, string]> = [['Gisle', 'Aas'], ['Gisle', 'Aasen'], ['Anne Marie', 'Berg'], ['Anne', 'Berg'], ['Kari', 'Berg Hansen'], ['Bo', 'Li'], ['G', ''], ['李', '王']];
  const POOL_CHAINS = POOL.map(([g, f]) => usernameNamespaces(g, f).filter((n) => n.scheme === 'counter').map((n) => n.stem));
  const POOL_STEMS = [...new Set(POOL_CHAINS.flat())];
  const personArb = fc.record({
    names: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...POOL) }, { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })) }),
    // DFØ's ids, small ones, and a few longer than the own candidate can hold.
    id: fc.oneof({ weight: 5, arbitrary: normalisedId(8) }, { weight: 1, arbitrary: fc.bigInt({ min: 10n ** 11n, max: 10n ** 15n }).map(String) }),
    legacy: fc.boolean(),
  });
  test('property: every person gets a distinct valid name in a namespace of their chain; existing names never change', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(personArb, { selector: (p) => p.id, minLength: 1, maxLength: 20 }),
        // Per name of the pool: how many namespaces of its chain are used up (the whole chain at most).
        fc.tuple(...POOL_CHAINS.map((chain) => fc.nat({ max: chain.length }))),
        fc.array(fc.tuple(fc.constantFrom(...POOL_STEMS), fc.integer({ min: 1, max: 30 })), { maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 5, maxLength: 60 }),
        async (people, usedUpDepths, partly, claims) => {
          const m = new ModelRegistry();
          for (const [stem, n] of partly) m.occupy(counter(stem), n, n);
          const usedUp = new Set(usedUpDepths.flatMap((depth, i) => POOL_CHAINS[i]!.slice(0, depth)));
          for (const stem of usedUp) m.useUp(stem, stem.length % 2 === 0 ? MAX_CANDIDATE - 20 : MAX_CANDIDATE + 1); // the hint at or before the end
          const others = new Map(m.owner);
          const held = new Map<string, string>();
          for (const [pick, withPreferred] of claims) {
            const p = people[pick % people.length]!;
            const [first, ...fallbacks] = usernameNamespaces(...p.names);
            const preferred = withPreferred && held.has(p.id) ? { preferred: `${held.get(p.id)}@uib.no` } : {};
            // An account processor from before fallbacks wrote no fallbacks; its claims end at the final fallback.
            const chain = p.legacy ? [first!, finalNamespace(first!.stem)] : [first!, ...fallbacks];
            const { local, ns } = await m.claim({ stem: first!.stem, employeeId: p.id, ...preferred, ...(p.legacy ? {} : { fallbacks }) });
            assert.ok(isValidLocalPart(local), local);
            assert.equal(stemOf(local), ns.stem, 'granted by the owner of its namespace');
            assert.ok(chain.some((n) => n.stem === ns.stem && n.scheme === ns.scheme), `${ns.scheme}:${ns.stem} is in the chain of ${p.names.join(' ')}`);
            if (ns.scheme === 'employee-id' && p.id.length <= 11) assert.equal(local, ownCandidate(ns, p.id));
            if (held.has(p.id)) assert.equal(local, held.get(p.id), `${p.id} keeps ${held.get(p.id)}`);
            held.set(p.id, local);
            assert.equal(m.ownerOf(local), p.id);
          }
          assert.equal(new Set(held.values()).size, held.size, 'distinct names');
          for (const [local, owner] of others) assert.equal(m.ownerOf(local), owner, 'names taken before never change owner');
        },
      ),
      { numRuns: 100 },
    );
  });
});
