/**
 * The topics a relying party may read — accounts, notify, audit and dead letters — and the JSON
 * Schema each is registered under in a schema registry (README "Schema registry"). The zod schemas
 * of the contract files are the one source of truth; the registered schema is made from them here:
 *
 *   accounts  `<app>.iga.accounts-value`  accountSchema (accounts.ts)
 *   notify    `<app>.iga.notify-value`    notifyRecordSchema (notify.ts)
 *   audit     `<app>.iga.audit-value`     auditRecordSchema (audit.ts), a reconciliation run's record, or an
 *                                         operator's action (operatorAction.ts)
 *   dlq       `<app>.iga.dlq-value`       deadLetterRecordSchema or the runtime's taskDeadLetterSchema (deadLetter.ts)
 *
 * Subjects follow the TopicNameStrategy (`<topic>-value`). The schemas are JSON Schema draft-07
 * with an open content model, so that they evolve as the records always have (a new field is
 * optional, old records lack it) under FULL compatibility, and so that any JSON Schema reader
 * compiles them as they are (see `registrySchemaOf`).
 */
import { z } from 'zod';
import { accountSchema } from './accounts.ts';
import { auditRecordSchema } from './audit.ts';
import { dlqValueSchema } from './deadLetter.ts';
import { notifyRecordSchema } from './notify.ts';
import { operatorActionSchema } from './operatorAction.ts';
import type { topicNames } from './topics.ts';

/** The topics with a registered schema, by their name in topics.ts. */
export const REGISTERED_TOPICS = ['accounts', 'notify', 'audit', 'dlq'] as const;
export type RegisteredTopic = (typeof REGISTERED_TOPICS)[number];

/** A reconciliation run's records on the audit topic (src/features/reconcile/records.ts), by their envelope. */
const reconcileAuditSchema = z.object({ type: z.enum(['drift', 'reconcile-run']), v: z.literal(1), runId: z.string(), at: z.string().optional() });

/** The value schema of each registered topic. */
export const TOPIC_VALUE_SCHEMAS: Record<RegisteredTopic, z.ZodType> = {
  accounts: accountSchema,
  notify: notifyRecordSchema,
  audit: z.union([auditRecordSchema, reconcileAuditSchema, operatorActionSchema]),
  dlq: dlqValueSchema,
};

const TITLES: Record<RegisteredTopic, string> = {
  accounts: 'iga-stream account',
  notify: 'iga-stream account change (notify record)',
  audit: 'iga-stream audit record',
  dlq: 'iga-stream dead letter',
};

/** The subject of a topic's values (TopicNameStrategy). */
export const valueSubject = (topic: string) => `${topic}-value`;

/** Each registered topic's Kafka name and subject for the application's topics. */
export function registeredTopics(topics: ReturnType<typeof topicNames>): Array<{ name: RegisteredTopic; topic: string; subject: string }> {
  return REGISTERED_TOPICS.map((name) => ({ name, topic: topics[name], subject: valueSubject(topics[name]) }));
}

/**
 * The JSON Schema registered for `topic`: zod's draft-07 output with two changes. No `format`
 * (Ajv, the validator of @kafkajs/confluent-schema-registry and of most JavaScript readers,
 * refuses a schema with a format it has not been given; a format still holds as a `pattern` where
 * zod emits one) and no `additionalProperties: false` (an open content model: a reader of an older
 * schema accepts a record with a field added later). Deterministic, so a restart registers nothing new.
 */
export function registrySchemaOf(topic: RegisteredTopic): Record<string, unknown> {
  const generated = z.toJSONSchema(TOPIC_VALUE_SCHEMAS[topic], { target: 'draft-7', io: 'output', unrepresentable: 'any' });
  return { ...(openSchema(generated) as Record<string, unknown>), title: TITLES[topic] };
}

function openSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openSchema);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node)
    .filter(([k, v]) => k !== 'format' && !(k === 'additionalProperties' && v === false))
    .map(([k, v]) => [k, openSchema(v)]));
}
