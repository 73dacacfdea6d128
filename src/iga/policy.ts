/**
 * The account policy: the knobs of "who should have an account". Every decision records the
 * policy version it ran under, so an audit can tell which rules applied. Read once at start-up
 * (src/app/policyConfig.ts reads IGA_POLICY_*); rules receive it as a parameter.
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
  /** A guest stay (from a publisher) counts only while its end is at most this many days ahead. Default 180. */
  guestMaxDays: number;
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
  guestMaxDays: days,
});

const defaultValues: PolicyValues = {
  startOffsetDays: 0,
  endGraceDays: 0,
  requireExternalUser: false,
  ignoredPositionIds: ['99999999'],
  ignoreTestNins: true,
  guestMaxDays: 180,
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
    // Added later: only a value other than the default is hashed, so the versions derived before stay the same.
    ...(values.guestMaxDays === defaultValues.guestMaxDays ? [] : [values.guestMaxDays]),
  ]);
  return `p-${createHash('sha256').update(canonical).digest('hex').slice(0, 10)}`;
}

/**
 * Builds a validated policy from `overrides` on top of the defaults; the version is derived
 * unless given. Who calls it: start-up (src/app/policyConfig.ts) and tests.
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

/** Normalised (no leading zeros, like every id in the model), unique, sorted. */
function canonicalIds(ids: string[]): string[] {
  return [...new Set(ids.map((id) => id.replace(/^0+(?=\d)/, '')))].sort();
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
