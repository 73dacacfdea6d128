/**
 * One instance's status for an operator (`GET /admin/status`, `iga-stream status`): is it ready,
 * which tasks it runs, whether the topology and the egress have processed everything, how far
 * its replicas are behind, what the connectors did, what the brake holds, the latest
 * reconciliation, and whether anything was dead-lettered. Gathered on request from the parts.
 */
import type { PartitionLag } from '../../runtime/index.ts';

export interface GroupProgress {
  group: string;
  /** Offsets behind, summed (records and transaction markers). */
  behind: number;
  caughtUp: boolean;
  /** Topics with committed records left to read, with their offsets behind. */
  lagging: Array<{ topic: string; behind: number }>;
}

export interface InstanceStatus {
  instance: string;
  app: string;
  startedAt: string;
  uptimeSeconds: number;
  ready: boolean;
  /** The readiness parts (what `/readyz` answers). */
  parts: Record<string, boolean>;
  streams: { state: string; tasks: string[] };
  progress: { topology: GroupProgress; egress: GroupProgress | null };
  replicas: Record<string, { ready: boolean; lag?: number; records?: number }>;
  ingress: Record<string, number | boolean | string | null> | null;
  egress: Record<string, number | boolean> | null;
  brake: { heldGroups: number; heldBlocks: number; collectingGroups: number } | null;
  reconcile: { running: string | null; last: { runId: string; endedAt: string; outcome: string; trigger: string; drift: number } | null } | null;
  /** The change drivers on this instance, by name: what each handled and whether it waits for its destination (null: none configured). */
  drivers?: Record<string, { group: string; applied: number; unchanged: number; failed: number; skipped: number; retries: number; retrying: number; lastError: string | null }> | null;
  /** Offsets in the dead-letter topic (records and transaction markers); 0: nothing was dead-lettered. */
  deadLetterOffsets: number;
  /** The schema registry the topics relying parties read are registered with (absent: plain JSON). */
  schemaRegistry?: { url: string; compatibility: string; subjects: Array<{ subject: string; schemaId: number }> };
}

/** Sums one group's partitions into what the operator reads first. */
export function groupProgress(group: string, parts: PartitionLag[]): GroupProgress {
  const byTopic = new Map<string, { behind: number; caughtUp: boolean }>();
  for (const p of parts) {
    const t = byTopic.get(p.topic) ?? { behind: 0, caughtUp: true };
    byTopic.set(p.topic, { behind: t.behind + p.behind, caughtUp: t.caughtUp && p.caughtUp });
  }
  const lagging = [...byTopic].filter(([, t]) => !t.caughtUp).map(([topic, t]) => ({ topic, behind: t.behind }));
  return { group, behind: parts.reduce((n, p) => n + p.behind, 0), caughtUp: lagging.length === 0, lagging };
}
