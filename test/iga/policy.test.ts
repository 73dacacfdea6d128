import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPolicy, makePolicy, MAX_POLICY_DAYS, policyFromEnv, policyVersion } from '../../src/iga/policy.ts';
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
    });
    assert.match(version, /^p-[0-9a-f]{10}$/);
    assert.equal(version, policyVersion(values));
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

describe('policyFromEnv', () => {
  test('no variables give the default policy', () => {
    assert.deepEqual(policyFromEnv({}), defaultPolicy);
    assert.deepEqual(policyFromEnv({ PATH: '/bin', IGA_KAFKA_BROKERS: 'x:1' }), defaultPolicy);
  });
  test('empty values count as unset', () => {
    assert.deepEqual(policyFromEnv({ IGA_POLICY_START_OFFSET_DAYS: '', IGA_POLICY_VERSION: '' }), defaultPolicy);
  });
  test('reads every variable', () => {
    const p = policyFromEnv({
      IGA_POLICY_START_OFFSET_DAYS: '6',
      IGA_POLICY_END_GRACE_DAYS: ' 3 ',
      IGA_POLICY_REQUIRE_EXTERNAL_USER: 'true',
      IGA_POLICY_IGNORED_POSITION_IDS: '99999999, 00000001,',
      IGA_POLICY_IGNORE_TEST_NINS: 'no',
      IGA_POLICY_VERSION: 'uio-1',
    });
    assert.deepEqual({ ...p }, {
      version: 'uio-1',
      startOffsetDays: 6,
      endGraceDays: 3,
      requireExternalUser: true,
      ignoredPositionIds: ['1', '99999999'],
      ignoreTestNins: false,
    });
  });
  test('derives the version when none is given', () => {
    const p = policyFromEnv({ IGA_POLICY_START_OFFSET_DAYS: '6' });
    assert.equal(p.version, makePolicy({ startOffsetDays: 6 }).version);
    assert.notEqual(p.version, defaultPolicy.version);
  });
  test('accepts the boolean spellings of config.ts', () => {
    for (const [v, want] of [['true', true], ['1', true], ['yes', true], ['false', false], ['0', false], ['no', false]] as const) {
      assert.equal(policyFromEnv({ IGA_POLICY_REQUIRE_EXTERNAL_USER: v }).requireExternalUser, want);
    }
  });
  test('names each bad variable', () => {
    assert.throws(() => policyFromEnv({ IGA_POLICY_START_OFFSET_DAYS: 'six' }), invalidPolicy('IGA_POLICY_START_OFFSET_DAYS'));
    assert.throws(() => policyFromEnv({ IGA_POLICY_END_GRACE_DAYS: '-1' }), invalidPolicy('IGA_POLICY_END_GRACE_DAYS'));
    assert.throws(() => policyFromEnv({ IGA_POLICY_REQUIRE_EXTERNAL_USER: 'maybe' }), invalidPolicy('IGA_POLICY_REQUIRE_EXTERNAL_USER'));
    assert.throws(() => policyFromEnv({ IGA_POLICY_END_GRACE_DAYS: '99999' }), invalidPolicy('IGA_POLICY_END_GRACE_DAYS'));
  });
});
