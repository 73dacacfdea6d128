import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { isTestNin, usableNin } from '../../src/iga/ninFilter.ts';

describe('isTestNin', () => {
  for (const nin of ['01019900000', '01019900100', '01019900200', '100000']) test(`${nin} is a test number`, () => assert.equal(isTestNin(nin), true));
  for (const nin of ['01019900300', '01019900010', '01019912345', '00000', '00100', '', '0101990000']) {
    test(`${JSON.stringify(nin)} is not`, () => assert.equal(isTestNin(nin), false));
  }
});

describe('usableNin', () => {
  test('keeps real numbers, trimmed', () => {
    assert.equal(usableNin(' 01019912345 '), '01019912345');
  });
  test('missing, blank and test numbers are null by default', () => {
    for (const v of [null, undefined, '', '   ', '01019900000']) assert.equal(usableNin(v), null, String(v));
  });
  test('the policy can keep test numbers', () => {
    assert.equal(usableNin('01019900100', { ignoreTestNins: false }), '01019900100');
    assert.equal(usableNin('01019900100', { ignoreTestNins: true }), null);
  });
});
