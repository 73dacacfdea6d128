import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { ConfigError } from '../../src/app/config.ts';
import { policyFromEnv } from '../../src/app/policyConfig.ts';
import { defaultPolicy, makePolicy } from '../../src/iga/policy.ts';

const invalidPolicy = (variable: string) => (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.startsWith(`${variable}:`));

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
      IGA_POLICY_GUEST_MAX_DAYS: '90',
      IGA_POLICY_VERSION: 'uio-1',
    });
    assert.deepEqual({ ...p }, {
      version: 'uio-1',
      startOffsetDays: 6,
      endGraceDays: 3,
      requireExternalUser: true,
      ignoredPositionIds: ['1', '99999999'],
      ignoreTestNins: false,
      guestMaxDays: 90,
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
