/**
 * Runs reconciliation by itself on `IGA_RECONCILE_SCHEDULE`. Every instance keeps the timer, but
 * only the one that owns stream task `0_0` runs when it fires, so a deployment runs each scheduled
 * reconciliation once (after a rebalance the new owner takes over). A run still in progress when
 * the next is due is not doubled.
 */
import type { Logger } from '../../common/log.ts';
import { ReconcileBusyError, type Reconciler } from './run.ts';
import { describeSchedule, nextRunAt, type ReconcileSchedule } from './schedule.ts';

/** The task whose owner runs scheduled reconciliations. */
export const SCHEDULE_OWNER_TASK = '0_0';

export interface ReconcileScheduler {
  /** When the next run is due (epoch ms), or null when the schedule is off. */
  nextRunAt(): number | null;
  stop(): void;
}

/** Longest single timer; the loop re-checks the clock after it (a timer cannot span weeks). */
const MAX_TIMER_MS = 3_600_000;

export function startReconcileScheduler(opts: {
  schedule: ReconcileSchedule;
  reconciler: Reconciler;
  /** True when this instance owns task 0_0 now. */
  isOwner: () => boolean;
  log: Logger;
  clock?: () => number;
  /** Longest single timer (default an hour); tests shorten it so a moved clock is seen at once. */
  maxTimerMs?: number;
}): ReconcileScheduler {
  const now = opts.clock ?? Date.now;
  const anchor = now();
  let due = nextRunAt(opts.schedule, anchor, anchor);
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const arm = () => {
    if (stopped || due === null) return;
    timer = setTimeout(() => void tick(), Math.max(0, Math.min(due - now(), opts.maxTimerMs ?? MAX_TIMER_MS)));
    timer.unref();
  };
  const tick = async () => {
    if (stopped || due === null) return;
    if (now() < due) return arm();
    const at = due;
    due = nextRunAt(opts.schedule, Math.max(now(), at), anchor);
    if (opts.isOwner()) {
      opts.log.info({ schedule: describeSchedule(opts.schedule) }, 'scheduled reconciliation starting');
      try {
        await opts.reconciler.run({ trigger: 'schedule' });
      } catch (err) {
        if (err instanceof ReconcileBusyError) opts.log.warn({ running: err.runId }, 'scheduled reconciliation skipped: a run is in progress');
        else opts.log.error({ err: String(err) }, 'scheduled reconciliation failed');
      }
    } else {
      opts.log.debug({ ownerTask: SCHEDULE_OWNER_TASK }, 'scheduled reconciliation left to the owner of task 0_0');
    }
    arm();
  };
  if (due !== null) opts.log.info({ schedule: describeSchedule(opts.schedule), next: new Date(due).toISOString() }, 'reconciliation scheduled');
  arm();
  return {
    nextRunAt: () => due,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
