import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InvalidDfoId } from '../../../connectors/dfo/errors.ts';
import { padId, requireDfoId } from '../../../connectors/dfo/ids.ts';

describe('requireDfoId', () => {
  test('strips leading zeros, trims, accepts numbers', () => {
    assert.equal(requireDfoId('00101926'), '101926');
    assert.equal(requireDfoId(' 101926 '), '101926');
    assert.equal(requireDfoId(101926), '101926');
    assert.equal(requireDfoId('30001233'), '30001233');
    assert.equal(requireDfoId('0'), '0');
    assert.equal(requireDfoId('0000'), '0');
    assert.equal(requireDfoId(0), '0');
  });

  test('rejects anything but digits with a typed, non-retriable error', () => {
    for (const bad of ['', '  ', 'OLA', '12a', '-1', '1.5', '1e3', '+12', '12 34']) {
      assert.throws(() => requireDfoId(bad), (e: unknown) => e instanceof InvalidDfoId && e.retriable === false, bad);
    }
    for (const bad of [-1, 1.5, Number.NaN, 1e21, 2 ** 60]) assert.throws(() => requireDfoId(bad), InvalidDfoId);
  });

  test('padding never changes the identity, and normalising is idempotent', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,12}$/), fc.nat(6), (digits, zeros) => {
        const n = requireDfoId(digits);
        assert.equal(requireDfoId('0'.repeat(zeros) + digits), n);
        assert.equal(requireDfoId(n), n);
        assert.equal(requireDfoId(padId(n)), n);
      }),
    );
  });

  test('padId', () => {
    assert.equal(padId('101926'), '00101926');
    assert.equal(padId('123456789'), '123456789');
  });
});
