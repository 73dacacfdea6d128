/**
 * "Why does this person have (or not have) an account?": the person as stored, each affiliation
 * and whether it counts on the day asked about, what the rules say on that day, and the history of
 * decisions, each with its inputs — the raw event read back from its topic, the AMQP message id,
 * the DFØ responses used — and the notify event it caused. From local replicas only; no DFØ call.
 */
import { LAST_SCHEDULED_DAY, nextBoundaries } from '../../iga/affiliations.ts';
import type { Account, IsoDate } from '../../iga/model.ts';
import { evaluateOn, type DayEvaluation } from '../../iga/pointInTime.ts';
import type { Policy } from '../../iga/policy.ts';
import { upcomingChanges, type UpcomingChange } from '../../iga/upcoming.ts';
import { readAuditRecord, type AuditRecord } from '../../topology/contracts/audit.ts';
import { sourceAffiliations, sourceBoundaries, whyNotCounting, type SourceAffiliation, type SponsorStanding } from '../../iga/sources.ts';
import { isProfilePerson } from '../../topology/contracts/directory.ts';
import { sourcesOf } from './sourcesOf.ts';
import type { PersonDirectoryStatus } from '../../topology/contracts/messages.ts';
import type { PersonState } from '../../topology/contracts/stores.ts';
import type { ExplainReplicas } from './replicas.ts';
import type { Resolved } from './lookup.ts';
import { readRawEvent, type RawEventLink } from './rawEvent.ts';

/** One decision of the history, with its inputs and what it caused. */
export interface HistoryEntry extends Omit<AuditRecord, 'v' | 'account' | 'affiliations'> {
  /** Where this audit record is: `<audit topic>[partition]@offset`. */
  audit: { partition: number; offset: string };
  /** The raw record the cause points at, read back from its topic. */
  rawEvent: RawEventLink | null;
  /** For a username grant: the raw record of the cause of the claim (`cause.via`), read back too. */
  viaRawEvent: RawEventLink | null;
  /** Account version after the decision, when it touched the account. */
  accountVersion: number | null;
}

export interface PersonExplanation {
  query: string;
  resolvedBy: Resolved['by'];
  today: IsoDate;
  /** The day evaluated: `today`, or the `at` asked for. */
  at: IsoDate;
  policy: Policy;
  person: {
    employeeId: string;
    displayName: string | null;
    /** False when DFØ does not know the employee (or we never fetched them). */
    knownToDfo: boolean;
    externalUser: boolean | null;
    updatedAt: string | null;
  };
  account: Pick<Account, 'id' | 'userName' | 'active' | 'version' | 'employeeNumber' | 'created' | 'lastModified'> | null;
  evaluation: DayEvaluation;
  /** The latest decision (the last time the rules ran for this person), or null. */
  current: HistoryEntry | null;
  /** Decisions, newest first, at most the limit asked for. */
  history: HistoryEntry[];
  historyTotal: number;
  /** Audit records of this person that are not audit records of any known version (skipped). */
  unreadableAuditRecords: number;
  /** Changes the timers will make from today on, from every source's dates (none for a DFØ side: see the person it is the side of). */
  upcoming: UpcomingChange[];
  /** What the publishers say of the person (README "One person across sources"); null for a person only DFØ knows. */
  sources: SourcesExplanation | null;
}

/** The person's facts from the publishers, and which source gave which affiliation. */
export interface SourcesExplanation {
  /** Each publisher's latest profile (never the nin). */
  profiles: Array<{ publisher: string; sourceId: string; messageId: string; receivedAt: string }>;
  /** Each affiliation a source gave, whether it counts on the day asked about, and if not, why. */
  affiliations: Array<SourceAffiliation & { counts: boolean; why: string | null }>;
  /** A guest's sponsor and its standing as the sponsor's person last said. */
  sponsor: SponsorStanding | null;
  /** A sponsor's guests (person keys). */
  sponsoring: string[];
  /** A DFØ person's standing in the person directory. */
  directory: PersonDirectoryStatus | null;
  /** A person first known from a publisher: the employee id of its DFØ side. */
  dfoSide: string | null;
}

export interface ExplainDeps {
  replicas: ExplainReplicas;
  policy: Policy;
  emailDomain: string;
}

