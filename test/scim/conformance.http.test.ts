/** Conformance: resource retrieval, ETags, media types, errors and unsupported operations (RFC 7644 §3). */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { AccountIndex } from '../../src/scim/accountIndex.ts';
import { account, gisle, PREFIX, startTestServer, type TestServer } from './fixtures.ts';

type Json = Record<string, any>;
let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.close());

describe('resources', () => {
  test('RFC7644 3.4.1: GET /Users/{id} returns the User with the attributes of the BOTT profile', async () => {
    const res = await s.get(`/Users/${gisle.id}`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'no:edu:scim:user'],
      id: gisle.id,
      userName: 'gaa041@uib.no',
      active: true,
      name: { formatted: 'Gisle Aas', givenName: 'Gisle', familyName: 'Aas' },
      emails: [{ value: 'gaa041@uib.no', type: 'work', primary: true }],
      'no:edu:scim:user': { accountType: 'primary', employeeNumber: '333355', eduPersonPrincipalName: 'gaa041@uib.no' },
      meta: {
        resourceType: 'User', created: '2010-01-23T04:56:22Z', lastModified: '2020-06-22T06:42:34Z',
        location: `${PREFIX}/Users/${gisle.id}`, version: 'W/"7"',
      },
      displayName: 'Gisle Aas',
    });
  });

  test('BOTT: employeeNumber is a string and absent without an active DFØ affiliation', async () => {
    const u = (await (await s.get(`/Users/${account(5).id}`)).json()) as Json;
    assert.equal('employeeNumber' in u['no:edu:scim:user'], false);
    const g = (await (await s.get(`/Users/${gisle.id}`)).json()) as Json;
    assert.equal(typeof g['no:edu:scim:user'].employeeNumber, 'string');
  });

  test('RFC7644 3.4.1: an unknown id is 404 with an Error body', async () => {
    const res = await s.get('/Users/00000000-0000-0000-0000-000000000000');
    assert.equal(res.status, 404);
    const body = (await res.json()) as Json;
    assert.deepEqual(body.schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
    assert.equal(body.status, '404');
  });

  test('RFC7644 3.12: an unknown path is 404 with an Error body', async () => {
    const res = await s.get('/Nothing/here');
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as Json).status, '404');
  });
});

