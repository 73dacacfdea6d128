import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidDfoId } from './errors.ts';
import { isDfoId, normaliseId, padId } from './ids.ts';

describe('normaliseId', () => {
  test('strips leading zeros, trims, accepts numbers', () => {
    assert.equal(normaliseId('00101926'), '101926');
    assert.equal(normaliseId(' 101926 '), '101926');
    assert.equal(normaliseId(101926), '101926');
    assert.equal(normaliseId('30001233'), '30001233');
    assert.equal(normaliseId('0'), '0');
    assert.equal(normaliseId('0000'), '0');
    assert.equal(normaliseId(0), '0');
  });

  test('rejects anything but digits with a typed, non-retriable error', () => {
    for (const bad of ['', '  ', 'OLA', '12a', '-1', '1.5', '1e3', '+12', '12 34']) {
      assert.throws(() => normaliseId(bad), (e: unknown) => e instanceof InvalidDfoId && e.retriable === false, bad);
    }
    for (const bad of [-1, 1.5, Number.NaN, 1e21]) assert.throws(() => normaliseId(bad), InvalidDfoId);
  });

  test('padding never changes the identity, and normalising is idempotent', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,12}$/), fc.nat(6), (digits, zeros) => {
        const n = normaliseId(digits);
        assert.equal(normaliseId('0'.repeat(zeros) + digits), n);
        assert.equal(normaliseId(n), n);
        assert.equal(normaliseId(padId(n)), n);
      }),
    );
  });

  test('isDfoId and padId', () => {
    assert.equal(isDfoId('007'), true);
    assert.equal(isDfoId('x'), false);
    assert.equal(isDfoId(null), false);
    assert.equal(padId('101926'), '00101926');
    assert.equal(padId('123456789'), '123456789');
  });
});
