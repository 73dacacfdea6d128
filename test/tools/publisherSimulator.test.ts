import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { generatePublisherData } from '../../tools/publisher-simulator/index.ts';
import { profileProblems } from '../../src/topology/contracts/publisherProfiles.ts';

describe('FS and guest-portal sample data', () => {
  test('for any seed, every planned send fits its publisher\'s schema exactly when it is expected valid; a missing field is named', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 31 }), (seed) => {
      for (const s of generatePublisherData({ seed, students: 15, guests: 6, sponsors: ['100001'], today: '2026-12-01', quirkShare: 0.4 })) {
        const r = profileProblems(s.publisher === 'fs' ? 'student' : 'guest', s.profile);
        assert.equal(r.ok, s.expect === 'valid', `${s.messageId}: ${r.ok ? 'ok' : r.reasons.join(' | ')}`);
        if (!r.ok) assert.ok(r.reasons.some((x) => x.startsWith(`${s.quirk!.field}:`)));
      }
    }), { numRuns: 100 });
  });

  test('the same seed gives the same data; message ids are unique', () => {
    const a = generatePublisherData({ seed: 3, sponsors: ['1'], today: '2026-12-01' });
    assert.deepEqual(generatePublisherData({ seed: 3, sponsors: ['1'], today: '2026-12-01' }), a);
    assert.equal(new Set(a.map((s) => s.messageId)).size, a.length);
  });
});
