import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { describeSchedule, nextRunAt, parseReconcileSchedule } from '../../../src/features/reconcile/schedule.ts';
import { loadConfig, ConfigError } from '../../../src/app/config.ts';

const at = (iso: string) => Date.parse(iso);

describe('IGA_RECONCILE_SCHEDULE', () => {
  test('accepts daily@HH:MM, every Nh and off (or unset)', () => {
    assert.deepEqual(parseReconcileSchedule('daily@03:30'), { kind: 'daily', hour: 3, minute: 30 });
    assert.deepEqual(parseReconcileSchedule(' daily@23:59 '), { kind: 'daily', hour: 23, minute: 59 });
    assert.deepEqual(parseReconcileSchedule('every 6h'), { kind: 'every', hours: 6 });
    assert.deepEqual(parseReconcileSchedule('every24h'), { kind: 'every', hours: 24 });
    assert.deepEqual(parseReconcileSchedule('off'), { kind: 'off' });
    assert.deepEqual(parseReconcileSchedule(undefined), { kind: 'off' });
    assert.deepEqual(parseReconcileSchedule(''), { kind: 'off' });
  });

  test('rejects anything else with a message that shows the grammar', () => {
    for (const bad of ['daily@24:00', 'daily@3:30', 'daily@03:60', 'every 0h', 'every 169h', 'every 6m', 'hourly', 'daily', '03:30']) {
      assert.throws(() => parseReconcileSchedule(bad), /daily@HH:MM.*every Nh/, bad);
    }
  });

  test('is validated with the rest of the configuration', () => {
    assert.throws(() => loadConfig({ IGA_RECONCILE_SCHEDULE: 'weekly' }), (err: unknown) => err instanceof ConfigError && /IGA_RECONCILE_SCHEDULE/.test(err.message));
    assert.deepEqual(loadConfig({ IGA_RECONCILE_SCHEDULE: 'daily@02:15' }).reconcile.schedule, { kind: 'daily', hour: 2, minute: 15 });
    assert.deepEqual(loadConfig({}).reconcile.schedule, { kind: 'off' });
  });

  test('daily runs at the Oslo wall-clock time, today if still ahead, else tomorrow', () => {
    const s = parseReconcileSchedule('daily@03:30');
    // Winter (UTC+1): 03:30 Oslo = 02:30 UTC.
    assert.equal(nextRunAt(s, at('2026-12-01T01:00:00Z')), at('2026-12-01T02:30:00Z'));
    assert.equal(nextRunAt(s, at('2026-12-01T02:30:00Z')), at('2026-12-02T02:30:00Z'));
    // Summer (UTC+2): 03:30 Oslo = 01:30 UTC.
    assert.equal(nextRunAt(s, at('2026-06-15T12:00:00Z')), at('2026-06-16T01:30:00Z'));
    // Late evening UTC is already the next day in Oslo.
    assert.equal(nextRunAt(parseReconcileSchedule('daily@00:10'), at('2026-12-01T23:15:00Z')), at('2026-12-02T23:10:00Z'));
    assert.equal(nextRunAt(parseReconcileSchedule('daily@00:10'), at('2026-12-01T22:05:00Z')), at('2026-12-01T23:10:00Z'));
  });

  test('daily across the spring DST change', () => {
    // 2026-03-29: clocks go 02:00 → 03:00 in Oslo. 04:00 Oslo that day = 02:00 UTC.
    assert.equal(nextRunAt(parseReconcileSchedule('daily@04:00'), at('2026-03-28T04:00:00Z')), at('2026-03-29T02:00:00Z'));
  });

  test('every Nh counts from the anchor', () => {
    const s = parseReconcileSchedule('every 6h');
    const anchor = at('2026-12-01T10:00:00Z');
    assert.equal(nextRunAt(s, anchor, anchor), at('2026-12-01T16:00:00Z'));
    assert.equal(nextRunAt(s, at('2026-12-01T16:00:00Z'), anchor), at('2026-12-01T22:00:00Z'));
    assert.equal(nextRunAt(s, at('2026-12-02T03:00:00Z'), anchor), at('2026-12-02T04:00:00Z'));
  });

  test('off never runs; describe shows the schedule', () => {
    assert.equal(nextRunAt({ kind: 'off' }, Date.now()), null);
    assert.equal(describeSchedule(parseReconcileSchedule('daily@03:05')), 'daily@03:05 (Europe/Oslo)');
    assert.equal(describeSchedule(parseReconcileSchedule('every 12h')), 'every 12h');
    assert.equal(describeSchedule(parseReconcileSchedule('off')), 'off');
  });
});
