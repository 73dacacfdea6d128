/**
 * recordsProcessed: what the demo's progress reads of the runtime's processed-records counter
 * (iga_streams_records_processed_total), per app and optionally per sub-topology.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { recordsProcessed } from '../../src/runtime/index.ts';
import { streamsMetrics } from '../../src/runtime/internals/metrics.ts';

test('counts one app\'s processed records, by one sub-topology or by all, and nothing of another app', async () => {
  streamsMetrics.processed.inc({ app: 'counted', subtopology: '0' }, 3);
  streamsMetrics.processed.inc({ app: 'counted', subtopology: '1' }, 4);
  streamsMetrics.processed.inc({ app: 'other', subtopology: '0' }, 100);
  assert.equal(await recordsProcessed('counted', 0), 3);
  assert.equal(await recordsProcessed('counted', 1), 4);
  assert.equal(await recordsProcessed('counted', 2), 0);
  assert.equal(await recordsProcessed('counted'), 7);
  assert.equal(await recordsProcessed('nobody'), 0);
});