/** Builds the explanation of a resolved person on `at` (default today). */
export async function explainPerson(deps: ExplainDeps, who: { query: string; resolved: Resolved }, today: IsoDate, at: IsoDate, historyLimit: number): Promise<PersonExplanation> {
  const { replicas, policy, emailDomain } = deps;
  const { employeeId, account } = who.resolved;
  const stored = await replicas.persons.get(employeeId);
  const employee = stored?.employee ?? null;
  const affiliations = stored?.affiliations ?? [];
  const all = await replicas.history(employeeId);
  const readable = all.flatMap((h) => { try { return [{ ...h, record: readAuditRecord(h.value) }]; } catch { return []; } });
  const newest = readable.slice(-historyLimit).reverse();
  const history = await Promise.all(newest.map((h) => historyEntry(replicas, h)));
  // The days the person processor scheduled for this person (the timers store is keyed by day, not person).
  const withSources = stored ? sourcesOf(stored) : {};
  const days = [...nextBoundaries(affiliations, today, policy), ...(stored?.sources ? sourceBoundaries(sourceAffiliations(stored.sources), today, policy) : [])];
  const personId = isProfilePerson(employeeId) ? { personId: employeeId } : {};
  // Explain has no authority rules: the names the account has (or DFØ's) stand in, so only activity is weighed.
  const names = account ? { givenName: account.givenName, familyName: account.familyName, displayName: account.displayName } : employee;
  const evaluationSources = withSources.sources ? { sources: { ...withSources.sources, names, ...(account?.studentNumber ? { studentNumber: account.studentNumber } : {}) } } : {};
  return {
    query: who.query,
    resolvedBy: who.resolved.by,
    today,
    at,
    policy,
    person: {
      employeeId,
      displayName: employee ? `${employee.givenName} ${employee.familyName}`.trim() : (account?.displayName ?? null),
      knownToDfo: employee !== null,
      externalUser: employee?.externalUser ?? null,
      updatedAt: stored?.updatedAt ?? null,
    },
    account: account ? { id: account.id, userName: account.userName, active: account.active, version: account.version, employeeNumber: account.employeeNumber, created: account.created, lastModified: account.lastModified } : null,
    evaluation: evaluateOn({ day: at, employee, affiliations, account: account ?? null, policy, emailDomain, ...personId, ...evaluationSources }),
    current: history[0] ?? null,
    history,
    historyTotal: readable.length,
    unreadableAuditRecords: all.length - readable.length,
    upcoming: stored?.directory?.status === 'merged' ? [] : upcomingChanges({ employeeId, employee, affiliations, account, days, ...withSources }, today, LAST_SCHEDULED_DAY, policy, emailDomain),
    sources: stored ? explainSources(stored, at, policy) : null,
  };
}

/** Which source gave which affiliation, and whether each counts on `at`; null for a person only DFØ knows. */
export function explainSources(p: PersonState, at: IsoDate, policy: Policy): SourcesExplanation | null {
  if (!p.sources && !p.sponsoring && !p.directory && !p.dfoSide) return null;
  const sources = p.sources ?? {};
  const sponsor = p.sponsor ?? null;
  return {
    profiles: Object.keys(sources).sort().map((publisher) => {
      const f = sources[publisher]!;
      return { publisher, sourceId: f.sourceId, messageId: f.messageId, receivedAt: f.receivedAt };
    }),
    affiliations: sourceAffiliations(sources).map((a) => {
      const why = whyNotCounting(a, at, policy, sponsor);
      return { ...a, counts: why === null, why };
    }),
    sponsor, sponsoring: p.sponsoring ?? [], directory: p.directory ?? null, dfoSide: p.dfoSide ?? null,
  };
}

async function historyEntry(replicas: ExplainReplicas, h: { partition: number; offset: string; record: AuditRecord }): Promise<HistoryEntry> {
  const { v: _v, account, affiliations: _a, ...rest } = h.record;
  return {
    ...rest,
    audit: { partition: h.partition, offset: h.offset },
    rawEvent: rest.cause.raw ? await readRawEvent(replicas.raw, rest.cause.raw) : null,
    viaRawEvent: rest.cause.via?.raw ? await readRawEvent(replicas.raw, rest.cause.via.raw) : null,
    accountVersion: account?.version ?? null,
  };
}
