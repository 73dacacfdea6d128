/**
 * The audit topic `<app>.iga.audit` (kept forever). Key the employee id; value an AuditRecord as
 * JSON: one per account decision, with every link an operator needs to explain it — the rule and
 * its detail, the policy version, the cause (raw event coordinates and AMQP message id), every DFØ
 * response the decision used, the affiliations it saw, and the notify event it caused.
 * (A reconciliation run writes its own records under the key `reconcile:<run>`:
 * src/features/reconcile/records.ts; the operator console its operators' actions under
 * `operator:<client>`: operatorAction.ts.)
 *
 * Writer: the account step (sub-topology B), once per decision that changed or sent anything, and
 * once per decision on a person with no account state yet (`isAudited`, `buildAuditRecord`). A
 * decision that only repeats what stands (an account up to date, a username still awaited) writes
 * none: it is no event, and the explain API evaluates the rules for today from its replicas anyway.
 * Readers: explain's audit index (src/features/explain), through `readAuditRecord`.
 *
 * Version 2 carries `dfoResponses` (a list) and `notify` (id, type, attributes). Version 1 records
 * (no `v`, one `dfoResponse`, `notifyEventId`) are still read: `readAuditRecord` lifts them.
 */
import { z } from 'zod';
import type { AccountDecision } from '../../iga/accountTypes.ts';
import type { Account, Affiliation, IsoDate } from '../../iga/model.ts';
import { causeSchema, dfoResponseLinkSchema, type Cause, type DfoResponseLink } from './messages.ts';

/** The notify event a decision caused; `eventId` is the AMQP message id on `ex_from_iga`. */
export interface NotifyLink {
  eventId: string;
  type: 'CREATE' | 'MODIFY';
  attributes?: string[];
}

/** What the mass-change brake did with a block decision (only on those). */
export interface AuditBrakeLink {
  /** proposed: sent to the brake now; awaiting: an earlier proposal is open; the rest: the brake's verdict. */
  status: 'proposed' | 'awaiting' | 'held' | 'discarded' | 'approved' | 'released';
  causeKey: string;
  /** The brake's group number, once it has one. */
  group?: string;
}

export interface AuditRecord {
  v: 2;
  /** The instant of the decision (ISO). */
  at: string;
  employeeId: string;
  accountId: string | null;
  /** none, request-username, create, block, reactivate, modify. */
  decision: AccountDecision['kind'];
  rule: string;
  detail: string;
  policyVersion: string;
  today: IsoDate;
  cause: Cause;
  dfoResponses: DfoResponseLink[];
  /** Every affiliation the decision looked at, and those that counted. */
  affiliations: Affiliation[];
  activeAffiliations: Affiliation[];
  notify?: NotifyLink;
  /** What the mass-change brake did with this block (absent when no block was in question). */
  brake?: AuditBrakeLink;
  /** The account after the decision. */
  account?: Account;
}

/** What one run of the account rules did, as far as the audit is concerned. */
export interface DecisionEffects {
  decision: AccountDecision['kind'];
  /** The person's account state (the accounts store) changed. */
  stateChanged: boolean;
  /** The person's brake mark was set, changed or removed. */
  markChanged: boolean;
  /** A block was proposed to the mass-change brake. */
  proposedBlock: boolean;
  /** The brake's verdict (approved, released, …) caused this run. */
  brakeVerdict: boolean;
  /** A registration or links went to the person directory. */
  sentToDirectory: boolean;
  /** The person had no account state stored before this run. */
  firstForPerson: boolean;
}

/**
 * Whether the run gets an audit record: every decision that changed or sent anything (a claim, an
 * account change, a brake mark or proposal, a directory record), every brake verdict, and every
 * decision on a person with no account state yet, so "why no account?" always has its latest
 * answer on record. Not a run that only repeats what stands.
 */
export function isAudited(e: DecisionEffects): boolean {
  return e.decision !== 'none' || e.stateChanged || e.markChanged || e.proposedBlock || e.brakeVerdict || e.sentToDirectory || e.firstForPerson;
}

