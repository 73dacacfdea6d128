/**
 * A person's facts from the publishers (FS, the guest portal, self-service) beside DFØ's: what the
 * person step keeps of each source's latest accepted profile, the affiliations those profiles give,
 * and the person's names merged by authority. Pure; the rules come from the publishers file.
 *
 * What counts as an active affiliation from a source (README "One person across sources"):
 *   student  one per study right `{program, start, end}`, active from `start` to `end` (open when
 *            null) under the same policy offsets as DFØ's affiliations;
 *   guest    one per guest stay `{sponsor, start, end}`, active from `start` to `end` under the same
 *            offsets, and only while (a) its end is at most `policy.guestMaxDays` ahead (a longer stay
 *            must be renewed by the portal; it counts from the day it comes within reach) and (b) the
 *            sponsor holds an active DFØ employee affiliation (the sponsor's person tells the guest's,
 *            SponsorStanding).
 */
import type { DateRange, Employee, IsoDate } from './model.ts';
import type { Policy } from './policy.ts';
import { addDays } from './dates.ts';
import { isAffiliationActive, nextBoundaries } from './affiliations.ts';
import { mergeByAuthority, PROFILE_ATTRIBUTES, type AuthorityRules, type ProfileAttribute } from './authority.ts';

/** The latest accepted profile of one source (publisher) for a person; never its nin. */
export interface SourceFacts {
  /** The publisher's own id for the person. */
  sourceId: string;
  /** The publisher's message id of that profile. */
  messageId: string;
  /** When the publisher input received it (ISO). */
  receivedAt: string;
  /** The governed attributes the profile set. */
  attributes: Partial<Record<ProfileAttribute, unknown>>;
}

/** Each source's latest facts, by publisher name. */
export type SourcesOfPerson = Readonly<Record<string, SourceFacts>>;

export type SourceAffiliationKind = 'student' | 'guest';

/** An affiliation a publisher gave: a study right (`id` the program code) or a guest stay (`id` `guest`). */
export interface SourceAffiliation extends DateRange {
  kind: SourceAffiliationKind;
  /** The publisher that gave it. */
  source: string;
  id: string;
}

interface StudyRight { program: string; start: IsoDate; end: IsoDate | null }
interface GuestStay { sponsor: string; start: IsoDate; end: IsoDate }

/** Only the governed attributes of a profile: what the person step keeps (the nin and link are matching keys, never kept). */
export function governedAttributes(profile: Readonly<Record<string, unknown>>): Partial<Record<ProfileAttribute, unknown>> {
  const kept: Partial<Record<ProfileAttribute, unknown>> = {};
  for (const a of PROFILE_ATTRIBUTES) if (profile[a] !== undefined && profile[a] !== null) kept[a] = profile[a];
  return kept;
}

/** Every affiliation the sources give, in publisher-name order, then as listed. */
export function sourceAffiliations(sources: SourcesOfPerson): SourceAffiliation[] {
  const out: SourceAffiliation[] = [];
  for (const source of Object.keys(sources).sort()) {
    const a = sources[source]!.attributes;
    for (const r of (Array.isArray(a.studyRights) ? a.studyRights : []) as StudyRight[]) {
      out.push({ kind: 'student', source, id: r.program, startDate: r.start, endDate: r.end });
    }
    const g = a.guest as GuestStay | undefined;
    if (g) out.push({ kind: 'guest', source, id: 'guest', startDate: g.start, endDate: g.end });
  }
  return out;
}

type SourcePolicy = Pick<Policy, 'startOffsetDays' | 'endGraceDays' | 'guestMaxDays'>;

/** What a guest's person knows of the sponsor: the employee number the stay names, and whether that person is an active employee. */
export interface SponsorStanding { employeeId: string; active: boolean }

/** Why a source affiliation does not count today; null when it counts. */
export function whyNotCounting(a: SourceAffiliation, today: IsoDate, policy: SourcePolicy, sponsor: SponsorStanding | null): string | null {
  if (!isAffiliationActive(a, today, policy)) return `${describeSourceAffiliation(a)} is not active on ${today}`;
  if (a.kind === 'student') return null;
  if (a.endDate !== null && a.endDate > addDays(today, policy.guestMaxDays)) {
    return `${describeSourceAffiliation(a)} ends more than ${policy.guestMaxDays} days ahead (policy guestMaxDays); it counts from ${addDays(a.endDate, -policy.guestMaxDays)}`;
  }
  if (sponsor === null) return `${describeSourceAffiliation(a)}: the sponsor has not answered yet`;
  if (!sponsor.active) return `${describeSourceAffiliation(a)}: sponsor ${sponsor.employeeId} holds no active employee affiliation`;
  return null;
}

