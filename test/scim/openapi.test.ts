/** The OpenAPI document stays true: every documented operation answers as documented, every route is documented. */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createScimApp, routedPaths } from '../../src/scim/app.ts';
import { TokenRegistry } from '../../src/common/tokenRegistry.ts';
import { gisle, PREFIX, startTestServer, TOKEN, type TestServer } from './fixtures.ts';
import { AccountIndex } from '../../src/scim/accountIndex.ts';

type Json = Record<string, any>;
let s: TestServer;
let doc: Json;
beforeAll(async () => {
  s = await startTestServer();
  const res = await fetch(`${s.url}/openapi.json`);
  assert.equal(res.status, 200);
  doc = (await res.json()) as Json;
});
afterAll(() => s.close());

const examples: Record<string, string> = { id: gisle.id, name: 'User', uri: 'no:edu:scim:user' };
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('OpenAPI document', () => {
  test('is OpenAPI 3.1 and served without authentication', () => {
    assert.equal(doc.openapi, '3.1.0');
    assert.deepEqual(doc.servers, [{ url: PREFIX }]);
  });

  test('every documented operation answers with one of its documented statuses', async () => {
    let checked = 0;
    for (const [template, item] of Object.entries(doc.paths as Json)) {
      const path = template.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(examples[n] ?? 'x'));
      for (const method of METHODS.filter((m) => item[m])) {
        const body = method === 'get' || method === 'delete' ? undefined : JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], count: 1 });
        const res = await fetch(s.url + path, {
          method: method.toUpperCase(),
          headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/scim+json' },
          body,
        });
        await res.arrayBuffer();
        const documented = Object.keys(item[method].responses);
        assert.ok(documented.includes(String(res.status)), `${method.toUpperCase()} ${template} answered ${res.status}, documented ${documented}`);
        checked++;
      }
    }
    assert.ok(checked >= 18);
  });

  test('every routed path and method is documented', () => {
    const app = createScimApp({ index: new AccountIndex(), resourceUriPrefix: PREFIX, auth: new TokenRegistry({ tokens: `a:${TOKEN}` }) });
    const routes = routedPaths(app);
    assert.ok(routes.length >= 15);
    for (const { path, methods } of routes) {
      const item = (doc.paths as Json)[path];
      assert.ok(item, `${path} is routed but not documented`);
      for (const m of methods.filter((x) => x !== 'ALL')) assert.ok(item[m.toLowerCase()], `${m} ${path} is routed but not documented`);
    }
  });
});
