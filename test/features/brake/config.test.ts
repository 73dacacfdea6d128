/** The brake's settings: documented defaults, overrides, and errors that name the variable. */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../../src/app/config.ts';
import { DEFAULT_BRAKE_LIMITS } from '../../../src/iga/brake.ts';

test('the brake defaults are the documented ones', () => {
  assert.deepEqual(loadConfig({}).brake, DEFAULT_BRAKE_LIMITS);
});

test('IGA_BRAKE_* override them; 0 is allowed (a limit off, no window, no settle)', () => {
  const c = loadConfig({ IGA_BRAKE_MAX_BLOCKS: '0', IGA_BRAKE_MAX_SHARE: '0.1', IGA_BRAKE_MIN_BLOCKS: '3', IGA_BRAKE_WINDOW_MS: '0', IGA_BRAKE_SETTLE_MS: '0' });
  assert.deepEqual(c.brake, { maxBlocks: 0, maxShare: 0.1, minBlocks: 3, windowMs: 0, settleMs: 0 });
});

test('bad values stop start-up naming the variable', () => {
  assert.throws(() => loadConfig({ IGA_BRAKE_MAX_SHARE: '5' }), (e: unknown) => e instanceof ConfigError && /IGA_BRAKE_MAX_SHARE/.test(e.message));
  assert.throws(() => loadConfig({ IGA_BRAKE_MAX_BLOCKS: '-1' }), (e: unknown) => e instanceof ConfigError && /IGA_BRAKE_MAX_BLOCKS/.test(e.message));
  assert.throws(() => loadConfig({ IGA_BRAKE_SETTLE_MS: 'soon' }), (e: unknown) => e instanceof ConfigError && /IGA_BRAKE_SETTLE_MS/.test(e.message));
});
