/**
 * Explain's view of the publishers' facts (explainSources) and its text: which source gave which
 * affiliation, whether each counts on the day asked about and why not, the profiles behind them, the
 * sponsor's standing and the directory standing; nothing for a person only DFØ knows.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { explainSources } from '../../../src/features/explain/explainPerson.ts';
import { renderSources } from '../../../src/cli/commands/explainReport.ts';
import { makePolicy } from '../../../src/iga/policy.ts';
import type { PersonState } from '../../../src/topology/contracts/stores.ts';

const facts = (sourceId: string, attributes: Record<string, unknown>) => ({ sourceId, messageId: `m-${sourceId}`, receivedAt: '2026-12-01T10:00:00.000Z', attributes });

describe('explain: which source gave which affiliation', () => {
  test('a person only DFØ knows has no sources section', () => {
    assert.equal(explainSources({ employee: null, affiliations: [], updatedAt: 'x' }, '2026-12-01', makePolicy({})), null);
  });

  test('a student who is also a guest with an inactive sponsor: the study right counts, the stay does not, and why', () => {
    const p: PersonState = {
      employee: null, affiliations: [], updatedAt: 'x', dfoSide: '100050',
      sources: {
        fs: facts('fs-1', { studentNumber: '500001', studyRights: [{ program: 'BAMAT', start: '2026-08-15', end: '2029-06-30' }] }),
        'guest-portal': facts('gp-1', { guest: { sponsor: '100001', start: '2026-12-01', end: '2027-02-28' } }),
      },
      sponsor: { employeeId: '100001', active: false },
    };
    const s = explainSources(p, '2026-12-01', makePolicy({}))!;
    assert.deepEqual(s.affiliations.map((a) => [a.kind, a.source, a.counts]), [['student', 'fs', true], ['guest', 'guest-portal', false]]);
    assert.equal(s.affiliations[1]!.why, 'guest guest [2026-12-01..2027-02-28] from guest-portal: sponsor 100001 holds no active employee affiliation');
    assert.deepEqual(s.profiles.map((x) => [x.publisher, x.sourceId, x.messageId]), [['fs', 'fs-1', 'm-fs-1'], ['guest-portal', 'gp-1', 'm-gp-1']]);
    const text = renderSources(s, '2026-12-01 (today)').join('\n');
    assert.match(text, /student  BAMAT {6}2026-08-15..2029-06-30 {2}from fs {2}counts/);
    assert.match(text, /sponsor {2}100001 \(not an active employee\)/);
    assert.match(text, /DFØ side 100050/);
  });
});
