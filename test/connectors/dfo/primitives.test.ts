import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { parseDfoDate, toArray } from '../../../connectors/dfo/primitives.ts';
import { backoffDelay, parseRetryAfter, isRetriableStatus } from '../../../connectors/dfo/retry.ts';

describe('toArray', () => {
  test('normalises every spelling of a DFØ list', () => {
    assert.deepEqual(toArray(null), []);
    assert.deepEqual(toArray(undefined), []);
    assert.deepEqual(toArray({ a: 1 }), [{ a: 1 }]);
    assert.deepEqual(toArray([{ a: 1 }, null, { a: 2 }]), [{ a: 1 }, { a: 2 }]);
    assert.deepEqual(toArray([]), []);
  });
});

describe('parseDfoDate', () => {
  test('reads YYYY-MM-DD, ISO datetimes and SAP YYYYMMDD', () => {
    assert.equal(parseDfoDate('2020-08-23'), '2020-08-23');
    assert.equal(parseDfoDate('2019-01-01T00:00:00.0000000+00:00'), '2019-01-01');
    assert.equal(parseDfoDate('2019-01-01T23:30:00Z'), '2019-01-01');
    assert.equal(parseDfoDate('20200823'), '2020-08-23');
    assert.equal(parseDfoDate(' 2024-02-29 '), '2024-02-29');
  });
  test('open and empty dates are null', () => {
    for (const open of ['9999-12-31', '9999-01-01', '9999-12-31T00:00:00.0000000+00:00', '', '0000-00-00', '00000000', null, undefined]) {
      assert.equal(parseDfoDate(open), null, String(open));
    }
  });
  test('impossible or unreadable dates are undefined', () => {
    for (const bad of ['2019-02-30', '2023-02-29', '2020-13-01', '23.08.2020', 'snart', '2020-8-1']) {
      assert.equal(parseDfoDate(bad), undefined, bad);
    }
  });
});

describe('retry arithmetic', () => {
  const policy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };
  test('full jitter stays within the exponential ceiling and the cap', () => {
    assert.equal(backoffDelay(1, policy, () => 0), 0);
    assert.equal(backoffDelay(1, policy, () => 0.999999), 99);
    assert.equal(backoffDelay(3, policy, () => 0.999999), 399);
    assert.equal(backoffDelay(10, policy, () => 0.999999), 999);
  });
  test('Retry-After as seconds or HTTP date', () => {
    assert.equal(parseRetryAfter(null), null);
    assert.equal(parseRetryAfter('2'), 2000);
    assert.equal(parseRetryAfter('soon'), null);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now), 3000);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0);
  });
  test('which statuses are retried', () => {
    for (const s of [408, 425, 429, 500, 502, 503, 504]) assert.equal(isRetriableStatus(s), true, String(s));
    for (const s of [400, 401, 403, 404, 405, 410]) assert.equal(isRetriableStatus(s), false, String(s));
  });
});
