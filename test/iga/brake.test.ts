/**
 * The mass-change brake's pure rules: judging a group against the limits (every limit, on both
 * sides of its edge, with and without a census and a window), the cause key, the fingerprint, and
 * what the account processor does with a block for every mark × verdict combination.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { decideAccount } from '../../src/iga/accountDecision.ts';
import type { AccountDecision } from '../../src/iga/accountTypes.ts';
import { blockFingerprint, causeKeyOf, DEFAULT_BRAKE_LIMITS, gateBlock, judgeGroup, type BrakeLimits, type BrakeMark, type BrakeVerdict } from '../../src/iga/brake.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import { account, aff, input, NOW } from './accountFixtures.ts';

const L: BrakeLimits = { maxBlocks: 50, maxShare: 0.05, minBlocks: 10, windowMs: 3_600_000, settleMs: 0 };
const judge = (size: number, approvedInWindow = 0, activeAccounts: number | null = null, limits: BrakeLimits = L) =>
  judgeGroup({ size, approvedInWindow, activeAccounts, limits });

describe('judgeGroup', () => {
  test('the absolute limit: up to maxBlocks passes, one more is held', () => {
    assert.deepEqual(judge(50), { verdict: 'approve' });
    const held = judge(51);
    assert.equal(held.verdict, 'hold');
    assert.match((held as { reason: string }).reason, /^51 blocks from one cause exceed the limit of 50 \(IGA_BRAKE_MAX_BLOCKS\)$/);
  });

  test('the share limit: more than maxShare of the active accounts is held', () => {
    // 5% of 400 = 20.
    assert.deepEqual(judge(20, 0, 400), { verdict: 'approve' });
    const held = judge(21, 0, 400);
    assert.equal(held.verdict, 'hold');
    assert.match((held as { reason: string }).reason, /21 blocks from one cause are 5\.3% of 400 active accounts, over the share limit of 5\.0%/);
  });

  test('the share limit never holds minBlocks or fewer (a small university)', () => {
    assert.deepEqual(judge(10, 0, 20), { verdict: 'approve' }, '50% of 20 accounts, but only 10 blocks');
    assert.equal(judge(11, 0, 20).verdict, 'hold');
  });

  test('without a census only the absolute limit applies', () => {
    assert.deepEqual(judge(50, 0, null), { verdict: 'approve' });
    assert.deepEqual(judge(50, 0, 0), { verdict: 'approve' });
  });

  test('the window: blocks approved in the last window count towards both limits', () => {
    assert.deepEqual(judge(10, 40), { verdict: 'approve' });
    const held = judge(11, 40);
    assert.match((held as { reason: string }).reason, /^11 blocks plus 40 approved in the last 60 min make 51, over the limit of 50/);
    assert.deepEqual(judge(10, 10, 400), { verdict: 'approve' }, '20 of 400 = 5%');
    assert.match((judge(10, 11, 400) as { reason: string }).reason, /10 blocks plus 11 approved in the last 60 min are 5\.3% of 400 active accounts/);
    // 12 of 239 is 5.02%: the reason names the limit in blocks, since one decimal shows both as 5.0%.
    assert.match((judge(1, 11, 239) as { reason: string }).reason,
      /^1 block plus 11 approved in the last 60 min are 5\.0% of 239 active accounts, over the share limit of 5\.0% = 11 blocks \(IGA_BRAKE_MAX_SHARE\)$/);
  });

  test('a window of 0 judges each group alone', () => {
    assert.deepEqual(judge(50, 1000, null, { ...L, windowMs: 0 }), { verdict: 'approve' });
    assert.equal(judge(51, 0, null, { ...L, windowMs: 0 }).verdict, 'hold');
  });

  test('0 turns a limit off; both off lets everything through', () => {
    assert.deepEqual(judge(10_000, 0, 400, { ...L, maxBlocks: 0 }).verdict, 'hold', 'the share limit still holds');
    assert.deepEqual(judge(10_000, 0, 400, { ...L, maxShare: 0 }).verdict, 'hold', 'the absolute limit still holds');
    assert.deepEqual(judge(10_000, 10_000, 400, { ...L, maxBlocks: 0, maxShare: 0 }), { verdict: 'approve' });
  });

  test('the documented defaults', () => {
    assert.deepEqual(DEFAULT_BRAKE_LIMITS, { maxBlocks: 50, maxShare: 0.05, minBlocks: 10, windowMs: 3_600_000, settleMs: 5_000 });
  });
});

describe('causeKeyOf', () => {
  test('a DFØ event groups by its raw record, other causes by kind and id', () => {
    const raw = { topic: 'x.dfo.events', partition: 2, offset: '17' };
    assert.equal(causeKeyOf({ kind: 'stillinger', id: '30000001', raw }), 'raw:x.dfo.events/2@17');
    assert.equal(causeKeyOf({ kind: 'ansatte', id: '100001', raw }), 'raw:x.dfo.events/2@17');
    assert.equal(causeKeyOf({ kind: 'stillinger', id: '30000001', raw: null }), 'stillinger:30000001');
    assert.equal(causeKeyOf({ kind: 'timer', id: '2026-03-19', raw: null }), 'timer:2026-03-19');
    assert.equal(causeKeyOf({ kind: 'reconcile', id: 'run-7', raw: null }), 'reconcile:run-7');
    assert.equal(causeKeyOf({ kind: 'policy', id: 'p-2', raw: null }), 'policy:p-2');
  });
  test('every event a reprocess run replays has the run as its cause, whatever its kind', () => {
    const copy = { topic: 'app-x.dfo.events-replay', partition: 2, offset: '5' };
    assert.equal(causeKeyOf({ kind: 'stillinger', id: '30000001', raw: copy, replayRun: 'r1' }), 'reprocess:r1');
    assert.equal(causeKeyOf({ kind: 'ansatte', id: '100001', raw: copy, replayRun: 'r1' }), 'reprocess:r1');
    assert.equal(causeKeyOf({ kind: 'reconcile', id: 'run-7', raw: copy, replayRun: 'r2' }), 'reprocess:r2');
    assert.equal(causeKeyOf({ kind: 'stillinger', id: '30000001', raw: copy }), 'raw:app-x.dfo.events-replay/2@5', 'a copy without a run id: its own event');
  });
});

describe('blockFingerprint', () => {
  const base = { employee: input().employee, affiliations: [aff('2020-01-01', '2020-09-01'), aff('2019-01-01', '2019-12-31', '3')], policy: makePolicy({ version: 'a' }) };
  test('the same inputs in any affiliation order give the same fingerprint', () => {
    assert.equal(blockFingerprint(base), blockFingerprint({ ...base, affiliations: [...base.affiliations].reverse() }));
    assert.match(blockFingerprint(base), /^[0-9a-f]{16}$/);
  });
  test('another end date, employee or policy version gives another', () => {
    const fp = blockFingerprint(base);
    assert.notEqual(fp, blockFingerprint({ ...base, affiliations: [aff('2020-01-01', '2020-09-02'), base.affiliations[1]!] }));
    assert.notEqual(fp, blockFingerprint({ ...base, employee: null }));
    assert.notEqual(fp, blockFingerprint({ ...base, policy: makePolicy({ version: 'b' }) }));
  });
});

describe('gateBlock', () => {
  const ended = input({ affiliations: [aff('2020-01-01', '2020-09-01')] });
  const block = decideAccount({ status: 'issued', account: account() }, ended);
  const modify = decideAccount({ status: 'issued', account: account() }, input({ employee: { ...input().employee!, familyName: 'Aas-Berg' } }));
  const upToDate = decideAccount({ status: 'issued', account: account() }, input());
  const FP = 'f1';
  const gate = (decision: AccountDecision, mark?: BrakeMark, verdict?: BrakeVerdict, fingerprint = FP) =>
    gateBlock({ decision, mark, verdict, fingerprint, causeKey: 'raw:t/0@1', now: NOW });
  const proposed: BrakeMark = { status: 'proposed', causeKey: 'raw:t/0@0', since: '2020-09-15T07:00:00.000Z' };
  const heldMark: BrakeMark = { ...proposed, group: '3' };
  const discarded: BrakeMark = { status: 'discarded', fingerprint: FP, group: '3', at: '2020-09-15T07:30:00.000Z' };
  const v = (verdict: BrakeVerdict['verdict']): BrakeVerdict => ({ verdict, group: '3', detail: 'why' });
  const marks: Array<BrakeMark | undefined> = [undefined, proposed, heldMark, discarded];

  test('the fixtures: a block, a modify and an up-to-date decision', () => {
    assert.deepEqual([block.kind, modify.kind, upToDate.kind], ['block', 'modify', 'none']);
  });

  test('any decision but a block passes unchanged and ends every mark, whatever the verdict', () => {
    for (const d of [modify, upToDate]) {
      for (const mark of marks) {
        for (const verdict of [undefined, v('approved'), v('released'), v('held'), v('discarded')]) {
          assert.deepEqual(gate(d, mark, verdict), { decision: d, mark: undefined, propose: false });
        }
      }
    }
  });

  test('a first block is proposed, not applied', () => {
    const r = gate(block);
    assert.equal(r.propose, true);
    assert.deepEqual([r.decision.kind, r.decision.reason.rule], ['none', 'block-proposed']);
    assert.match(r.decision.reason.detail, /; block proposed to the mass-change brake$/);
    assert.deepEqual(r.mark, { status: 'proposed', causeKey: 'raw:t/0@1', since: NOW });
  });

  test('approved or released: the block is applied and the mark ends, whatever it was', () => {
    for (const verdict of [v('approved'), v('released')]) {
      for (const mark of marks) {
        const r = gate(block, mark, verdict);
        assert.equal(r.decision.kind, 'block');
        assert.equal(r.decision.reason.rule, 'block-not-eligible');
        assert.equal(r.mark, undefined);
        assert.equal(r.propose, false);
      }
    }
    assert.match(gate(block, proposed, v('approved')).decision.reason.detail, /; approved by the mass-change brake \(group 3\)$/);
    assert.match(gate(block, heldMark, v('released')).decision.reason.detail, /; released by an operator from the mass-change brake \(group 3\)$/);
  });

  test('held: no change, the mark remembers the group and keeps the first proposal', () => {
    const r = gate(block, proposed, v('held'));
    assert.deepEqual([r.decision.kind, r.decision.reason.rule, r.propose], ['none', 'block-held', false]);
    assert.match(r.decision.reason.detail, /held by the mass-change brake in group 3: why$/);
    assert.deepEqual(r.mark, { ...proposed, group: '3' });
    assert.deepEqual(gate(block, undefined, v('held')).mark, { status: 'proposed', causeKey: 'raw:t/0@1', since: NOW, group: '3' });
  });

  test('discarded: no change, and the inputs are remembered', () => {
    const r = gate(block, heldMark, v('discarded'), 'f2');
    assert.deepEqual([r.decision.kind, r.decision.reason.rule, r.propose], ['none', 'block-discarded', false]);
    assert.deepEqual(r.mark, { status: 'discarded', fingerprint: 'f2', group: '3', at: NOW });
  });

  test('after a discard the same inputs are not proposed again; changed inputs are', () => {
    const same = gate(block, discarded);
    assert.deepEqual([same.decision.reason.rule, same.propose, same.mark], ['block-discarded', false, discarded]);
    const changed = gate(block, discarded, undefined, 'other');
    assert.deepEqual([changed.decision.reason.rule, changed.propose], ['block-proposed', true]);
  });

  test('while a proposal is open (proposed or held), a block is not proposed twice', () => {
    for (const mark of [proposed, heldMark]) {
      const r = gate(block, mark);
      assert.deepEqual([r.decision.kind, r.decision.reason.rule, r.propose, r.mark], ['none', 'block-awaiting-brake', false, mark]);
    }
    assert.match(gate(block, heldMark).decision.reason.detail, /awaits the mass-change brake \(held in group 3\)$/);
  });
});
