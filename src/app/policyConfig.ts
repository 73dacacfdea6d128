/**
 * The account policy from the IGA_POLICY_* environment variables. The rules themselves
 * (src/iga/policy.ts) never read the environment; start-up reads it here once.
 */
import { z } from 'zod';
import { IgaRuleError } from '../iga/errors.ts';
import { makePolicy, MAX_POLICY_DAYS, type Policy } from '../iga/policy.ts';
import { ConfigError } from './config.ts';

const intVar = z.string().trim().regex(/^\d+$/, 'expected a whole number of days').transform(Number).pipe(z.number().int().min(0).max(MAX_POLICY_DAYS));
const boolVar = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const envSchema = z.object({
  IGA_POLICY_VERSION: z.string().trim().optional(),
  IGA_POLICY_START_OFFSET_DAYS: intVar.optional(),
  IGA_POLICY_END_GRACE_DAYS: intVar.optional(),
  IGA_POLICY_REQUIRE_EXTERNAL_USER: boolVar.optional(),
  IGA_POLICY_IGNORED_POSITION_IDS: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .optional(),
  IGA_POLICY_IGNORE_TEST_NINS: boolVar.optional(),
  IGA_POLICY_GUEST_MAX_DAYS: intVar.optional(),
});

/**
 * Reads the policy from environment variables (empty values count as unset):
 * IGA_POLICY_START_OFFSET_DAYS, IGA_POLICY_END_GRACE_DAYS (0–3660), IGA_POLICY_REQUIRE_EXTERNAL_USER,
 * IGA_POLICY_IGNORED_POSITION_IDS (comma list), IGA_POLICY_IGNORE_TEST_NINS, IGA_POLICY_GUEST_MAX_DAYS
 * (0–3660), IGA_POLICY_VERSION.
 * @throws ConfigError naming each bad variable (a bad value stops start-up like any other IGA_* setting).
 */
export function policyFromEnv(env: Record<string, string | undefined>): Policy {
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('IGA_POLICY_') && v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`));
  }
  const e = parsed.data;
  return policyOrConfigError({
    version: e.IGA_POLICY_VERSION === '' ? undefined : e.IGA_POLICY_VERSION,
    startOffsetDays: e.IGA_POLICY_START_OFFSET_DAYS,
    endGraceDays: e.IGA_POLICY_END_GRACE_DAYS,
    requireExternalUser: e.IGA_POLICY_REQUIRE_EXTERNAL_USER,
    ignoredPositionIds: e.IGA_POLICY_IGNORED_POSITION_IDS,
    ignoreTestNins: e.IGA_POLICY_IGNORE_TEST_NINS,
    guestMaxDays: e.IGA_POLICY_GUEST_MAX_DAYS,
  });
}

/** makePolicy, with its rule errors as configuration errors (exit 2 at start-up). */
function policyOrConfigError(values: Parameters<typeof makePolicy>[0]): Policy {
  try {
    return makePolicy(values);
  } catch (err) {
    if (err instanceof IgaRuleError && err.code === 'invalid-policy') throw new ConfigError(err.message.split('; '));
    throw err;
  }
}
