/**
 * The planner must answer filters on indexed attributes without scanning all accounts:
 * the executor reports how many accounts the predicate ran on.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { QueryExecutor } from '../../src/scim/query/execute.ts';
import { parseFilter } from '../../src/scim/filter/parser.ts';
import { RenderCache } from '../../src/scim/render.ts';
import type { Resource } from '../../src/scim/filter/accessor.ts';
import { rootAccessor } from '../../src/scim/filter/accessor.ts';
import { account, indexWith } from './fixtures.ts';

const N = 2000;
const index = indexWith(Array.from({ length: N }, (_, i) => account(i + 1)));
const renders = new RenderCache({ resourceUriPrefix: 'https://x' });
const executor = new QueryExecutor(index, (a) => renders.get(a) as unknown as Resource);
const run = (filter: string, count = 10) => executor.run({ filter: parseFilter(filter), sort: undefined, startIndex: 1, count });

describe('query planner', () => {
  test('userName eq uses the index (1 candidate, case-insensitive)', () => {
    const r = run('userName eq "USER77@uib.no"');
    assert.equal(r.totalResults, 1);
    assert.equal(r.evaluated, 1);
  });

  test('id eq uses the index', () => {
    assert.deepEqual(run(`id eq "${account(5).id}"`), { totalResults: 1, accounts: [index.get(account(5).id)], evaluated: 1 });
  });

  test('employeeNumber eq uses the index; the predicate stays exact', () => {
    assert.equal(run('no:edu:scim:user:employeeNumber eq "100077"').evaluated, 1);
    const padded = run('no:edu:scim:user:employeeNumber eq "00100077"');
    assert.equal(padded.evaluated, 1);
    assert.equal(padded.totalResults, 0);
  });

  test('externalId (not served) matches nothing without a scan', () => {
    assert.deepEqual(run('externalId eq "100077"'), { totalResults: 0, accounts: [], evaluated: 0 });
  });

  test('an indexed operand inside and narrows the scan', () => {
    const r = run('displayName co "Given" and userName eq "user10@uib.no" and active eq true');
    assert.equal(r.evaluated, 1);
    assert.equal(r.totalResults, 1);
  });

  test('or of indexed operands is a union', () => {
    const r = run('userName eq "user1@uib.no" or userName eq "user2@uib.no" or id eq "nope"');
    assert.equal(r.evaluated, 2);
    assert.equal(r.totalResults, 2);
  });

  test('active eq uses the index set', () => {
    const r = run('active eq false', 0);
    assert.equal(r.totalResults, Math.floor(N / 3));
    assert.equal(r.evaluated, Math.floor(N / 3));
  });

  test('a non-indexed filter scans every account', () => {
    assert.equal(run('displayName co "Given1"').evaluated, N);
  });

  test('unfiltered pages are slices in id order; sorted pages come from a cached order', () => {
    const ids = [...index.orderedIds()];
    const page = executor.run({ filter: undefined, sort: undefined, startIndex: 1501, count: 100 });
    assert.deepEqual(page.accounts.map((a) => a.id), ids.slice(1500, 1600));
    assert.equal(page.evaluated, 0);
    const acc = rootAccessor({ uri: undefined, attr: 'userName', sub: undefined });
    assert.ok(acc);
    const asc = executor.run({ filter: undefined, sort: { accessor: acc, descending: false }, startIndex: 1, count: 3 });
    assert.deepEqual(asc.accounts.map((a) => a.userName), ['user1000@uib.no', 'user1001@uib.no', 'user1002@uib.no']);
    const desc = executor.run({ filter: undefined, sort: { accessor: acc, descending: true }, startIndex: 1, count: 1 });
    assert.equal(desc.accounts[0]?.userName, 'user9@uib.no'); // '@' sorts after digits
  });
});
