/**
 * Repair plan: the synthetic DFØ events that make the topology fetch from DFØ exactly as it would
 * for a missed notification. Pure. One event per DFØ object (`<kind>:<id>`), however many drifts
 * point at it:
 * - position drifts → `stillinger:<id>` (the dfo-events processor fetches it and diffs the holders);
 * - a missing person, a person stored without an employee record, wrong holders → `stillinger:<p>`
 *   for the positions involved, with `resendHolders` naming the person, so their holder event is
 *   sent even when the positions store already agrees with DFØ (the loss happened downstream);
 * - an unknown or stale person with an employee record → `ansatte:<id>` (the person processor
 *   fetches the employee and diffs it; "IKKE ANSATT" blocks the account).
 */
import type { DfoResource } from '../../topology/contracts/raw.ts';
import { compareIds, type Drift, type DriftKind } from './drift.ts';

export interface RepairEvent {
  kind: DfoResource;
  id: string;
  /** Employees whose holder event must be sent even if the stored holders already match. */
  resendHolders: string[];
  /** The drifts this event repairs. */
  repairs: Array<{ kind: DriftKind; subject: string }>;
}

export function planRepairs(drifts: readonly Drift[]): RepairEvent[] {
  const events = new Map<string, RepairEvent>();
  const add = (kind: RepairEvent['kind'], id: string, d: Drift, resend?: string) => {
    const key = `${kind}:${id}`;
    const e = events.get(key) ?? { kind, id, resendHolders: [], repairs: [] };
    if (resend !== undefined && !e.resendHolders.includes(resend)) e.resendHolders.push(resend);
    const subject = `${d.subject.type}:${d.subject.id}`;
    if (!e.repairs.some((r) => r.kind === d.kind && r.subject === subject)) e.repairs.push({ kind: d.kind, subject });
    events.set(key, e);
  };
  for (const d of drifts) {
    if (d.subject.type === 'position') {
      add('stillinger', d.subject.id, d);
    } else if (d.positions && d.positions.length > 0) {
      for (const p of d.positions) add('stillinger', p, d, d.subject.id);
    } else {
      add('ansatte', d.subject.id, d);
    }
  }
  for (const e of events.values()) e.resendHolders.sort(compareIds);
  // Positions first (they bring new people in), then employees; ids in numeric order.
  return [...events.values()].sort((a, b) => (a.kind === b.kind ? compareIds(a.id, b.id) : a.kind === 'stillinger' ? -1 : 1));
}