describe('ETags', () => {
  test('RFC7644 3.14: the ETag header is sent and equals meta.version', async () => {
    const res = await s.get(`/Users/${gisle.id}`);
    assert.equal(res.headers.get('etag'), 'W/"7"');
    assert.equal(((await res.json()) as Json).meta.version, 'W/"7"');
  });

  test('RFC7644 3.14: a matching If-None-Match gives 304 with an empty body', async () => {
    const res = await s.get(`/Users/${gisle.id}`, { 'If-None-Match': 'W/"7"' });
    assert.equal(res.status, 304);
    assert.equal(await res.text(), '');
    assert.equal((await s.get(`/Users/${gisle.id}`, { 'If-None-Match': '"7", W/"9"' })).status, 304);
    assert.equal((await s.get(`/Users/${gisle.id}`, { 'If-None-Match': '*' })).status, 304);
  });

  test('RFC7644 3.14: a stale If-None-Match gives 200 with the new ETag', async () => {
    const res = await s.get(`/Users/${gisle.id}`, { 'If-None-Match': 'W/"6"' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('etag'), 'W/"7"');
    await res.arrayBuffer();
  });

  test('RFC7644 3.14: the ETag follows the account version', async () => {
    s.index.upsert({ ...account(7), version: 42 });
    const res = await s.get(`/Users/${account(7).id}`);
    assert.equal(res.headers.get('etag'), 'W/"42"');
    assert.equal(((await res.json()) as Json).meta.version, 'W/"42"');
  });
});

describe('media types', () => {
  test('RFC7644 3.8: responses are application/scim+json in UTF-8', async () => {
    for (const p of [`/Users/${gisle.id}`, '/Users', '/ServiceProviderConfig', '/Nothing']) {
      const res = await s.get(p);
      assert.equal(res.headers.get('content-type'), 'application/scim+json; charset=utf-8', p);
      await res.arrayBuffer();
    }
  });

  test('RFC7644 3.8: Accept: application/scim+json and application/json are supported', async () => {
    const scim = await s.get('/Users?count=1', { Accept: 'application/scim+json' });
    assert.equal(scim.headers.get('content-type'), 'application/scim+json; charset=utf-8');
    await scim.arrayBuffer();
    const json = await s.get('/Users?count=1', { Accept: 'application/json' });
    assert.equal(json.status, 200);
    assert.equal(json.headers.get('content-type'), 'application/json; charset=utf-8');
    assert.equal(((await json.json()) as Json).totalResults, 31);
    const any = await s.get('/Users?count=1', { Accept: '*/*' });
    assert.equal(any.headers.get('content-type'), 'application/scim+json; charset=utf-8');
    await any.arrayBuffer();
  });

  test('RFC7644 3.8: an Accept without JSON is 406', async () => {
    const res = await s.get('/Users', { Accept: 'text/html' });
    assert.equal(res.status, 406);
    assert.equal(((await res.json()) as Json).status, '406');
  });

  test('RFC7643 2.1: non-ASCII values survive as UTF-8', async () => {
    s.index.upsert(account(8, { givenName: 'Åse', familyName: 'Ødegård', displayName: 'Åse Ødegård' }));
    const u = (await (await s.get(`/Users/${account(8).id}`)).json()) as Json;
    assert.equal(u.displayName, 'Åse Ødegård');
    const found = (await (await s.get(`/Users?filter=${encodeURIComponent('displayName eq "åse ødegård"')}`)).json()) as Json;
    assert.equal(found.totalResults, 1);
  });
});

describe('unsupported operations', () => {
  test('RFC7644 3.12: POST/PUT/PATCH/DELETE on Users are 501', async () => {
    const cases: Array<[string, string]> = [['POST', '/Users'], ['PUT', `/Users/${gisle.id}`], ['PATCH', `/Users/${gisle.id}`], ['DELETE', `/Users/${gisle.id}`], ['POST', '/Groups']];
    for (const [method, path] of cases) {
      const res = await fetch(s.url + path, { method, headers: { Authorization: 'Bearer dfo-connector-secret-0123456789', 'Content-Type': 'application/scim+json' }, body: method === 'DELETE' ? undefined : '{}' });
      assert.equal(res.status, 501, `${method} ${path}`);
      const body = (await res.json()) as Json;
      assert.deepEqual([body.schemas[0], body.status], ['urn:ietf:params:scim:api:messages:2.0:Error', '501']);
    }
  });

  test('RFC7644 3.7: /Bulk is 501 (bulk.supported=false)', async () => {
    const res = await s.post('/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] });
    assert.equal(res.status, 501);
    await res.arrayBuffer();
  });

  test('RFC7644 3.12: write methods on discovery endpoints are 501', async () => {
    const res = await fetch(`${s.url}/ServiceProviderConfig`, { method: 'DELETE' });
    assert.equal(res.status, 501);
    await res.arrayBuffer();
  });
});

describe('errors', () => {
  test('RFC7644 3.12: internal failures are 500 with no stack trace or internal names', async () => {
    const broken = new AccountIndex();
    broken.get = () => {
      throw new Error('rocksdb handle /var/lib/secret exploded at AccountIndex.get');
    };
    const t = await startTestServer({ index: broken, logger: pino({ level: 'silent' }) });
    try {
      const res = await t.get('/Users/x');
      assert.equal(res.status, 500);
      const text = await res.text();
      assert.deepEqual(JSON.parse(text), { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '500', detail: 'Internal error' });
      assert.doesNotMatch(text, /rocksdb|secret|AccountIndex|at /);
    } finally {
      await t.close();
    }
  });

  test('service readiness: while not ready, /Users is 503 with Retry-After', async () => {
    let ready = false;
    const t = await startTestServer({ ready: () => ready });
    try {
      const res = await t.get('/Users');
      assert.equal(res.status, 503);
      assert.ok(Number(res.headers.get('retry-after')) > 0);
      await res.arrayBuffer();
      ready = true;
      assert.equal((await t.get('/Users?count=0')).status, 200);
    } finally {
      await t.close();
    }
  });
});
