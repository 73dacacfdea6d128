/**
 * The account policy: the knobs of "who should have an account". Every decision records the
 * policy version it ran under, so an audit can tell which rules applied. Read once at start-up
 * (`policyFromEnv`); rules receive it as a parameter.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { IgaRuleError } from './errors.ts';

/** The account policy. */
export interface Policy {
  /** Given by the operator, or 'p-<hash of the values>' (see `policyVersion`). */
  version: string;
  /** An affiliation counts this many days before its start date (UiO uses 6). Default 0. */
  startOffsetDays: number;
  /** An affiliation still counts this many days after its end date. Default 0. */
  endGraceDays: number;
  /** Only DFØ employees with `eksternbruker` true get an account. Default false. */
  requireExternalUser: boolean;
  /** Position ids that never make an affiliation (DFØ's placeholder '99999999'). */
  ignoredPositionIds: string[];
  /** Treat DFØ test national ids (`.+00[012]00$`) as missing. Default true. */
  ignoreTestNins: boolean;
}

/** The policy values without the version. */
export type PolicyValues = Omit<Policy, 'version'>;

/** Longest offset/grace accepted: ten years keeps date arithmetic far from year 9999. */
export const MAX_POLICY_DAYS = 3660;

const days = z.number().int().min(0).max(MAX_POLICY_DAYS);
const valuesSchema = z.object({
  startOffsetDays: days,
  endGraceDays: days,
  requireExternalUser: z.boolean(),
  ignoredPositionIds: z.array(z.string().regex(/^[0-9]+$/, 'position ids are digits')),
  ignoreTestNins: z.boolean(),
});

const defaultValues: PolicyValues = {
  startOffsetDays: 0,
  endGraceDays: 0,
  requireExternalUser: false,
  ignoredPositionIds: ['99999999'],
  ignoreTestNins: true,
};

/**
 * A deterministic version for policy values: 'p-' + the first 10 hex digits of a SHA-256 over the
 * canonical values (ignored ids sorted and de-duplicated), so equal policies share a version.
 */
export function policyVersion(values: PolicyValues): string {
  const canonical = JSON.stringify([
    values.startOffsetDays,
    values.endGraceDays,
    values.requireExternalUser,
    canonicalIds(values.ignoredPositionIds),
    values.ignoreTestNins,
  ]);
  return `p-${createHash('sha256').update(canonical).digest('hex').slice(0, 10)}`;
}

/**
 * Builds a validated policy from `overrides` on top of the defaults; the version is derived
 * unless given. Who calls it: start-up (through `policyFromEnv`) and tests.
 * @throws IgaRuleError('invalid-policy') naming each bad field.
 */
export function makePolicy(overrides: Partial<PolicyValues> & { version?: string } = {}): Policy {
  const { version, ...rest } = overrides;
  const parsed = valuesSchema.safeParse({ ...defaultValues, ...dropUndefined(rest) });
  if (!parsed.success) {
    throw new IgaRuleError('invalid-policy', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const values: PolicyValues = { ...parsed.data, ignoredPositionIds: canonicalIds(parsed.data.ignoredPositionIds) };
  if (version !== undefined && !/^[A-Za-z0-9._-]{1,64}$/.test(version)) {
    throw new IgaRuleError('invalid-policy', `version: expected 1-64 of A-Z a-z 0-9 . _ -, got ${JSON.stringify(version)}`);
  }
  return Object.freeze({ ...values, version: version ?? policyVersion(values) });
}

/** The default policy: counts exactly the DFØ dates, everyone, ignores 99999999 and test nins. */
export const defaultPolicy: Policy = makePolicy();

const intVar = z.string().trim().regex(/^\d+$/, 'expected a whole number of days').transform(Number).pipe(days);
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
});

/**
 * Reads the policy from environment variables (empty values count as unset):
 * IGA_POLICY_START_OFFSET_DAYS, IGA_POLICY_END_GRACE_DAYS (0–3660), IGA_POLICY_REQUIRE_EXTERNAL_USER,
 * IGA_POLICY_IGNORED_POSITION_IDS (comma list), IGA_POLICY_IGNORE_TEST_NINS, IGA_POLICY_VERSION.
 * @throws IgaRuleError('invalid-policy') naming each bad variable.
 */
export function policyFromEnv(env: Record<string, string | undefined>): Policy {
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('IGA_POLICY_') && v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new IgaRuleError('invalid-policy', parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; '));
  }
  const e = parsed.data;
  return makePolicy({
    version: e.IGA_POLICY_VERSION === '' ? undefined : e.IGA_POLICY_VERSION,
    startOffsetDays: e.IGA_POLICY_START_OFFSET_DAYS,
    endGraceDays: e.IGA_POLICY_END_GRACE_DAYS,
    requireExternalUser: e.IGA_POLICY_REQUIRE_EXTERNAL_USER,
    ignoredPositionIds: e.IGA_POLICY_IGNORED_POSITION_IDS,
    ignoreTestNins: e.IGA_POLICY_IGNORE_TEST_NINS,
  });
}

/** Normalised (no leading zeros, like every id in the model), unique, sorted. */
function canonicalIds(ids: string[]): string[] {
  return [...new Set(ids.map((id) => id.replace(/^0+(?=\d)/, '')))].sort();
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
