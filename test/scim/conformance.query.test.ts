/** Conformance: queries on /Users — filter, sort, paging, attributes, .search (RFC 7644 §3.4). */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { account, gisle, startTestServer, type TestServer } from './fixtures.ts';

type Json = Record<string, any>;
let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.close());
const q = async (query: string) => {
  const res = await s.get(`/Users?${query}`);
  return { status: res.status, body: (await res.json()) as Json };
};
const f = (filter: string, extra = '') => q(`filter=${encodeURIComponent(filter)}${extra}`);
const ids = (body: Json) => body.Resources.map((r: Json) => r.id);

describe('filtering', () => {
  test('RFC7644 3.4.2.2: filter=userName eq returns the user', async () => {
    const { status, body } = await f('userName eq "gaa041@uib.no"');
    assert.equal(status, 200);
    assert.equal(body.totalResults, 1);
    assert.deepEqual(ids(body), [gisle.id]);
  });

  test('RFC7644 3.4.2.2: attribute names and operators are case-insensitive', async () => {
    assert.equal((await f('UserName EQ "gaa041@uib.no"')).body.totalResults, 1);
    assert.equal((await f('USERNAME Eq "gaa041@uib.no"')).body.totalResults, 1);
  });

  test('RFC7643 2.3.1: userName compares case-insensitively (caseExact=false), id case-sensitively', async () => {
    assert.equal((await f('userName eq "GAA041@UIB.NO"')).body.totalResults, 1);
    assert.equal((await f(`id eq "${gisle.id.toUpperCase()}"`)).body.totalResults, 0);
  });

  test('RFC7644 3.4.2.2: an empty result is 200 with totalResults 0', async () => {
    const { status, body } = await f('userName eq "nobody@uib.no"');
    assert.equal(status, 200);
    assert.equal(body.totalResults, 0);
    assert.deepEqual(body.Resources, []);
  });

  test('RFC7644 3.4.2.2: every operator works', async () => {
    const n = async (filter: string) => (await f(filter, '&count=0')).body.totalResults;
    assert.equal(await n('userName ne "gaa041@uib.no"'), 30);
    assert.equal(await n('displayName co "Aas"'), 1);
    assert.equal(await n('userName sw "user1"'), 11);
    assert.equal(await n('userName ew "5@uib.no"'), 3);
    assert.equal(await n('displayName pr'), 31);
    assert.equal(await n('userName gt "user9"'), 1);
    assert.equal(await n('userName ge "user9@uib.no"'), 1);
    assert.equal(await n('userName lt "user1"'), 1);
    assert.equal(await n('userName le "gaa041@uib.no"'), 1);
  });

  test('RFC7644 3.4.2.2: and / or / not with precedence and grouping', async () => {
    const n = async (filter: string) => (await f(filter, '&count=0')).body.totalResults;
    assert.equal(await n('userName eq "user1@uib.no" or userName eq "user2@uib.no" and active eq false'), 1);
    assert.equal(await n('(userName eq "user1@uib.no" or userName eq "user2@uib.no") and active eq true'), 2);
    assert.equal(await n('not (active eq true)'), 10);
    assert.equal(await n('not(active eq true) and userName sw "user"'), 10);
  });

  test('RFC7644 3.4.2.2: valuePath filters match within one element', async () => {
    assert.equal((await f('emails[type eq "work" and value co "@UIB"]', '&count=0')).body.totalResults, 31);
    assert.equal((await f('emails[type eq "home" and value co "@uib"]', '&count=0')).body.totalResults, 0);
  });

  test('RFC7644 3.4.2.2: complex attribute without sub-attribute means .value (emails co)', async () => {
    assert.equal((await f('emails co "gaa041"')).body.totalResults, 1);
  });

  test('RFC7644 3.10: extension URN paths and core URN prefixes', async () => {
    assert.deepEqual(ids((await f('no:edu:scim:user:employeeNumber eq "333355"')).body), [gisle.id]);
    assert.deepEqual(ids((await f('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "gaa041@uib.no"')).body), [gisle.id]);
    assert.equal((await f('no:edu:scim:user:employeeNumber pr', '&count=0')).body.totalResults, 31 - 6);
  });

  test('RFC7644 3.4.2.2: DateTime comparisons on meta.lastModified', async () => {
    assert.deepEqual(ids((await f('meta.lastModified lt "2021-01-01T00:00:00Z"')).body), [gisle.id]);
    assert.deepEqual(ids((await f('meta.created le "2010-01-23T05:56:22+01:00"')).body), [gisle.id]);
  });

  test('RFC7644 3.4.2.2: gt/ge/lt/le on a Boolean is 400 invalidFilter', async () => {
    for (const op of ['gt', 'ge', 'lt', 'le']) {
      const { status, body } = await f(`active ${op} true`);
      assert.equal(status, 400);
      assert.equal(body.scimType, 'invalidFilter');
    }
  });

  test('RFC7644 3.4.2.2: unknown operator and bad syntax are 400 invalidFilter', async () => {
    for (const bad of ['userName xx "a"', 'userName eq', '(userName pr', 'userName eq "a" and', '"x" eq userName']) {
      const { status, body } = await f(bad);
      assert.equal(status, 400, bad);
      assert.deepEqual([body.status, body.scimType], ['400', 'invalidFilter'], bad);
    }
  });

  test('RFC7644 3.4.2.2: attributes the resource type lacks have no value', async () => {
    assert.equal((await f('title pr', '&count=0')).body.totalResults, 0);
    assert.equal((await f('externalId eq "333355"', '&count=0')).body.totalResults, 0);
  });

  test('RFC7644 7 (security): over-long and over-nested filters are 400 invalidFilter', async () => {
    const long = await f(`userName eq "${'a'.repeat(3000)}"`);
    assert.deepEqual([long.status, long.body.scimType], [400, 'invalidFilter']);
    const deep = await f(`${'not ('.repeat(40)}userName pr${')'.repeat(40)}`);
    assert.deepEqual([deep.status, deep.body.scimType], [400, 'invalidFilter']);
  });

  test('IntArk profile: ?userName= and ?employeeNumber= shortcuts (zero-padded accepted)', async () => {
    assert.deepEqual(ids((await q('userName=GAA041@uib.no')).body), [gisle.id]);
    assert.deepEqual(ids((await q('employeeNumber=00333355')).body), [gisle.id]);
    assert.deepEqual(ids((await q('employeeNumber=333355')).body), [gisle.id]);
    assert.equal((await q(`employeeNumber=333355&filter=${encodeURIComponent('active eq false')}`)).body.totalResults, 0);
  });
});

