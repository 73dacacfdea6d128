import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { ReconcileBusyError, type Reconciler, type RunOptions } from '../../../src/features/reconcile/run.ts';
import { SCHEDULE_OWNER_TASK, startReconcileScheduler } from '../../../src/features/reconcile/scheduler.ts';

const log = pino({ level: 'silent' });
const HOUR = 3_600_000;
const START = Date.parse('2026-12-01T10:00:00Z');

/** A scheduler on a clock the test moves; its timer re-checks the clock every few ms. */
function setup(isOwner: () => boolean, opts: { busy?: boolean } = {}) {
  const clock = { now: START };
  const runs: RunOptions[] = [];
  let attempts = 0;
  const reconciler = {
    run: async (o: RunOptions) => { attempts++; if (opts.busy) throw new ReconcileBusyError('r0'); runs.push(o); },
  } as unknown as Reconciler;
  const scheduler = startReconcileScheduler({ schedule: { kind: 'every', hours: 6 }, reconciler, isOwner, log, clock: () => clock.now, maxTimerMs: 2 });
  return { clock, runs, scheduler, attempts: () => attempts };
}

const until = async (what: string, cond: () => boolean) => {
  for (let i = 0; i < 2000 && !cond(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(cond(), what);
};
const ticks = (n: number) => new Promise((r) => setTimeout(r, n * 4));

describe('reconcile scheduler', () => {
  test('the owner of task 0_0 runs when the time comes (trigger schedule), then one period later', async () => {
    assert.equal(SCHEDULE_OWNER_TASK, '0_0');
    const s = setup(() => true);
    try {
      assert.equal(s.scheduler.nextRunAt(), START + 6 * HOUR);
      s.clock.now = START + 6 * HOUR - 1;
      await ticks(5);
      assert.equal(s.runs.length, 0, 'not before it is due');
      s.clock.now = START + 6 * HOUR;
      await until('the scheduled run', () => s.runs.length === 1);
      assert.deepEqual(s.runs[0], { trigger: 'schedule' });
      assert.equal(s.scheduler.nextRunAt(), START + 12 * HOUR);
      await ticks(5);
      assert.equal(s.runs.length, 1, 'once per due time');
    } finally {
      s.scheduler.stop();
    }
  });

  test('an instance that does not own task 0_0 leaves the run to the owner', async () => {
    const s = setup(() => false);
    try {
      s.clock.now = START + 6 * HOUR;
      await until('the due time to pass', () => s.scheduler.nextRunAt() === START + 12 * HOUR);
      assert.equal(s.attempts(), 0);
    } finally {
      s.scheduler.stop();
    }
  });

  test('a run still in progress is not doubled, and the schedule goes on', async () => {
    const s = setup(() => true, { busy: true });
    try {
      s.clock.now = START + 6 * HOUR;
      await until('the attempt', () => s.attempts() === 1);
      assert.equal(s.runs.length, 0);
      assert.equal(s.scheduler.nextRunAt(), START + 12 * HOUR);
    } finally {
      s.scheduler.stop();
    }
  });

  test('stop() ends the timer', async () => {
    const s = setup(() => true);
    s.scheduler.stop();
    s.clock.now = START + 6 * HOUR;
    await ticks(5);
    assert.equal(s.attempts(), 0);
  });
});
