/**
 * What a reconciliation run writes: the synthetic raw DFØ events that repair drift (raw topic, key
 * `<kind>:<id>`, the ingress's schema plus a `reconcile` block), and its audit records (audit topic,
 * key `reconcile:<runId>`, so the explain index — keyed by employee id — never mixes them into a
 * person's decisions). Pure builders; producer.ts sends them.
 */
import { rawEventKey, type RawDfoEventValue } from '../../topology/contracts/raw.ts';
import type { Drift, DriftKind } from './drift.ts';
import type { RepairEvent } from './plan.ts';

/** The audit-topic key of every record of one run. */
export const runAuditKey = (runId: string) => `reconcile:${runId}`;

/** A raw DFØ event as the ingress would write it for a notification, marked as coming from a reconciliation run. */
export function repairRawEvent(e: RepairEvent, runId: string, at: string): { key: string; value: RawDfoEventValue } {
  return {
    key: rawEventKey(e),
    value: {
      kind: e.kind, id: e.id, notBefore: null, firmakode: null, receivedAt: at,
      source: { messageId: null, reconcile: runId },
      reconcile: { runId, ...(e.resendHolders.length > 0 ? { resendHolders: e.resendHolders } : {}) },
    },
  };
}

/** One drift found by a run (`{"type":"drift",...}` on the audit topic). */
export interface DriftAuditRecord {
  type: 'drift';
  v: 1;
  runId: string;
  at: string;
  kind: DriftKind;
  subject: Drift['subject'];
  detail: string;
  /** The raw event key that repairs it (`stillinger:30000011`); null in a dry run. */
  repair: string | null;
}

export type RunOutcome = 'clean' | 'repaired' | 'pending' | 'dry-run' | 'failed';

/** The summary of one run (`{"type":"reconcile-run",...}` on the audit topic). */
export interface RunAuditRecord {
  type: 'reconcile-run';
  v: 1;
  runId: string;
  trigger: 'admin' | 'schedule';
  dryRun: boolean;
  startedAt: string;
  endedAt: string;
  outcome: RunOutcome;
  dfo: { employees: number; positions: number };
  stored: { persons: number; positions: number };
  drift: Record<DriftKind, number>;
  repairEvents: number;
  /** Drifts still visible when the run stopped waiting for its repairs. */
  pending: number;
  error?: string;
}

export function driftAuditRecord(d: Drift, runId: string, at: string, repair: string | null): DriftAuditRecord {
  return { type: 'drift', v: 1, runId, at, kind: d.kind, subject: d.subject, detail: d.detail, repair };
}
