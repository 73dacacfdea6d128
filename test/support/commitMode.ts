/**
 * The commit mode the end-to-end guarantees tests (chaos, BOTT, rebuild and reprocess) run the
 * service in, from IGA_TEST_PROCESSING_GUARANTEE (an empty value counts as unset):
 *   exactly_once_v2   one transactional producer per instance, zombies fenced by the group
 *                     generation (KIP-447; the default, as the service's)
 *   exactly_once      one per task (the earlier default, kept for comparison)
 * `npm test` runs them in the default mode; the containers mode (scripts/test-containers.sh) runs
 * BOTT and chaos per task, so CI passes both modes without running anything twice.
 * A wrong value stops the test that reads it.
 */
import { z } from 'zod';

const schema = z.object({
  IGA_TEST_PROCESSING_GUARANTEE: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['exactly_once', 'exactly_once_v2']).default('exactly_once_v2')),
});

export type CommitMode = 'exactly_once' | 'exactly_once_v2';

export function testCommitMode(env: NodeJS.ProcessEnv = process.env): CommitMode {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new Error(`IGA_TEST_PROCESSING_GUARANTEE: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  return parsed.data.IGA_TEST_PROCESSING_GUARANTEE;
}
