/**
 * The mass-change brake, as pure rules (no I/O, no clock): which blocks may go ahead and which are
 * held for an operator. A block is never applied by the account decider directly: it is proposed,
 * grouped with the other blocks of the same cause (one DFØ event, one reconciliation run, one
 * timer day, one policy change), and the group is judged against the limits. A held group waits
 * until an operator releases or discards it. Only blocks are braked; nothing else waits.
 *
 * Two parts:
 * - `judgeGroup`: the brake's verdict on a group of proposed blocks;
 * - `gateBlock`: what the account processor does with a block decision given the person's brake
 *   mark (proposed / discarded) and an incoming verdict, if any.
 */
import { createHash } from 'node:crypto';
import type { AccountDecision, DecisionInput, DecisionReason, DecisionRule } from './accountTypes.ts';

/** The brake's settings (README: IGA_BRAKE_*). */
export interface BrakeLimits {
  /** A group (or the window) with more blocks than this is held; 0 = no absolute limit. */
  maxBlocks: number;
  /** A group (or the window) with more blocks than this share of the active accounts is held; 0 = no share limit. */
  maxShare: number;
  /** The share limit never holds a group of this many blocks or fewer (small universities). */
  minBlocks: number;
  /** Blocks approved automatically within this sliding window count towards the limits; 0 = each group alone. */
  windowMs: number;
  /** How long the brake collects the blocks of one cause before judging them; 0 = judge each on arrival. */
  settleMs: number;
}

export const DEFAULT_BRAKE_LIMITS: BrakeLimits = { maxBlocks: 50, maxShare: 0.05, minBlocks: 10, windowMs: 3_600_000, settleMs: 5_000 };

export type GroupVerdict = { verdict: 'approve' } | { verdict: 'hold'; reason: string };

/**
 * Judges a group of `size` proposed blocks. `approvedInWindow`: blocks approved automatically in
 * the sliding window before this group; `activeAccounts`: active accounts right now, null while
 * unknown (then only the absolute limit applies).
 */
export function judgeGroup(args: { size: number; approvedInWindow: number; activeAccounts: number | null; limits: BrakeLimits }): GroupVerdict {
  const { size, approvedInWindow, activeAccounts, limits } = args;
  const windowMin = Math.round(limits.windowMs / 60_000);
  const shareLimit = limits.maxShare > 0 && activeAccounts !== null && activeAccounts > 0
    ? Math.max(limits.minBlocks, Math.floor(limits.maxShare * activeAccounts))
    : Infinity;
  const pct = (n: number) => (activeAccounts ? `${((100 * n) / activeAccounts).toFixed(1)}%` : '?');
  const sharePct = `${(limits.maxShare * 100).toFixed(1)}%`;
  // The share limit in blocks too: 12 of 239 is 5.02%, which one decimal would show as "5.0%, over 5.0%".
  const blocks = (n: number) => `${n} ${n === 1 ? 'block' : 'blocks'}`;
  if (limits.maxBlocks > 0 && size > limits.maxBlocks) {
    return { verdict: 'hold', reason: `${size} blocks from one cause exceed the limit of ${limits.maxBlocks} (IGA_BRAKE_MAX_BLOCKS)` };
  }
  if (size > shareLimit) {
    return { verdict: 'hold', reason: `${blocks(size)} from one cause are ${pct(size)} of ${activeAccounts} active accounts, over the share limit of ${sharePct} = ${shareLimit} blocks (IGA_BRAKE_MAX_SHARE)` };
  }
  if (limits.windowMs <= 0) return { verdict: 'approve' };
  const total = approvedInWindow + size;
  if (limits.maxBlocks > 0 && total > limits.maxBlocks) {
    return { verdict: 'hold', reason: `${blocks(size)} plus ${approvedInWindow} approved in the last ${windowMin} min make ${total}, over the limit of ${limits.maxBlocks} (IGA_BRAKE_MAX_BLOCKS)` };
  }
  if (total > shareLimit) {
    return { verdict: 'hold', reason: `${blocks(size)} plus ${approvedInWindow} approved in the last ${windowMin} min are ${pct(total)} of ${activeAccounts} active accounts, over the share limit of ${sharePct} = ${shareLimit} blocks (IGA_BRAKE_MAX_SHARE)` };
  }
  return { verdict: 'approve' };
}

/** What caused a decision, as far as the brake groups it. */
export interface CauseRef {
  kind: string;
  id: string;
  raw: { topic: string; partition: number; offset: string } | null;
  /** The reprocess run that replayed the event, if one did. */
  replayRun?: string;
}

