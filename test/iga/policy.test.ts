import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { defaultPolicy, makePolicy, MAX_POLICY_DAYS, policyVersion } from '../../src/iga/policy.ts';
import { IgaRuleError } from '../../src/iga/errors.ts';

const invalidPolicy = (fragment: string) => (e: unknown) =>
  e instanceof IgaRuleError && e.code === 'invalid-policy' && e.retriable === false && e.message.includes(fragment);

describe('defaultPolicy', () => {
  test('counts exact DFØ dates for everyone and ignores the placeholder position and test nins', () => {
    const { version, ...values } = defaultPolicy;
    assert.deepEqual(values, {
      startOffsetDays: 0,
      endGraceDays: 0,
      requireExternalUser: false,
      ignoredPositionIds: ['99999999'],
      ignoreTestNins: true,
      guestMaxDays: 180,
    });
    assert.match(version, /^p-[0-9a-f]{10}$/);
    assert.equal(version, policyVersion(values));
  });
  test('the guest limit added later keeps the versions derived before it while at its default; another value is a new version', () => {
    const { version: _v, guestMaxDays: _g, ...before } = defaultPolicy;
    const hashedBefore = `p-${createHash('sha256').update(JSON.stringify([before.startOffsetDays, before.endGraceDays, before.requireExternalUser, before.ignoredPositionIds, before.ignoreTestNins])).digest('hex').slice(0, 10)}`;
    assert.equal(defaultPolicy.version, hashedBefore);
    assert.notEqual(makePolicy({ guestMaxDays: 30 }).version, defaultPolicy.version);
  });
  test('is frozen', () => {
    assert.ok(Object.isFrozen(defaultPolicy));
  });
});

describe('policyVersion', () => {
  test('is deterministic and depends on every value', () => {
    const base = makePolicy();
    assert.equal(makePolicy().version, base.version);
    const variants = [
      makePolicy({ startOffsetDays: 6 }),
      makePolicy({ endGraceDays: 1 }),
      makePolicy({ requireExternalUser: true }),
      makePolicy({ ignoredPositionIds: [] }),
      makePolicy({ ignoreTestNins: false }),
    ];
    const versions = new Set([base.version, ...variants.map((p) => p.version)]);
    assert.equal(versions.size, variants.length + 1);
  });
  test('ignores the order, duplicates and zero-padding of ignored position ids', () => {
    const a = makePolicy({ ignoredPositionIds: ['99999999', '30001233'] });
    const b = makePolicy({ ignoredPositionIds: ['030001233', '30001233', '99999999'] });
    assert.equal(a.version, b.version);
    assert.deepEqual(b.ignoredPositionIds, ['30001233', '99999999']);
  });
});

describe('makePolicy', () => {
  test('an explicit version wins', () => {
    assert.equal(makePolicy({ version: 'uio-2024.1', startOffsetDays: 6 }).version, 'uio-2024.1');
  });
  test('rejects out-of-range, fractional and malformed values', () => {
    assert.throws(() => makePolicy({ startOffsetDays: -1 }), invalidPolicy('startOffsetDays'));
    assert.throws(() => makePolicy({ endGraceDays: MAX_POLICY_DAYS + 1 }), invalidPolicy('endGraceDays'));
    assert.throws(() => makePolicy({ endGraceDays: 1.5 }), invalidPolicy('endGraceDays'));
    assert.throws(() => makePolicy({ ignoredPositionIds: ['abc'] }), invalidPolicy('ignoredPositionIds'));
    assert.throws(() => makePolicy({ version: 'has space' }), invalidPolicy('version'));
    assert.throws(() => makePolicy({ version: '' }), invalidPolicy('version'));
  });
  test('accepts the limits', () => {
    assert.equal(makePolicy({ startOffsetDays: MAX_POLICY_DAYS, endGraceDays: 0 }).startOffsetDays, MAX_POLICY_DAYS);
  });
});
