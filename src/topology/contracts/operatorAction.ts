/**
 * Operator actions on the audit topic `<app>.iga.audit`: what an operator did in the console (a
 * sign-in, a release or discard of held blocks, a dead letter's re-drive, a reconciliation started),
 * who (the admin client's name), on what, and how it ended. Key `operator:<client>` (`operator:-`
 * for a refused sign-in), so explain's index, keyed by employee id, never mixes them into a
 * person's decisions.
 *
 * Writer: the operator console (src/features/console/operatorAudit.ts). Readers: auditors, relying
 * parties (its schema is part of the audit topic's registered schema, topicSchemas.ts).
 */
import { z } from 'zod';

export const OPERATOR_ACTIONS = ['sign-in', 'sign-in-refused', 'sign-out', 'brake-release', 'brake-discard', 'dead-letter-redrive', 'reconcile-start'] as const;
export type OperatorActionKind = (typeof OPERATOR_ACTIONS)[number];

export const operatorActionSchema = z.object({
  type: z.literal('operator-action'),
  v: z.literal(1),
  /** When (ISO). */
  at: z.string(),
  /** The admin client's name; null for a refused sign-in (no client is known). */
  client: z.string().nullable(),
  via: z.literal('console'),
  action: z.enum(OPERATOR_ACTIONS),
  /** What it acted on: a brake group, a dead letter's coordinates, a run id. */
  target: z.string().nullable(),
  outcome: z.enum(['ok', 'refused', 'failed']),
  /** The message the operator saw. */
  detail: z.string(),
});

export type OperatorActionRecord = z.infer<typeof operatorActionSchema>;

export const operatorAuditKey = (client: string | null) => `operator:${client ?? '-'}`;