/** Whether a source affiliation counts for an account today. */
export function countsForAccount(a: SourceAffiliation, today: IsoDate, policy: SourcePolicy, sponsor: SponsorStanding | null = null): boolean {
  return whyNotCounting(a, today, policy, sponsor) === null;
}

/** The source affiliations that count today. */
export function activeSourceAffiliations(affs: readonly SourceAffiliation[], today: IsoDate, policy: SourcePolicy, sponsor: SponsorStanding | null = null): SourceAffiliation[] {
  return affs.filter((a) => countsForAccount(a, today, policy, sponsor));
}

/**
 * Future days on which a source affiliation's activity changes (for the person's date timers): its
 * effective start and end as for DFØ's, and for a guest stay the day its end comes within
 * `guestMaxDays`. (A sponsor's change is an event, not a day: the sponsor's person sends it.)
 */
export function sourceBoundaries(affs: readonly SourceAffiliation[], today: IsoDate, policy: SourcePolicy): IsoDate[] {
  const asRanges = affs.map((a) => ({ positionId: `${a.kind}:${a.id}`, startDate: a.startDate, endDate: a.endDate }));
  const days = new Set(nextBoundaries(asRanges, today, { ...policy, ignoredPositionIds: [] }));
  for (const a of affs) {
    if (a.kind !== 'guest' || a.endDate === null) continue;
    const reach = addDays(a.endDate, -policy.guestMaxDays);
    if (reach > today) days.add(reach);
  }
  return [...days].sort();
}

/** The student number the sources give, by authority; null when none does. */
export function mergedStudentNumber(rules: AuthorityRules, sources: SourcesOfPerson): string | null {
  const bySource: Record<string, Record<string, unknown>> = {};
  for (const [name, f] of Object.entries(sources)) bySource[name] = f.attributes;
  const v = mergeByAuthority(rules, bySource).studentNumber?.value;
  return typeof v === 'string' ? v : null;
}

/** The guest stay's sponsor named by the sources (the guest portal's), or null. */
export function sponsorOf(sources: SourcesOfPerson): string | null {
  for (const source of Object.keys(sources).sort()) {
    const g = sources[source]!.attributes.guest as GuestStay | undefined;
    if (g) return g.sponsor;
  }
  return null;
}

/** '[student BAMAT 2026-08-15..2029-06-30 from fs]'. */
export function describeSourceAffiliation(a: SourceAffiliation): string {
  return `${a.kind} ${a.id} [${a.startDate ?? 'open'}..${a.endDate ?? 'open'}] from ${a.source}`;
}

/**
 * A person's names: DFØ's employee and the sources merged by authority (DFØ as the writer `dfo`).
 * `displayName`: a source's own `displayName`, else a `preferredName` (self-service) with the family
 * name; absent: given and family name.
 */
export interface PersonNames { givenName: string; familyName: string; displayName?: string }

/**
 * The names to issue an account with: by authority over DFØ (`dfo`) and every source. Without
 * sources, simply the employee's (the DFØ-only path). Null when no one gives both names.
 */
export function mergedNames(rules: AuthorityRules, employee: Employee | null, sources: SourcesOfPerson): PersonNames | null {
  if (Object.keys(sources).length === 0) return employee ? { givenName: employee.givenName, familyName: employee.familyName } : null;
  const bySource: Record<string, Record<string, unknown>> = {};
  for (const [name, f] of Object.entries(sources)) bySource[name] = f.attributes;
  if (employee) bySource.dfo = { givenName: employee.givenName, familyName: employee.familyName };
  const m = mergeByAuthority(rules, bySource);
  const given = typeof m.givenName?.value === 'string' ? m.givenName.value : employee?.givenName;
  const family = typeof m.familyName?.value === 'string' ? m.familyName.value : employee?.familyName;
  if (given === undefined || family === undefined) return null;
  const preferred = typeof m.preferredName?.value === 'string' ? `${m.preferredName.value.trim()} ${family.trim()}`.trim() : undefined;
  const display = typeof m.displayName?.value === 'string' ? m.displayName.value.trim() : preferred;
  return { givenName: given, familyName: family, ...(display ? { displayName: display } : {}) };
}
