/** Conformance: discovery endpoints (RFC 7644 §4, RFC 7643 §5–7) over HTTP. */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './fixtures.ts';

type Json = Record<string, any>;
let s: TestServer;
beforeAll(async () => { s = await startTestServer(); });
afterAll(() => s.close());
const anon = (path: string) => fetch(s.url + path);

describe('discovery', () => {
  test('RFC7644 4: /ServiceProviderConfig is readable without authentication', async () => {
    const res = await anon('/ServiceProviderConfig');
    assert.equal(res.status, 200);
    const spc = (await res.json()) as Json;
    assert.deepEqual(spc.schemas, ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
  });

  test('RFC7643 5: ServiceProviderConfig has every REQUIRED attribute', async () => {
    const spc = (await (await anon('/ServiceProviderConfig')).json()) as Json;
    assert.equal(typeof spc.patch.supported, 'boolean');
    for (const k of ['supported', 'maxOperations', 'maxPayloadSize']) assert.ok(k in spc.bulk, `bulk.${k}`);
    assert.equal(typeof spc.filter.supported, 'boolean');
    assert.equal(typeof spc.filter.maxResults, 'number');
    for (const k of ['changePassword', 'sort', 'etag']) assert.equal(typeof spc[k].supported, 'boolean', k);
    assert.ok(Array.isArray(spc.authenticationSchemes) && spc.authenticationSchemes.length > 0);
    for (const a of spc.authenticationSchemes) {
      assert.ok(['oauth', 'oauth2', 'oauthbearertoken', 'httpbasic', 'httpdigest'].includes(a.type));
      assert.ok(a.name && a.description);
    }
  });

  test('RFC7643 5: ServiceProviderConfig is honest about what is supported', async () => {
    const spc = (await (await anon('/ServiceProviderConfig')).json()) as Json;
    assert.deepEqual([spc.patch.supported, spc.bulk.supported, spc.changePassword.supported], [false, false, false]);
    assert.deepEqual([spc.filter.supported, spc.filter.maxResults, spc.sort.supported, spc.etag.supported], [true, 200, true, true]);
  });

  test('RFC7644 4: /Schemas is a ListResponse with the core User schema and no:edu:scim:user', async () => {
    const list = (await (await anon('/Schemas')).json()) as Json;
    assert.deepEqual(list.schemas, ['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
    assert.equal(list.totalResults, 2);
    assert.deepEqual(list.Resources.map((r: Json) => r.id), ['urn:ietf:params:scim:schemas:core:2.0:User', 'no:edu:scim:user']);
  });

  test('RFC7643 7: every schema attribute has its characteristics', async () => {
    const list = (await (await anon('/Schemas')).json()) as Json;
    const check = (a: Json) => {
      for (const k of ['name', 'type', 'multiValued', 'description', 'required', 'mutability', 'returned', 'uniqueness']) assert.ok(k in a, `${a.name}.${k}`);
      if (a.type === 'string') assert.equal(typeof a.caseExact, 'boolean', `${a.name}.caseExact`);
      for (const sub of a.subAttributes ?? []) check(sub);
    };
    for (const schema of list.Resources) for (const a of schema.attributes) check(a);
    const edu = list.Resources[1].attributes.map((a: Json) => a.name);
    assert.deepEqual(edu, ['accountType', 'employeeNumber', 'studentNumber', 'eduPersonAffiliation', 'eduPersonPrincipalName']);
    const userName = list.Resources[0].attributes.find((a: Json) => a.name === 'userName');
    assert.deepEqual([userName.caseExact, userName.uniqueness, userName.required], [false, 'server', true]);
  });

  test('RFC7644 4: /Schemas/{uri} returns one schema, matched case-insensitively; unknown is 404', async () => {
    const one = (await (await anon('/Schemas/no:edu:scim:user')).json()) as Json;
    assert.equal(one.id, 'no:edu:scim:user');
    const core = await anon('/Schemas/URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER');
    assert.equal(core.status, 200);
    const missing = await anon('/Schemas/urn:nope');
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as Json).status, '404');
  });

  test('RFC7644 4: /ResourceTypes lists User with its schema extension; /ResourceTypes/User returns it', async () => {
    const list = (await (await anon('/ResourceTypes')).json()) as Json;
    assert.equal(list.totalResults, 1);
    const rt = (await (await anon('/ResourceTypes/User')).json()) as Json;
    assert.deepEqual(rt.schemas, ['urn:ietf:params:scim:schemas:core:2.0:ResourceType']);
    assert.deepEqual([rt.name, rt.endpoint, rt.schema], ['User', '/Users', 'urn:ietf:params:scim:schemas:core:2.0:User']);
    assert.deepEqual(rt.schemaExtensions, [{ schema: 'no:edu:scim:user', required: true }]);
    assert.equal((await anon('/ResourceTypes/Group')).status, 404);
  });

  test('RFC7644 4: a filter on a discovery endpoint gets 403', async () => {
    for (const p of ['/ServiceProviderConfig', '/Schemas', '/ResourceTypes', '/Schemas/no:edu:scim:user']) {
      const res = await anon(`${p}?filter=${encodeURIComponent('id pr')}`);
      assert.equal(res.status, 403, p);
      assert.equal(((await res.json()) as Json).status, '403');
    }
  });

  test('RFC7644 4: sort and paging parameters on discovery endpoints are ignored', async () => {
    const list = (await (await anon('/Schemas?count=1&startIndex=2&sortBy=name&sortOrder=descending')).json()) as Json;
    assert.equal(list.Resources.length, 2);
    assert.equal(list.Resources[0].id, 'urn:ietf:params:scim:schemas:core:2.0:User');
  });

  test('RFC7643 3: a User lists only its resource type schema and extension', async () => {
    const list = (await (await s.get('/Users?count=5')).json()) as Json;
    for (const u of list.Resources) assert.deepEqual(u.schemas, ['urn:ietf:params:scim:schemas:core:2.0:User', 'no:edu:scim:user']);
  });

  test('RFC7644 3.11: /Me answers 501', async () => {
    const res = await s.get('/Me');
    assert.equal(res.status, 501);
    assert.equal(((await res.json()) as Json).status, '501');
  });

  test('IntArk profile: /Groups answers an empty ListResponse', async () => {
    const res = await s.get('/Groups');
    assert.equal(res.status, 200);
    const body = (await res.json()) as Json;
    assert.equal(body.totalResults, 0);
    assert.deepEqual(body.Resources, []);
    assert.equal((await s.get('/Groups/x')).status, 404);
  });
});