describe('sorting', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({}, [
      account(1, { displayName: 'beta' }), account(2, { displayName: 'Alpha' }), account(3, { displayName: '' }),
      account(4, { displayName: 'alpha2' }), account(5, { displayName: 'Gamma' }),
    ]);
  });
  afterAll(() => t.close());
  const names = async (query: string) => ((await (await t.get(`/Users?${query}`)).json()) as Json).Resources.map((r: Json) => r.displayName ?? null);

  test('RFC7644 3.4.2.3: sortOrder defaults to ascending; caseExact=false sorts case-insensitively', async () => {
    assert.deepEqual(await names('sortBy=displayName'), ['Alpha', 'alpha2', 'beta', 'Gamma', null]);
  });

  test('RFC7644 3.4.2.3: missing values sort last ascending and first descending', async () => {
    assert.deepEqual(await names('sortBy=displayName&sortOrder=descending'), [null, 'Gamma', 'beta', 'alpha2', 'Alpha']);
  });

  test('RFC7644 3.4.2.3: sortBy works with a filter and with URN-qualified names', async () => {
    assert.deepEqual(await names(`sortBy=urn:ietf:params:scim:schemas:core:2.0:User:DISPLAYNAME&filter=${encodeURIComponent('displayName pr')}`), ['Alpha', 'alpha2', 'beta', 'Gamma']);
    const bad = await t.get('/Users?sortBy=displayName&sortOrder=sideways');
    assert.equal(bad.status, 400);
  });
});

