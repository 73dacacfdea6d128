import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenRegistry, parseClients } from '../../src/common/tokenRegistry.ts';
import { RateLimiter } from '../../src/scim/auth/rateLimit.ts';

describe('TokenRegistry', () => {
  test('parses name:token pairs, bare tokens, comments and new lines', () => {
    assert.deepEqual(parseClients('dfo:aaa, feide:b:c\n# comment\nbare'), [
      { name: 'dfo', token: 'aaa' }, { name: 'feide', token: 'b:c' }, { name: 'client-3', token: 'bare' },
    ]);
    assert.throws(() => parseClients('dfo:'), /empty token/);
    assert.throws(() => parseClients('a:x,a:y'), /twice/);
  });

  test('authenticates each client by token and refuses others', () => {
    const reg = new TokenRegistry({ tokens: 'dfo:token-dfo-0123456789,feide:token-feide-012345678' });
    assert.equal(reg.authenticate('token-dfo-0123456789'), 'dfo');
    assert.equal(reg.authenticate('token-feide-012345678'), 'feide');
    assert.equal(reg.authenticate('token-dfo-012345678'), undefined);
    assert.equal(reg.authenticate(''), undefined);
    assert.deepEqual(reg.clientNames, ['dfo', 'feide']);
  });

  test('reload() picks up file changes, revokes removed clients, keeps clients on a bad file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-tokens-'));
    const file = join(dir, 'tokens');
    try {
      writeFileSync(file, 'dfo:first-token-0123456789\n');
      const reg = new TokenRegistry({ file, tokens: 'ops:inline-token-0123456789' });
      assert.equal(reg.authenticate('first-token-0123456789'), 'dfo');
      writeFileSync(file, 'feide:second-token-0123456789\n');
      assert.equal(reg.reload(), 2);
      assert.equal(reg.authenticate('first-token-0123456789'), undefined);
      assert.equal(reg.authenticate('second-token-0123456789'), 'feide');
      writeFileSync(file, 'broken:\n');
      reg.reload();
      assert.equal(reg.authenticate('second-token-0123456789'), 'feide');
      rmSync(file);
      assert.equal(reg.reload(), 1);
      assert.equal(reg.authenticate('second-token-0123456789'), undefined);
      assert.equal(reg.authenticate('inline-token-0123456789'), 'ops');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('SIGHUP reloads a watched registry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-tokens-'));
    const file = join(dir, 'tokens');
    try {
      writeFileSync(file, 'dfo:first-token-0123456789\n');
      const reg = new TokenRegistry({ file });
      reg.watch(60_000);
      writeFileSync(file, 'dfo:rotated-token-0123456789\n');
      process.kill(process.pid, 'SIGHUP');
      // Signals arrive asynchronously: wait (bounded) until the handler has run.
      for (let i = 0; i < 200 && reg.authenticate('rotated-token-0123456789') === undefined; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(reg.authenticate('rotated-token-0123456789'), 'dfo');
      assert.equal(reg.authenticate('first-token-0123456789'), undefined);
      reg.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('RateLimiter', () => {
  test('allows a burst, then asks to wait, then refills', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 }, () => now);
    assert.deepEqual([limiter.take('a'), limiter.take('a'), limiter.take('a')], [0, 0, 0]);
    assert.equal(limiter.take('a'), 1);
    assert.equal(limiter.take('b'), 0, 'buckets are per client');
    now += 500;
    assert.equal(limiter.take('a'), 0);
    assert.ok(limiter.take('a') >= 1);
  });

  test('Retry-After covers the wait at a slow rate', () => {
    let now = 0;
    const limiter = new RateLimiter({ perSecond: 0.1, burst: 1 }, () => now);
    assert.equal(limiter.take('a'), 0);
    assert.equal(limiter.take('a'), 10);
  });
});
