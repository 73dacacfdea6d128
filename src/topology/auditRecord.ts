/**
 * The audit record: one per account decision (topic `<app>.iga.audit`, key = employee id), with
 * every link an operator needs to explain it — the rule and its detail, the policy version, the
 * cause (raw event coordinates and AMQP message id), every DFØ response the decision used, the
 * affiliations it saw, and the notify event it caused.
 *
 * Version 2 carries `dfoResponses` (a list) and `notify` (id, type, attributes). Version 1 records
 * (no `v`, one `dfoResponse`, `notifyEventId`) are still read: `readAuditRecord` lifts them.
 */
import { z } from 'zod';
import type { AccountDecision } from '../iga/accountTypes.ts';
import type { Account, Affiliation, IsoDate } from '../iga/model.ts';
import type { Cause } from './messages.ts';

/** A DFØ response a decision used: which resource, which id, and the body (or `{ gone: reason }`). */
export interface DfoResponseLink {
  resource: 'ansatte' | 'stillinger';
  id: string;
  response: unknown;
}

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

/** Builds the audit record of `decision`. Pure; the account processor calls it once per decision. */
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

const origin = z.object({ topic: z.string(), partition: z.number().int(), offset: z.string() });
const cause = z.object({
  kind: z.enum(['ansatte', 'stillinger', 'timer', 'username', 'reconcile', 'policy']),
  id: z.string(),
  amqpMessageId: z.string().nullable().default(null),
  raw: origin.nullable().default(null),
  replayOf: origin.optional(),
  replayRun: z.string().optional(),
});
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
  cause: cause.extend({ via: cause.optional() }),
  account: z.record(z.string(), z.unknown()).optional(),
  brake: z.object({ status: z.enum(['proposed', 'awaiting', 'held', 'discarded', 'approved', 'released']), causeKey: z.string(), group: z.string().optional() }).optional(),
});
const v2 = common.extend({
  v: z.literal(2),
  dfoResponses: z.array(z.object({ resource: z.enum(['ansatte', 'stillinger']), id: z.string(), response: z.unknown() })),
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
    const r = v2.safeParse(value);
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
