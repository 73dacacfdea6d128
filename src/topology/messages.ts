/**
 * Values on the topology's topics. The raw DFØ event is validated here (zod) because the raw topic
 * is an input boundary; internal topics carry the types below.
 */
import { z } from 'zod';
import type { DateRange, Employee } from '../iga/model.ts';
import type { RecordOrigin } from '../streams/index.ts';

/** The ingress connector's mirror of one DFØ notification (topic `<app>.dfo.events`, key `<kind>:<id>`). */
export const rawDfoEventSchema = z.object({
  kind: z.enum(['ansatte', 'stillinger']),
  id: z.string().regex(/^(0|[1-9]\d*)$/, 'normalised DFØ id'),
  notBefore: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable(),
  firmakode: z.string().nullable().optional(),
  receivedAt: z.string().optional(),
  source: z.object({ messageId: z.string().nullable().optional() }).passthrough().optional(),
  /** Set on the synthetic events of a reconciliation run (src/reconcile): the cause becomes `reconcile <runId>`. */
  reconcile: z.object({
    runId: z.string().min(1),
    /** Employees whose holder event is sent even when the stored holders already match DFØ. */
    resendHolders: z.array(z.string().regex(/^(0|[1-9]\d*)$/)).optional(),
  }).optional(),
}).passthrough();
export type RawDfoEventValue = z.infer<typeof rawDfoEventSchema>;

/** What caused a change, carried to the audit record: the raw event and its AMQP message id. */
export interface Cause {
  /** `policy`: every person re-evaluated because the policy version changed (`id` = the new version). */
  kind: 'ansatte' | 'stillinger' | 'timer' | 'username' | 'reconcile' | 'policy';
  id: string;
  amqpMessageId: string | null;
  raw: RecordOrigin | null;
  /** For a username grant: the cause of the claim it answers (e.g. the DFØ event that made the person eligible). */
  via?: Omit<Cause, 'via'>;
  /** Set when the event was replayed by reprocess (`raw` is then the copy): the original raw record. */
  replayOf?: RecordOrigin;
  /** The reprocess run that replayed it (with `replayOf`). */
  replayRun?: string;
}

/** Person-keyed events (repartition topic, key = employee id). */
export type PersonEvent =
  | { type: 'employee-changed'; employeeId: string; cause: Cause }
  | { type: 'holder'; employeeId: string; positionId: string; ranges: DateRange[]; cause: Cause; dfoResponse: unknown }
  | { type: 'username-granted'; employeeId: string; userName: string; claimCause?: Cause }
  /** The mass-change brake's answer about a proposed block (brakeMessages.ts); cause/dfoResponses are the proposal's. */
  | { type: 'brake-verdict'; employeeId: string; verdict: import('../iga/brake.ts').BrakeVerdict; cause: Cause; dfoResponses: import('./auditRecord.ts').DfoResponseLink[] };

/** Stem-keyed username claims (repartition topic, key = stem). */
export interface UsernameClaim {
  stem: string;
  employeeId: string;
  /** A name granted to this person before; granted again when still theirs. */
  preferred?: string;
  /** The cause of the decision that claimed the name; travels back with the grant for the audit. */
  cause?: Cause;
}

/** What the person processor hands the account processor. */
export interface PersonUpdate {
  employeeId: string;
  employee: Employee | null;
  affiliations: import('../iga/model.ts').Affiliation[];
  cause: Cause;
  grant?: { userName: string };
  /** Every DFØ response this change rests on (e.g. the position and, for a new holder, the employee). */
  dfoResponses: import('./auditRecord.ts').DfoResponseLink[];
  /** The mass-change brake's verdict on a block proposed earlier (only on a `brake-verdict` event). */
  brake?: import('../iga/brake.ts').BrakeVerdict;
}

/** Notify record (topic `<app>.iga.notify`, key = account id); the egress connector renders the SCIM event. */
export type { NotifyRecord } from '../../connectors/rabbitmq/notifyEvent.ts';

/** One decision with its inputs (topic `<app>.iga.audit`, key = employee id): see auditRecord.ts. */
export type { AuditRecord, DfoResponseLink, NotifyLink } from './auditRecord.ts';
