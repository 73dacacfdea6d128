/**
 * Property tests of the filter parser and evaluator (fast-check):
 * - any string, and any token soup of filter pieces, either parses+compiles or fails with a
 *   400 ScimError (never another exception);
 * - on random accounts and random well-typed filters, the compiled evaluator agrees with a plain
 *   reference implementation written directly over Account fields;
 * - over HTTP, random filters never give a 5xx.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Account } from '../../src/iga/model.ts';
import { compileFilter } from '../../src/scim/filter/evaluate.ts';
import { parseFilter } from '../../src/scim/filter/parser.ts';
import { ScimError } from '../../src/scim/errors.ts';
import { renderUser } from '../../src/scim/render.ts';
import { startTestServer } from './fixtures.ts';

type Kind = 'ci' | 'cs' | 'bool' | 'date' | 'none';
interface AttrSpec { names: string[]; kind: Kind; get: (a: Account) => Array<string | boolean> }

const nonEmpty = (s: string) => (s ? [s] : []);
const formatted = (a: Account) => [a.givenName, a.familyName].filter((s) => s && s.trim()).join(' ');

// The reference: attribute values read straight from the Account, with their comparison kind.
const ATTRS: Record<string, AttrSpec> = {
  userName: { names: ['userName', 'USERNAME', 'urn:ietf:params:scim:schemas:core:2.0:User:userName'], kind: 'ci', get: (a) => [a.userName] },
  id: { names: ['id', 'ID'], kind: 'cs', get: (a) => [a.id] },
  displayName: { names: ['displayName'], kind: 'ci', get: (a) => nonEmpty(a.displayName) },
  givenName: { names: ['name.givenName', 'NAME.givenname'], kind: 'ci', get: (a) => nonEmpty(a.givenName) },
  familyName: { names: ['name.familyName'], kind: 'ci', get: (a) => nonEmpty(a.familyName) },
  formatted: { names: ['name.formatted'], kind: 'ci', get: (a) => nonEmpty(formatted(a)) },
  emails: { names: ['emails', 'emails.value', 'Emails.Value'], kind: 'ci', get: (a) => [a.userName] },
  emailType: { names: ['emails.type'], kind: 'ci', get: () => ['work'] },
  employeeNumber: { names: ['no:edu:scim:user:employeeNumber', 'employeeNumber'], kind: 'cs', get: (a) => (a.employeeNumber === null ? [] : [a.employeeNumber]) },
  eppn: { names: ['no:edu:scim:user:eduPersonPrincipalName'], kind: 'ci', get: (a) => [a.userName] },
  accountType: { names: ['no:edu:scim:user:accountType'], kind: 'ci', get: () => ['primary'] },
  active: { names: ['active', 'Active'], kind: 'bool', get: (a) => [a.active] },
  primary: { names: ['emails.primary'], kind: 'bool', get: () => [true] },
  created: { names: ['meta.created'], kind: 'date', get: (a) => [a.created] },
  lastModified: { names: ['meta.lastModified'], kind: 'date', get: (a) => [a.lastModified] },
  title: { names: ['title', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber'], kind: 'none', get: () => [] },
};

type Op = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
type Node =
  | { t: 'cmp'; attr: string; name: string; op: Op; value: string | boolean }
  | { t: 'pr'; attr: string; name: string }
  | { t: 'and' | 'or'; l: Node; r: Node }
  | { t: 'not'; f: Node }
  | { t: 'vp'; f: Node };

const fragments = ['a', 'A', 'ola', 'OLA', 'nor', 'mann', '@uib.no', '1', '10', '00', 'Kari', ' ', 'ø', 'å', 'work', 'primary', '2020', ''];
const dates = ['2019-12-31T23:59:59Z', '2020-01-01T00:00:00Z', '2020-01-01T01:00:00+01:00', '2021-06-15', '2024-01-01T00:00:00.000Z'];
const strOps: Op[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

const accountArb: fc.Arbitrary<Account> = fc.record({
  id: fc.constantFrom('aa-1', 'AA-1', 'bb-2', 'ola-3'),
  personId: fc.constant('1'),
  userName: fc.tuple(fc.constantFrom('ola', 'kari', 'nor', 'OLA1'), fc.constantFrom('@uib.no', '@UiB.no')).map(([l, d]) => l + d),
  active: fc.boolean(),
  givenName: fc.constantFrom('Ola', 'Kari', 'åse', ''),
  familyName: fc.constantFrom('Nordmann', 'nor', ''),
  displayName: fc.constantFrom('Ola Nordmann', 'kari', ''),
  employeeNumber: fc.constantFrom(null, '10', '100', '00'),
  created: fc.constantFrom(...dates),
  lastModified: fc.constantFrom(...dates),
  version: fc.nat(5),
});

const attrKeys = Object.keys(ATTRS);
const leafArb: fc.Arbitrary<Node> = fc.constantFrom(...attrKeys).chain((attr) => {
  const spec = ATTRS[attr] as AttrSpec;
  const name = fc.constantFrom(...spec.names);
  const pr = name.map((n): Node => ({ t: 'pr', attr, name: n }));
  if (spec.kind === 'bool') return fc.oneof(pr, fc.record({ t: fc.constant('cmp' as const), attr: fc.constant(attr), name, op: fc.constantFrom<Op>('eq', 'ne'), value: fc.boolean() }));
  const value = spec.kind === 'date' ? fc.constantFrom(...dates) : fc.array(fc.constantFrom(...fragments), { maxLength: 3 }).map((p) => p.join(''));
  const ops = spec.kind === 'date' ? (['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as Op[]) : strOps;
  return fc.oneof(pr, fc.record({ t: fc.constant('cmp' as const), attr: fc.constant(attr), name, op: fc.constantFrom(...ops), value }));
});
const emailLeafArb: fc.Arbitrary<Node> = fc.oneof(
  fc.record({ t: fc.constant('cmp' as const), attr: fc.constant('emails'), name: fc.constant('value'), op: fc.constantFrom(...strOps), value: fc.constantFrom(...fragments) }),
  fc.record({ t: fc.constant('cmp' as const), attr: fc.constant('emailType'), name: fc.constant('TYPE'), op: fc.constantFrom<Op>('eq', 'ne', 'sw'), value: fc.constantFrom('work', 'WORK', 'home') }),
  fc.record({ t: fc.constant('cmp' as const), attr: fc.constant('primary'), name: fc.constant('primary'), op: fc.constantFrom<Op>('eq', 'ne'), value: fc.boolean() }),
);
function tree(leaf: fc.Arbitrary<Node>, withVp: boolean): fc.Arbitrary<Node> {
  return fc.letrec<{ node: Node }>((tie): { node: fc.Arbitrary<Node> } => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.record({ t: fc.constantFrom('and' as const, 'or' as const), l: tie('node'), r: tie('node') }),
      fc.record({ t: fc.constant('not' as const), f: tie('node') }),
      ...(withVp ? [fc.record({ t: fc.constant('vp' as const), f: tree(emailLeafArb, false) })] : []),
    ),
  })).node;
}
const filterArb = tree(leafArb, true);

function print(n: Node): string {
  switch (n.t) {
    case 'cmp': return `${n.name} ${n.op} ${JSON.stringify(n.value)}`;
    case 'pr': return `${n.name} pr`;
    case 'and': case 'or': return `(${print(n.l)} ${n.t} ${print(n.r)})`;
    case 'not': return `not (${print(n.f)})`;
    case 'vp': return `emails[${print(n.f)}]`;
  }
}

function refCompare(kind: Kind, values: Array<string | boolean>, op: Op, c: string | boolean): boolean {
  if (op === 'ne') return !refCompare(kind, values, 'eq', c);
  return values.some((v) => {
    if (kind === 'bool') return v === c;
    if (kind === 'date' && !['co', 'sw', 'ew'].includes(op)) {
      const d = Date.parse(v as string) - Date.parse(c as string);
      return { eq: d === 0, gt: d > 0, ge: d >= 0, lt: d < 0, le: d <= 0 }[op as 'eq'];
    }
    const fold = (s: string) => (kind === 'ci' ? s.toLowerCase() : s);
    const a = fold(v as string);
    const b = fold(c as string);
    return { eq: a === b, co: a.includes(b), sw: a.startsWith(b), ew: a.endsWith(b), gt: a > b, ge: a >= b, lt: a < b, le: a <= b }[op as 'eq'];
  });
}

function reference(n: Node, a: Account): boolean {
  switch (n.t) {
    case 'cmp': { const s = ATTRS[n.attr] as AttrSpec; return refCompare(s.kind, s.get(a), n.op, n.value); }
    case 'pr': return (ATTRS[n.attr] as AttrSpec).get(a).some((v) => v !== '');
    case 'and': return reference(n.l, a) && reference(n.r, a);
    case 'or': return reference(n.l, a) || reference(n.r, a);
    case 'not': return !reference(n.f, a);
    case 'vp': return reference(n.f, a); // one email per account: same element
  }
}

const piece = fc.constantFrom('userName', 'emails', '[', ']', '(', ')', 'not', 'and', 'or', 'eq', 'pr', 'gt', '"x"', '"\\u00e6"', 'true', 'null', '12', '-1e3', 'no:edu:scim:user:employeeNumber', 'active', 'meta.created', '"2020-01-01"', '.', ':', '"\\', '\u0000', 'name', 'a.b.c');

describe('filter properties (fast-check)', () => {
  test('any input either compiles or fails with 400, never another error', () => {
    const check = (s: string) => {
      try {
        compileFilter(parseFilter(s));
      } catch (e) {
        assert.ok(e instanceof ScimError, `non-SCIM error for ${JSON.stringify(s)}: ${String(e)}`);
        assert.equal(e.status, 400);
      }
    };
    fc.assert(fc.property(fc.string({ maxLength: 80 }), check), { numRuns: 500 });
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }).map((p) => p.join(' ')), check), { numRuns: 2000 });
    fc.assert(fc.property(fc.array(piece, { maxLength: 12 }).map((p) => p.join('')), check), { numRuns: 1000 });
  });

  test('the evaluator agrees with the reference implementation on random accounts', () => {
    fc.assert(
      fc.property(filterArb, accountArb, (f, a) => {
        const text = print(f);
        const got = compileFilter(parseFilter(text))(renderUser(a, { resourceUriPrefix: 'https://x' }) as unknown as Record<string, unknown>);
        assert.equal(got, reference(f, a), `${text} on ${JSON.stringify(a)}`);
      }),
      { numRuns: 3000 },
    );
  });

  test('RFC7644 3.12: random filters over HTTP never give a 5xx', async () => {
    const server = await startTestServer();
    try {
      const inputs = fc.sample(fc.oneof(fc.array(piece, { maxLength: 10 }).map((p) => p.join(' ')), filterArb.map(print), fc.string({ maxLength: 40 })), { numRuns: 150, seed: 42 });
      for (const f of inputs) {
        const res = await server.get(`/Users?filter=${encodeURIComponent(f)}`);
        assert.ok(res.status === 200 || res.status === 400, `${res.status} for ${JSON.stringify(f)}`);
        const body = (await res.json()) as { status?: string; scimType?: string };
        if (res.status === 400) assert.equal(body.scimType, 'invalidFilter');
      }
    } finally {
      await server.close();
    }
  });
});
