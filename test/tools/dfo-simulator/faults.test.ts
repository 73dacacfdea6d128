import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { FaultInjector } from '../../../tools/dfo-simulator/faults.ts';
import { createRng } from '../../../tools/dfo-simulator/prng.ts';

describe('FaultInjector', () => {
  test('counts are consumed in order timeout, gateway404, 429, 5xx', () => {
    const f = new FaultInjector(createRng(1));
    f.set({ timeout: { count: 1 }, gateway404: { count: 1 }, rateLimit: { count: 2, retryAfterSeconds: 3 }, serverError: { count: 1, status: 502 } });
    const kinds = Array.from({ length: 7 }, () => f.decide('ansatte'));
    assert.deepEqual(kinds, [
      { kind: 'timeout' }, { kind: 'gateway404' },
      { kind: 'rateLimit', retryAfterSeconds: 3 }, { kind: 'rateLimit', retryAfterSeconds: 3 },
      { kind: 'serverError', status: 502 }, { kind: 'none' }, { kind: 'none' },
    ]);
  });

  test('`only` limits faults to one resource; set({}) clears; bad input throws', () => {
    const f = new FaultInjector(createRng(1));
    f.set({ only: 'stillinger', serverError: { count: 5 } });
    assert.equal(f.decide('ansatte').kind, 'none');
    assert.equal(f.decide('stillinger').kind, 'serverError');
    f.set({});
    assert.equal(f.decide('stillinger').kind, 'none');
    assert.throws(() => f.set({ serverError: { share: 2 } }));
  });

  test('`ids` limits faults to requests for those objects, in any zero padding; collections get none', () => {
    const f = new FaultInjector(createRng(1));
    f.set({ only: 'ansatte', ids: ['00100002'], serverError: { share: 1 } });
    assert.equal(f.decide('ansatte', '100002').kind, 'serverError');
    assert.equal(f.decide('ansatte', '100001').kind, 'none');
    assert.equal(f.decide('ansatte').kind, 'none', 'the collection');
    assert.equal(f.decide('stillinger', '100002').kind, 'none');
    assert.throws(() => f.set({ ids: ['abc'] }));
  });

  test('a share fires for roughly that share of requests, reproducibly', () => {
    const run = () => {
      const f = new FaultInjector(createRng(9));
      f.set({ rateLimit: { share: 0.3 } });
      return Array.from({ length: 1000 }, () => f.decide('ansatte').kind === 'rateLimit').filter(Boolean).length;
    };
    const hits = run();
    assert.equal(hits, run());
    assert.ok(hits > 200 && hits < 400, String(hits));
  });
});
