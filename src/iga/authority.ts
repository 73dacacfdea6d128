/**
 * Per-attribute authority (README "Publishers"): which publisher may set which profile attribute,
 * which attributes a publisher must always send, and, where two may set one attribute, whose value
 * wins. Pure: the rules come from the publishers file (src/topology/contracts/publishers.ts).
 *
 * As in Mozilla CIS a publisher sends its whole profile, never a delta, and a profile is all or
 * nothing: one that sets an attribute its publisher does not own, or lacks one its publisher is
 * responsible for, is refused whole with every reason, so a publisher never has to guess what was
 * applied.
 */

/** The profile attributes that authority governs (the publishers' schemas use the same names). */
export const PROFILE_ATTRIBUTES = [
  'givenName', 'familyName', 'displayName', 'preferredName', 'mobile', 'mail',
  'employeeNumber', 'studentNumber', 'studyRights', 'guest',
] as const;
export type ProfileAttribute = (typeof PROFILE_ATTRIBUTES)[number];

export interface AttributeRule {
  /** Who may set it, highest priority first: where two have a value, the first one's wins. */
  writers: readonly string[];
  /** Publishers that must send it in every profile. Each is also a writer. */
  requiredFrom: readonly string[];
}

/** Every governed attribute's rule; an attribute without a rule may be set by no publisher. */
export type AuthorityRules = Readonly<Partial<Record<ProfileAttribute, AttributeRule>>>;

/** The attributes a profile sets (present with a value other than null or undefined). */
export function attributesSet(profile: Readonly<Record<string, unknown>>): ProfileAttribute[] {
  return PROFILE_ATTRIBUTES.filter((a) => profile[a] !== undefined && profile[a] !== null);
}

/**
 * Why `publisher`'s profile setting `present` must be refused: one reason per attribute it may not
 * set, then one per attribute it must send and lacks, each naming the attribute. Empty: allowed.
 */
export function authorityProblems(rules: AuthorityRules, publisher: string, present: readonly ProfileAttribute[]): string[] {
  const reasons: string[] = [];
  const has = new Set(present);
  for (const a of PROFILE_ATTRIBUTES) {
    if (!has.has(a)) continue;
    const rule = rules[a];
    if (!rule || rule.writers.length === 0) reasons.push(`${a}: no publisher may set it`);
    else if (!rule.writers.includes(publisher)) reasons.push(`${a}: owned by ${rule.writers.join(', ')}; ${publisher} may not set it`);
  }
  for (const a of PROFILE_ATTRIBUTES) {
    if (!has.has(a) && rules[a]?.requiredFrom.includes(publisher)) reasons.push(`${a}: ${publisher} must send it, and this profile lacks it`);
  }
  return reasons;
}

/** One attribute's merged value and the publisher it came from. */
export interface MergedAttribute<V = unknown> { value: V; source: string }

/**
 * A person's attributes from the latest accepted profile of each source: for each attribute, the
 * value of its highest-priority writer that has one. A source that may not write an attribute is
 * never its source, whatever it sent (its profile would have been refused).
 */
export function mergeByAuthority(rules: AuthorityRules, bySource: Readonly<Record<string, Readonly<Record<string, unknown>>>>): Partial<Record<ProfileAttribute, MergedAttribute>> {
  const merged: Partial<Record<ProfileAttribute, MergedAttribute>> = {};
  for (const a of PROFILE_ATTRIBUTES) {
    for (const writer of rules[a]?.writers ?? []) {
      const value = Object.hasOwn(bySource, writer) ? bySource[writer]![a] : undefined;
      if (value === undefined || value === null) continue;
      merged[a] = { value, source: writer };
      break;
    }
  }
  return merged;
}

/** Problems with the rules themselves (a required publisher that may not write, a writer named twice). */
export function ruleProblems(rules: AuthorityRules): string[] {
  const problems: string[] = [];
  for (const a of PROFILE_ATTRIBUTES) {
    const rule = rules[a];
    if (!rule) continue;
    if (new Set(rule.writers).size !== rule.writers.length) problems.push(`${a}: a writer is named twice`);
    for (const p of rule.requiredFrom) if (!rule.writers.includes(p)) problems.push(`${a}: ${p} must send it but is not among its writers`);
  }
  return problems;
}