/**
 * The key that groups blocks of one cause: a reprocess run (`reprocess:<run>`: every event it
 * replays, as one reconciliation is one cause), the raw DFØ event's coordinates (one notification
 * that fans out to many persons), else `<kind>:<id>` (`reconcile:<run>`, `timer:<day>`, `policy:<version>`).
 */
export function causeKeyOf(cause: CauseRef): string {
  if (cause.replayRun) return `reprocess:${cause.replayRun}`;
  if ((cause.kind === 'ansatte' || cause.kind === 'stillinger') && cause.raw) return `raw:${cause.raw.topic}/${cause.raw.partition}@${cause.raw.offset}`;
  return `${cause.kind}:${cause.id}`;
}

/** A person's brake mark, kept by the account processor. */
export type BrakeMark =
  /** A block was proposed (and may be held in `group`); no second proposal until it is answered. */
  | { status: 'proposed'; causeKey: string; since: string; group?: string }
  /** An operator discarded the block; it is not proposed again while the inputs stay `fingerprint`. */
  | { status: 'discarded'; fingerprint: string; group: string; at: string };

/** The brake's answer about one person's proposed block. */
export interface BrakeVerdict {
  verdict: 'approved' | 'released' | 'held' | 'discarded';
  group: string;
  /** Why (the hold reason, or who released it). */
  detail: string;
}

/** What the account processor does: apply `decision`, keep `mark` (undefined = delete), maybe propose. */
export interface GateResult {
  decision: AccountDecision;
  mark: BrakeMark | undefined;
  propose: boolean;
}

/** Fingerprint of the inputs of a block: the same inputs give the same block. */
export function blockFingerprint(input: Pick<DecisionInput, 'employee' | 'affiliations' | 'policy'>): string {
  const canonical = JSON.stringify([input.employee, [...input.affiliations].map((a) => [a.positionId, a.startDate, a.endDate]).sort(), input.policy.version]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/**
 * Puts a block decision through the brake. A decision other than a block passes unchanged and ends
 * any mark (the person no longer needs blocking, so a later block is a new question). A block is
 * applied only with an approval or a release; otherwise it becomes a `none` decision that says why:
 * proposed now, awaiting the brake, held, or discarded (and not proposed again while the inputs
 * are the same).
 */
export function gateBlock(args: {
  decision: AccountDecision;
  mark: BrakeMark | undefined;
  verdict: BrakeVerdict | undefined;
  fingerprint: string;
  causeKey: string;
  now: string;
}): GateResult {
  const { decision: d, mark, verdict, fingerprint, causeKey, now } = args;
  if (d.kind !== 'block') return { decision: d, mark: undefined, propose: false };
  const none = (rule: DecisionRule, why: string): AccountDecision => ({ kind: 'none', reason: withRule(d.reason, rule, `${d.reason.detail}; ${why}`) });
  if (verdict?.verdict === 'approved' || verdict?.verdict === 'released') {
    const how = verdict.verdict === 'approved' ? `approved by the mass-change brake (group ${verdict.group})` : `released by an operator from the mass-change brake (group ${verdict.group})`;
    return { decision: { ...d, reason: { ...d.reason, detail: `${d.reason.detail}; ${how}` } }, mark: undefined, propose: false };
  }
  if (verdict?.verdict === 'held') {
    const held: BrakeMark = { status: 'proposed', causeKey: mark?.status === 'proposed' ? mark.causeKey : causeKey, since: mark?.status === 'proposed' ? mark.since : now, group: verdict.group };
    return { decision: none('block-held', `held by the mass-change brake in group ${verdict.group}: ${verdict.detail}`), mark: held, propose: false };
  }
  if (verdict?.verdict === 'discarded') {
    return {
      decision: none('block-discarded', `discarded by an operator (mass-change brake group ${verdict.group}); not proposed again until the inputs change`),
      mark: { status: 'discarded', fingerprint, group: verdict.group, at: now },
      propose: false,
    };
  }
  if (mark?.status === 'discarded' && mark.fingerprint === fingerprint) {
    return { decision: none('block-discarded', `the same block was discarded by an operator (mass-change brake group ${mark.group}) and the inputs have not changed`), mark, propose: false };
  }
  if (mark?.status === 'proposed') {
    const where = mark.group ? `held in group ${mark.group}` : `proposed ${mark.since}`;
    return { decision: none('block-awaiting-brake', `the block awaits the mass-change brake (${where})`), mark, propose: false };
  }
  return {
    decision: none('block-proposed', 'block proposed to the mass-change brake'),
    mark: { status: 'proposed', causeKey, since: now },
    propose: true,
  };
}

function withRule(r: DecisionReason, rule: DecisionRule, detail: string): DecisionReason {
  return { ...r, rule, detail };
}
