/**
 * The publisher's view, assembled from the indexes without I/O: what became of one change (each
 * driver's tag, `pending` where a driver has not tagged it yet) and of one message (accepted or
 * rejected, its decisions, the changes it made and their tags).
 */
import type { ChangeStatus, MatchingTag, ValidationTag } from '../../topology/contracts/changeStatus.ts';
import type { AcceptedMessage, DecisionSummary, RejectedMessage } from './indexes.ts';

export type TagView =
  | { state: 'pending' }
  | Pick<ChangeStatus, 'state' | 'attempts' | 'at'> & { error?: string; nextAttemptAt?: string };

export interface ChangeView {
  changeId: string;
  accountId: string;
  version: number;
  type: 'CREATE' | 'MODIFY' | null;
  employeeId: string | null;
  decision: { kind: string; rule: string; at: string; cause: { kind: string; id: string } } | null;
  messageId: string | null;
  /** Per destination (driver) name. */
  tags: Record<string, TagView>;
  /** complete: every destination holds it; failed: one refused it; pending: one has not finished (waiting or retrying). */
  outcome: 'complete' | 'failed' | 'pending';
}

export interface MessageView {
  messageId: string;
  /**
   * accepted: on the raw topic (mirrored for processing); rejected: dead-lettered by the ingress or the
   * publisher input (see `rejected` for why); invalid: a published profile the validation step refused
   * (see `validation.reasons`; it is kept on the dead-letter topic, listed in `rejected`); held: a valid
   * published profile the person directory holds for an operator (see `matching`).
   */
  status: 'accepted' | 'rejected' | 'invalid' | 'held';
  accepted: AcceptedMessage[];
  rejected: RejectedMessage[];
  /** Every audited account decision it caused, in topic order: those that changed or sent something, and any on a person without an account (contracts/audit.ts isAudited). */
  decisions: DecisionSummary[];
  /** The account changes it made, each with its tags. */
  changes: ChangeView[];
  /**
   * A published profile's verdict (destination `validation`): `valid`, `invalid` with every reason, or
   * `pending` while it waits for the validation step; null for a DFØ message.
   */
  validation: ValidationView | null;
  /** A published profile the person directory could not match on its own: held (reason, candidates), or released by an operator; null otherwise. */
  matching: MatchingView | null;
  /** Every change complete at every destination (and a published profile found valid and not held). */
  complete: boolean;
}

export type ValidationView = { state: 'pending' } | Pick<ValidationTag, 'state' | 'reasons' | 'publisher' | 'policyVersion' | 'raw' | 'at'>;

export type MatchingView = Pick<MatchingTag, 'state' | 'reasons' | 'candidates' | 'at'> & { person?: string; by?: string };

const CHANGE_ID = /^(.+):v(\d+)$/;

/** A change's view; null when nothing is known of it (no decision made it, no destination tagged it). */
export function changeView(changeId: string, decision: DecisionSummary | undefined, tags: ChangeStatus[], drivers: readonly string[]): ChangeView | null {
  const m = CHANGE_ID.exec(changeId);
  if (!m || (!decision && tags.length === 0)) return null;
  const byDestination: Record<string, TagView> = {};
  for (const d of drivers) byDestination[d] = { state: 'pending' };
  for (const t of [...tags].sort((a, b) => a.destination.localeCompare(b.destination))) {
    byDestination[t.destination] = { state: t.state, attempts: t.attempts, at: t.at, ...(t.error ? { error: t.error } : {}), ...(t.nextAttemptAt ? { nextAttemptAt: t.nextAttemptAt } : {}) };
  }
  const states = Object.values(byDestination).map((t) => t.state);
  const outcome = states.includes('failed') ? 'failed' : states.every((s) => s === 'complete') ? 'complete' : 'pending';
  return {
    changeId, accountId: m[1]!, version: Number(m[2]),
    type: decision?.change?.type ?? null,
    employeeId: decision?.employeeId ?? null,
    decision: decision ? { kind: decision.decision, rule: decision.rule, at: decision.at, cause: decision.cause } : null,
    messageId: decision?.messageId ?? tags.find((t) => t.messageId)?.messageId ?? null,
    tags: byDestination, outcome,
  };
}

/** A message's view; null when iga-stream has no trace of it (not received, or not yet). */
export function messageView(
  messageId: string,
  found: { accepted: AcceptedMessage[]; rejected: RejectedMessage[]; decisions: DecisionSummary[]; validation?: ValidationTag | null; matching?: MatchingTag | null },
  changes: ChangeView[],
): MessageView | null {
  const tag = found.validation ?? null;
  if (found.accepted.length === 0 && found.rejected.length === 0 && found.decisions.length === 0 && changes.length === 0 && tag === null) return null;
  const published = tag !== null || found.accepted.some((a) => a.kind === 'profile');
  const validation: ValidationView | null = tag
    ? { state: tag.state, reasons: tag.reasons, publisher: tag.publisher, policyVersion: tag.policyVersion, raw: tag.raw, at: tag.at }
    : published ? { state: 'pending' } : null;
  // A message on a raw topic was accepted, even if a redelivery of it was rejected later; a profile then has its verdict.
  const m = found.matching ?? null;
  const matching: MatchingView | null = m ? { state: m.state, reasons: m.reasons, candidates: m.candidates, at: m.at, ...(m.person ? { person: m.person } : {}), ...(m.by ? { by: m.by } : {}) } : null;
  const status = validation?.state === 'invalid' ? 'invalid' : matching?.state === 'held' ? 'held' : found.accepted.length > 0 || tag !== null || found.rejected.length === 0 ? 'accepted' : 'rejected';
  return {
    messageId, status,
    accepted: found.accepted, rejected: found.rejected, decisions: found.decisions,
    changes, validation, matching,
    complete: (validation === null || validation.state === 'valid') && matching?.state !== 'held' && changes.every((c) => c.outcome === 'complete'),
  };
}

/** The change ids a message led to: from its decisions and from the tags under it, once each, in order. */
export function changeIdsOf(decisions: DecisionSummary[], tagged: Array<{ changeId: string }>): string[] {
  return [...new Set([...decisions.flatMap((d) => (d.change ? [d.change.changeId] : [])), ...tagged.map((t) => t.changeId)])];
}
