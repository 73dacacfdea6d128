/**
 * DFØ test national ids. DFØ's test persons carry fnr values ending in 00000, 00100 or 00200; they
 * are not unique, so they must never be used to match people (Cerebrum: `.+00[012]00$`).
 */
import type { Policy } from './policy.ts';

const TEST_NIN = /.+00[012]00$/;

/** True iff `nin` is one of DFØ's non-unique test numbers. */
export function isTestNin(nin: string): boolean {
  return TEST_NIN.test(nin);
}

/**
 * The national id to keep: trimmed, or null when missing, blank, or a test number that the policy
 * says to ignore (`ignoreTestNins`, default true). Called by the DFØ mapper.
 */
export function usableNin(nin: string | null | undefined, policy: Pick<Policy, 'ignoreTestNins'> = { ignoreTestNins: true }): string | null {
  const trimmed = nin?.trim() ?? '';
  if (trimmed === '') return null;
  return policy.ignoreTestNins && isTestNin(trimmed) ? null : trimmed;
}
