/**
 * The mass-change brake (sub-topology D, keyed by the one key `brake`, so a single task sees every
 * proposed block of the deployment). Proposed blocks are grouped by their cause for the settle
 * window (counted in punctuation ticks, which run on the monotonic timer, so a business clock that
 * stands still or jumps does not stretch or skip it), then judged (src/iga/brake.ts `judgeGroup`):
 * approved groups go back to the persons as `approved` verdicts; a held group stays pending until
 * an operator releases or discards it
 * (control records from the admin API). Every member of a held group gets a `held` verdict, so
 * its audit trail says so. The census records of the account tasks give the active-account count.
 *
 * Store `brake` (its keys and records: src/topology/contracts/stores.ts), read and written through
 * the typed BrakeStore (contracts/brakeStore.ts): the groups and their members, the open group of
 * each cause, the census, the approvals in the sliding window and the last group id.
 */
import { DEFAULT_BRAKE_LIMITS, judgeGroup, type BrakeLimits, type BrakeVerdict } from '../../iga/brake.ts';
import { record, type Processor, type ProcessorContext } from '../../runtime/api/index.ts';
import type { IgaDeps } from '../ports.ts';
import type { PersonEvent } from '../contracts/messages.ts';
import type { BlockProposal, BrakeControl, BrakeRecord } from '../contracts/brake.ts';
import { STORE, type BrakeGroup, type BrakeMember } from '../contracts/stores.ts';
import { BrakeStore } from '../contracts/brakeStore.ts';
import { brakeMetrics } from './brakeMetrics.ts';

/** Limits when the deps name none (topology tests): the defaults, judged on arrival. */
export function brakeLimitsOf(deps: Pick<IgaDeps, 'brake'>): BrakeLimits {
  return deps.brake ?? { ...DEFAULT_BRAKE_LIMITS, settleMs: 0 };
}

export function brakeProcessor(deps: IgaDeps): Processor<BrakeRecord> {
  const limits = brakeLimitsOf(deps);
  const labels = { app: deps.appId };
  let ctx: ProcessorContext;
  let store: BrakeStore;
  const now = () => ctx.currentWallClockTime();
  // The settle window in ticks: a group is judged after TICKS_NEEDED ticks (between settle and 1.25 × settle).
  const tickMs = limits.settleMs > 0 ? Math.max(100, Math.floor(limits.settleMs / 4)) : 1000;
  const ticksNeeded = Math.ceil(limits.settleMs / tickMs) + 1;
  /** Ticks seen per collecting group (in memory: after a restart a group waits one more settle window). */
  const ticks = new Map<string, number>();

  async function nextGroupId(): Promise<string> {
    const n = (await store.lastGroupId()) + 1;
    store.setLastGroupId(n);
    return String(n);
  }

  function tell(m: BrakeMember, verdict: BrakeVerdict): void {
    const e: PersonEvent = { type: 'brake-verdict', employeeId: m.employeeId, verdict, cause: m.cause, dfoResponses: m.dfoResponses };
    ctx.forward(record(m.employeeId, e, now()));
  }

  /** Removes a group and its members; the cause's next proposals open a new group. */
  async function close(g: BrakeGroup): Promise<void> {
    await store.deleteGroup(g.id);
    if ((await store.openGroup(g.causeKey)) === g.id) store.deleteOpenGroup(g.causeKey);
  }

  async function judge(g: BrakeGroup): Promise<void> {
    const ms = await store.members(g.id);
    const v = judgeGroup({ size: ms.length, approvedInWindow: await store.approvedSince(now() - limits.windowMs), activeAccounts: await store.activeAccounts(), limits });
    if (v.verdict === 'approve') {
      for (const m of ms) tell(m, { verdict: 'approved', group: g.id, detail: `${ms.length} block(s) within the limits` });
      if (limits.windowMs > 0) store.addApproved(now(), g.id, ms.length);
      await close(g);
      brakeMetrics.approved.inc(labels, ms.length);
      return;
    }
    const held: BrakeGroup = { ...g, status: 'pending', size: ms.length, heldAt: new Date(now()).toISOString(), reason: v.reason };
    store.putGroup(held);
    for (const m of ms) tell(m, { verdict: 'held', group: g.id, detail: v.reason });
    brakeMetrics.held.inc(labels, ms.length);
    ctx.log.warn({ group: g.id, causeKey: g.causeKey, blocks: ms.length, reason: v.reason }, 'mass-change brake: blocks held for an operator');
  }

  async function propose(p: BlockProposal): Promise<void> {
    const openId = await store.openGroup(p.causeKey);
    let g = openId === undefined ? undefined : await store.group(openId);
    if (!g) {
      const id = await nextGroupId();
      g = { id, causeKey: p.causeKey, cause: p.cause, status: 'collecting', size: 0, openedAt: new Date(now()).toISOString() };
      store.setOpenGroup(p.causeKey, id);
    }
    const { type: _t, causeKey: _c, ...member } = p;
    const isNew = !(await store.hasMember(g.id, p.employeeId));
    store.putMember(g.id, member satisfies BrakeMember);
    g = { ...g, size: g.size + (isNew ? 1 : 0) };
    store.putGroup(g);
    if (g.status === 'pending') {
      // A late member of a held group waits with it.
      tell(member, { verdict: 'held', group: g.id, detail: g.reason ?? 'held' });
      if (isNew) brakeMetrics.held.inc(labels);
    } else if (limits.settleMs <= 0) {
      await judge(g);
    }
  }

  async function control(c: BrakeControl): Promise<void> {
    const g = await store.group(c.group);
    // Control records go to every partition; only the brake task that holds the group acts.
    if (!g || g.status !== 'pending') {
      ctx.log.debug({ group: c.group, action: c.type }, 'brake control for a group this task does not hold');
      return;
    }
    const ms = await store.members(g.id);
    const verdict = c.type === 'release' ? 'released' : 'discarded';
    for (const m of ms) tell(m, { verdict, group: g.id, detail: `${verdict} by ${c.by}` });
    await close(g);
    (c.type === 'release' ? brakeMetrics.released : brakeMetrics.discarded).inc(labels, ms.length);
    ctx.log.info({ group: g.id, causeKey: g.causeKey, blocks: ms.length, by: c.by }, `mass-change brake: group ${verdict}`);
  }

  /** Judges the groups whose settle window ended, forgets approvals outside the window, updates the gauges. */
  async function tick(): Promise<void> {
    const due: BrakeGroup[] = [];
    for (const g of await store.groups()) {
      if (g.status !== 'collecting') continue;
      const n = (ticks.get(g.id) ?? 0) + 1;
      ticks.set(g.id, n);
      if (n >= ticksNeeded) due.push(g);
    }
    for (const g of due) { ticks.delete(g.id); await judge(g); }
    await store.forgetApprovedBefore(now() - limits.windowMs);
    let pendingGroups = 0;
    let pendingBlocks = 0;
    for (const g of await store.groups()) {
      if (g.status === 'pending') { pendingGroups++; pendingBlocks += g.size; }
    }
    brakeMetrics.pendingGroups.set(labels, pendingGroups);
    brakeMetrics.pendingBlocks.set(labels, pendingBlocks);
  }

  return {
    init(c) {
      ctx = c;
      store = new BrakeStore(c.getStateStore(STORE.brake));
      c.schedule(tickMs, tick);
    },
    async process(r) {
      const v = r.value;
      switch (v.type) {
        case 'census': store.putCensus(v); return;
        case 'proposal': await propose(v); return;
        case 'release':
        case 'discard': await control(v); return;
      }
    },
  };
}
