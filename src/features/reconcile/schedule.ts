/**
 * `IGA_RECONCILE_SCHEDULE`: when reconciliation runs by itself.
 *   `daily@HH:MM`  every day at that Oslo wall-clock time (e.g. `daily@03:30`)
 *   `every Nh`     every N hours (1–168) after the service started (e.g. `every 6h`)
 *   unset / `off`  never (run it with `iga-stream reconcile` or `POST /admin/reconcile`)
 */
import { z } from 'zod';
import { osloDate, osloInstant } from '../../iga/clock.ts';

export type ReconcileSchedule =
  | { kind: 'off' }
  | { kind: 'daily'; hour: number; minute: number }
  | { kind: 'every'; hours: number };

const HOUR_MS = 3_600_000;

export const reconcileScheduleSchema = z.string().trim().transform((text, ctx): ReconcileSchedule => {
  if (text === '' || text === 'off') return { kind: 'off' };
  const daily = /^daily@(\d{2}):(\d{2})$/.exec(text);
  if (daily) {
    const hour = Number(daily[1]);
    const minute = Number(daily[2]);
    if (hour <= 23 && minute <= 59) return { kind: 'daily', hour, minute };
  }
  const every = /^every\s*(\d{1,3})h$/.exec(text);
  if (every) {
    const hours = Number(every[1]);
    if (hours >= 1 && hours <= 168) return { kind: 'every', hours };
  }
  ctx.addIssue({ code: 'custom', message: `expected 'daily@HH:MM' (Oslo time, 00:00–23:59), 'every Nh' (1–168 hours) or 'off', got ${JSON.stringify(text)}` });
  return z.NEVER;
});

/** Parses a schedule; throws an Error with the reason when the text is not one. */
export function parseReconcileSchedule(text: string | undefined): ReconcileSchedule {
  const r = reconcileScheduleSchema.safeParse(text ?? '');
  if (!r.success) throw new Error(r.error.issues[0]!.message);
  return r.data;
}

/**
 * The next instant (epoch ms, > `after`) a run is due. `every Nh` counts from `anchor` (the
 * service's start). Returns null for `off`.
 */
export function nextRunAt(schedule: ReconcileSchedule, after: number, anchor: number = after): number | null {
  switch (schedule.kind) {
    case 'off':
      return null;
    case 'every': {
      const period = schedule.hours * HOUR_MS;
      const n = Math.floor((after - anchor) / period) + 1;
      return anchor + Math.max(1, n) * period;
    }
    case 'daily': {
      const msOfDay = (schedule.hour * 60 + schedule.minute) * 60_000;
      let day = osloDate(new Date(after));
      for (let i = 0; i < 3; i++) {
        const at = osloInstant(day, msOfDay).getTime();
        if (at > after) return at;
        day = osloDate(new Date(osloInstant(day, 0).getTime() + 36 * HOUR_MS));
      }
      throw new Error('unreachable: no Oslo day ahead');
    }
  }
}

/** The schedule as an operator wrote it. */
export function describeSchedule(s: ReconcileSchedule): string {
  if (s.kind === 'off') return 'off';
  if (s.kind === 'every') return `every ${s.hours}h`;
  return `daily@${String(s.hour).padStart(2, '0')}:${String(s.minute).padStart(2, '0')} (Europe/Oslo)`;
}
