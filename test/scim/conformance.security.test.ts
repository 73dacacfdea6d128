/** Conformance: authentication, revocation, rate limits and request budgets (RFC 7644 §2, §7). */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenRegistry } from '../../src/common/tokenRegistry.ts';
import { account, OTHER_TOKEN, startTestServer, TOKEN } from './fixtures.ts';

type Json = Record<string, any>;

describe('authentication', () => {
  test('RFC7644 2: a request without credentials is 401 with WWW-Authenticate', async () => {
    const s = await startTestServer();
    try {
      for (const p of ['/Users', '/Users/x', '/Groups', '/Me']) {
        const res = await fetch(s.url + p);
        assert.equal(res.status, 401, p);
        assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="iga-stream"');
        assert.equal(((await res.json()) as Json).status, '401');
      }
    } finally {
      await s.close();
    }
  });

  test('RFC7644 2: an unknown or malformed token is 401', async () => {
    const s = await startTestServer();
    try {
      for (const h of [{ Authorization: 'Bearer wrong' }, { Authorization: `Basic ${TOKEN}` }, { Authorization: `Bearer ${TOKEN}x` }, { 'X-API-Key': 'wrong' }]) {
        const res = await fetch(`${s.url}/Users`, { headers: h });
        assert.equal(res.status, 401, JSON.stringify(h));
        await res.arrayBuffer();
      }
    } finally {
      await s.close();
    }
  });

  test('IntArk: bearer token, X-Gravitee-Api-Key and X-API-Key all authenticate', async () => {
    const s = await startTestServer();
    try {
      for (const h of [{ Authorization: `bearer ${TOKEN}` }, { 'X-Gravitee-Api-Key': OTHER_TOKEN }, { 'X-API-Key': TOKEN }]) {
        const res = await fetch(`${s.url}/Users?count=0`, { headers: h });
        assert.equal(res.status, 200, JSON.stringify(h));
        await res.arrayBuffer();
      }
      for (const h of [{ Authorization: 'Basic Z3c6Z3c=', 'X-Gravitee-Api-Key': TOKEN }]) {
        const res = await fetch(`${s.url}/Users?count=0`, { headers: h });
        assert.equal(res.status, 200, 'an API key counts when Authorization is not a bearer token');
        await res.arrayBuffer();
      }
    } finally {
      await s.close();
    }
  });

  test('with no clients configured every /Users request is refused; discovery stays open', async () => {
    const s = await startTestServer({ auth: new TokenRegistry({ tokens: '' }) });
    try {
      const res = await s.get('/Users');
      assert.equal(res.status, 401);
      await res.arrayBuffer();
      assert.equal((await fetch(`${s.url}/ServiceProviderConfig`)).status, 200);
    } finally {
      await s.close();
    }
  });

  test('a function-based client list is read on every request', async () => {
    let clients = [{ name: 'dfo', token: TOKEN }];
    const s = await startTestServer({ auth: { tokens: () => clients } });
    try {
      assert.equal((await s.get('/Users?count=0')).status, 200);
      clients = [];
      assert.equal((await s.get('/Users?count=0')).status, 401);
    } finally {
      await s.close();
    }
  });

  test('a token removed from the token file is revoked on reload, without a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-'));
    const file = join(dir, 'tokens');
    writeFileSync(file, `dfo:${TOKEN}\nfeide:${OTHER_TOKEN}\n`);
    const registry = new TokenRegistry({ file });
    const s = await startTestServer({ auth: registry });
    try {
      assert.equal((await s.get('/Users?count=0')).status, 200);
      writeFileSync(file, `feide:${OTHER_TOKEN}\n`);
      registry.reload();
      assert.equal((await s.get('/Users?count=0')).status, 401);
      assert.equal((await s.get('/Users?count=0', { Authorization: `Bearer ${OTHER_TOKEN}` })).status, 200);
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('limits', () => {
  test('per-client rate limit gives 429 with Retry-After, other clients unaffected', async () => {
    const s = await startTestServer({ rateLimit: { perSecond: 0.01, burst: 3 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await s.get('/Users?count=0');
        statuses.push(res.status);
        if (res.status === 429) {
          assert.ok(Number(res.headers.get('retry-after')) >= 1);
          assert.equal(((await res.json()) as Json).status, '429');
        } else await res.arrayBuffer();
      }
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      assert.equal((await s.get('/Users?count=0', { Authorization: `Bearer ${OTHER_TOKEN}` })).status, 200);
    } finally {
      await s.close();
    }
  });

  test('a scan that outlives the request budget is stopped with 503', async () => {
    const accounts = Array.from({ length: 3000 }, (_, i) => account(i + 1));
    const s = await startTestServer({ queryTimeoutMs: -1 }, accounts);
    try {
      const res = await s.get(`/Users?filter=${encodeURIComponent('displayName co "x"')}`);
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as Json).status, '503');
      assert.equal((await s.get('/Users?filter=userName%20eq%20%22user1@uib.no%22')).status, 200, 'indexed lookups never scan');
    } finally {
      await s.close();
    }
  });

  test('request bodies above the limit are 413', async () => {
    const s = await startTestServer({ maxBodyBytes: 100 });
    try {
      const res = await s.post('/Users/.search', { filter: `userName eq "${'a'.repeat(200)}"` });
      assert.equal(res.status, 413);
      assert.equal(((await res.json()) as Json).status, '413');
    } finally {
      await s.close();
    }
  });

  test('a body nested 10,000 deep or with a 2,000-element array is refused as invalid syntax (400), never a 500', async () => {
    const s = await startTestServer();
    try {
      const deep = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
      const wide = JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], attributes: Array.from({ length: 2000 }, () => 'a') });
      for (const [body, reason] of [[deep, /nested deeper than 16 levels/], [wide, /more than 1000 elements/]] as const) {
        const res = await fetch(`${s.url}/Users/.search`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/scim+json' }, body });
        assert.equal(res.status, 400);
        const error = (await res.json()) as Json;
        assert.equal(error.scimType, 'invalidSyntax');
        assert.match(error.detail, reason);
      }
    } finally {
      await s.close();
    }
  });
});