/** Builds the audit record of `decision`. Pure; the account processor calls it once per audited decision. */
export function buildAuditRecord(args: {
  employeeId: string;
  decision: AccountDecision;
  cause: Cause;
  dfoResponses: DfoResponseLink[];
  affiliations: Affiliation[];
  notify?: NotifyLink;
  brake?: AuditBrakeLink;
}): AuditRecord {
  const { decision: d } = args;
  const account = 'account' in d ? d.account : null;
  return {
    v: 2,
    at: d.reason.now,
    employeeId: args.employeeId,
    accountId: account?.id ?? null,
    decision: d.kind,
    rule: d.reason.rule,
    detail: d.reason.detail,
    policyVersion: d.reason.policyVersion,
    today: d.reason.today,
    cause: args.cause,
    dfoResponses: args.dfoResponses,
    affiliations: args.affiliations,
    activeAffiliations: d.reason.activeAffiliations,
    ...(args.notify ? { notify: args.notify } : {}),
    ...(args.brake ? { brake: args.brake } : {}),
    ...(account ? { account } : {}),
  };
}

const affiliation = z.object({ positionId: z.string(), startDate: z.string().nullable(), endDate: z.string().nullable() });
const common = z.object({
  at: z.string(),
  employeeId: z.string(),
  accountId: z.string().nullable().default(null),
  decision: z.string(),
  rule: z.string(),
  detail: z.string(),
  policyVersion: z.string(),
  today: z.string(),
  cause: causeSchema,
  account: z.record(z.string(), z.unknown()).optional(),
  brake: z.object({ status: z.enum(['proposed', 'awaiting', 'held', 'discarded', 'approved', 'released']), causeKey: z.string(), group: z.string().optional() }).optional(),
});
/** The current audit record (version 2), as the account step writes it. */
export const auditRecordSchema = common.extend({
  v: z.literal(2),
  dfoResponses: z.array(dfoResponseLinkSchema),
  affiliations: z.array(affiliation),
  activeAffiliations: z.array(affiliation),
  notify: z.object({ eventId: z.string(), type: z.enum(['CREATE', 'MODIFY']), attributes: z.array(z.string()).optional() }).optional(),
});
const v1 = common.extend({ dfoResponse: z.unknown().optional(), notifyEventId: z.string().optional() });

/**
 * Reads an audit-topic value of either version into the current shape. A v1 record's single
 * `dfoResponse` belonged to its cause (the position of a holder change, the employee of an
 * `ansatte` event); its notify type follows from the decision; its affiliations are unknown ([]).
 * @throws Error naming the bad fields when the value is no audit record.
 */
export function readAuditRecord(value: unknown): AuditRecord {
  const isV2 = typeof value === 'object' && value !== null && (value as { v?: unknown }).v === 2;
  if (isV2) {
    const r = auditRecordSchema.safeParse(value);
    if (!r.success) throw new Error(`invalid audit record: ${issues(r.error)}`);
    return r.data as AuditRecord;
  }
  const r = v1.safeParse(value);
  if (!r.success) throw new Error(`invalid audit record: ${issues(r.error)}`);
  const { dfoResponse, notifyEventId, ...rest } = r.data;
  const kind = rest.cause.kind;
  const dfoResponses: DfoResponseLink[] = dfoResponse !== undefined && (kind === 'ansatte' || kind === 'stillinger')
    ? [{ resource: kind, id: rest.cause.id, response: dfoResponse }]
    : [];
  const notify: NotifyLink | undefined = notifyEventId ? { eventId: notifyEventId, type: rest.decision === 'create' ? 'CREATE' : 'MODIFY' } : undefined;
  return {
    ...rest, v: 2, decision: rest.decision as AuditRecord['decision'], dfoResponses, affiliations: [], activeAffiliations: [],
    ...(notify ? { notify } : {}),
  } as AuditRecord;
}

function issues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ');
}