describe('paging', () => {
  test('RFC7644 3.4.2.4: ListResponse has schemas, totalResults, startIndex, itemsPerPage', async () => {
    const { body } = await q('startIndex=3&count=4');
    assert.deepEqual(body.schemas, ['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
    assert.deepEqual([body.totalResults, body.startIndex, body.itemsPerPage, body.Resources.length], [31, 3, 4, 4]);
  });

  test('RFC7644 3.4.2.4: count=0 returns only totalResults', async () => {
    const { body } = await q('count=0');
    assert.equal(body.totalResults, 31);
    assert.equal(body.Resources, undefined);
  });

  test('RFC7644 3.4.2.4: a negative count is treated as 0', async () => {
    const { status, body } = await q('count=-5');
    assert.equal(status, 200);
    assert.equal(body.Resources, undefined);
  });

  test('RFC7644 3.4.2.4: startIndex below 1 is treated as 1', async () => {
    const { body } = await q('startIndex=-3&count=2');
    assert.equal(body.startIndex, 1);
    assert.deepEqual(ids(body), ids((await q('count=2')).body));
  });

  test('RFC7644 3.4.2.4: a startIndex beyond the end gives empty Resources', async () => {
    const { body } = await q('startIndex=1000&count=10');
    assert.deepEqual([body.totalResults, body.itemsPerPage, body.Resources.length], [31, 0, 0]);
  });

  test('RFC7644 3.4.2.4: never more than count; pages cover every account once', async () => {
    const seen: string[] = [];
    for (let start = 1; start <= 31; start += 7) {
      const { body } = await q(`startIndex=${start}&count=7`);
      assert.ok(body.Resources.length <= 7);
      seen.push(...ids(body));
    }
    assert.equal(new Set(seen).size, 31);
  });

  test('IntArk profile: count is capped at filter.maxResults', async () => {
    const t = await startTestServer({ maxResults: 5 });
    try {
      const body = (await (await t.get('/Users?count=50')).json()) as Json;
      assert.equal(body.itemsPerPage, 5);
      assert.equal(body.totalResults, 31);
    } finally {
      await t.close();
    }
  });

  test('RFC7644 3.4.2.4: non-integer paging values are 400 invalidValue', async () => {
    const { status, body } = await q('count=ten');
    assert.deepEqual([status, body.scimType], [400, 'invalidValue']);
  });
});

describe('attributes and excludedAttributes', () => {
  const one = async (query: string) => (await (await s.get(`/Users/${gisle.id}?${query}`)).json()) as Json;

  test('RFC7644 3.4.2.5: attributes returns only those plus id and schemas', async () => {
    const u = await one('attributes=userName');
    assert.deepEqual(Object.keys(u).sort(), ['id', 'schemas', 'userName']);
  });

  test('RFC7644 3.4.2.5: excludedAttributes cannot remove returned=always attributes', async () => {
    const u = await one('excludedAttributes=id,schemas,meta,emails');
    assert.ok(u.id && u.schemas && u.userName);
    assert.equal(u.meta, undefined);
    assert.equal(u.emails, undefined);
  });

  test('RFC7644 3.10: names are case-insensitive, URN-qualified, and may name sub-attributes', async () => {
    const u = await one('attributes=USERNAME,name.givenName,no:edu:scim:user:employeeNumber,urn:ietf:params:scim:schemas:core:2.0:User:emails.value');
    assert.deepEqual(u.name, { givenName: 'Gisle' });
    assert.deepEqual(u['no:edu:scim:user'], { employeeNumber: '333355' });
    assert.deepEqual(u.emails, [{ value: 'gaa041@uib.no' }]);
    assert.equal(u.userName, 'gaa041@uib.no');
    const whole = await one('attributes=no:edu:scim:user');
    assert.equal(whole['no:edu:scim:user'].accountType, 'primary');
    const ex = await one('excludedAttributes=name.formatted,no:edu:scim:user:accountType');
    assert.deepEqual(ex.name, { givenName: 'Gisle', familyName: 'Aas' });
    assert.equal(ex['no:edu:scim:user'].accountType, undefined);
  });

  test('RFC7644 3.4.2.5: attributes apply to list responses too', async () => {
    const { body } = await q('count=3&attributes=active');
    for (const r of body.Resources) assert.deepEqual(Object.keys(r).sort(), ['active', 'id', 'schemas']);
  });

  test('RFC7644 3.4.2.5: attributes and excludedAttributes together are 400', async () => {
    const { status } = await q('attributes=userName&excludedAttributes=active');
    assert.equal(status, 400);
  });
});

describe('POST .search', () => {
  const search = async (body: unknown, path = '/Users/.search') => {
    const res = await s.post(path, body);
    return { status: res.status, body: (await res.json()) as Json };
  };
  const req = (more: Json) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], ...more });

  test('RFC7644 3.4.3: POST /Users/.search answers 200 with the same results as GET', async () => {
    const post = await search(req({ filter: 'userName sw "user1"', startIndex: 2, count: 3, sortBy: 'userName' }));
    const get = await f('userName sw "user1"', '&startIndex=2&count=3&sortBy=userName');
    assert.equal(post.status, 200);
    assert.deepEqual(post.body, get.body);
  });

  test('RFC7644 3.4.3: .search honours attributes and excludedAttributes', async () => {
    const a = await search(req({ filter: 'userName eq "gaa041@uib.no"', attributes: ['userName'] }));
    assert.deepEqual(Object.keys(a.body.Resources[0]).sort(), ['id', 'schemas', 'userName']);
    const e = await search(req({ filter: 'userName eq "gaa041@uib.no"', excludedAttributes: ['meta', 'name'] }));
    assert.equal(e.body.Resources[0].meta, undefined);
    assert.ok(e.body.Resources[0].userName);
  });

  test('RFC7644 3.4.3: POST /.search at the root searches Users', async () => {
    const { status, body } = await search(req({ filter: 'userName eq "gaa041@uib.no"' }), '/.search');
    assert.equal(status, 200);
    assert.equal(body.totalResults, 1);
  });

  test('RFC7644 3.12: a malformed .search body is 400 invalidSyntax', async () => {
    for (const bad of ['{not json', '[]', JSON.stringify({ count: 'ten' }), JSON.stringify({ schemas: ['urn:wrong'] })]) {
      const { status, body } = await search(bad);
      assert.deepEqual([status, body.scimType], [400, 'invalidSyntax'], bad);
    }
  });

  test('RFC7644 3.4.3: a bad filter in .search is 400 invalidFilter', async () => {
    const { status, body } = await search(req({ filter: 'userName eq' }));
    assert.deepEqual([status, body.scimType], [400, 'invalidFilter']);
  });
});
