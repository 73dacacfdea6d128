/**
 * The connectors' records on the DLQ topic `<app>.iga.dlq` (kept forever): what could not be
 * handled, why, and the original bytes, so nothing is dropped silently and an operator can replay.
 * Key: the AMQP message id (ingress; none when the message had none) or the notify record's key
 * (egress). Value: a DeadLetterRecord as JSON.
 *
 * Writers: the ingress connector (a DFØ message it cannot mirror: malformed, over a limit, refused
 * by Kafka for good), the egress connector (a notify record that fails its schema), the publisher
 * input (an AMQP profile message it cannot read or whose publisher is not authenticated) and the
 * validation step (a profile refused by its schema, signature or the authority rules; key its message id). Readers:
 * operators (`iga-stream status` says whether anything was dead-lettered). The runtime writes its
 * own records to the same topic for input a processor could not handle (see topics.ts).
 */

import { z } from 'zod';
import { boundedText } from '../../common/jsonLimits.ts';

/** Bodies above this size are kept only in part (Kafka's default max message size is 1 MB). */
export const MAX_DEAD_LETTER_BODY_BYTES = 256 * 1024;
/** Longest reason kept: a reason may quote the input, and the input may be huge. */
export const MAX_DEAD_LETTER_REASON_CHARS = 2000;

/** The DLQ topic value (JSON). */
export interface DeadLetterRecord {
  reason: string;
  /** Which component dead-lettered it: the DFØ ingress, the egress, the publisher input or the validation step. */
  source: 'ingress' | 'egress' | 'publish' | 'validation';
  /** Publisher input and validation: the publisher, and every reason when there are several. */
  publisher?: string;
  reasons?: string[];
  exchange: string | null;
  routingKey: string | null;
  messageId: string | null;
  contentType: string | null;
  receivedAt: string;
  /** The original bytes, base64 (at most MAX_DEAD_LETTER_BODY_BYTES of them). */
  bodyBase64: string;
  /** Present and true only when the body was longer than the limit and cut. */
  truncated?: true;
  /** Size of the original body in bytes. */
  bodyBytes: number;
  /** Egress only: where the record came from in Kafka. */
  kafka?: { topic: string; partition: number; offset: string };
}

/** A DeadLetterRecord, field by field (the registered schema of the DLQ topic is made from it: topicSchemas.ts). */
export const deadLetterRecordSchema = z.object({
  reason: z.string(),
  source: z.enum(['ingress', 'egress', 'publish', 'validation']),
  publisher: z.string().optional(),
  reasons: z.array(z.string()).optional(),
  exchange: z.string().nullable(),
  routingKey: z.string().nullable(),
  messageId: z.string().nullable(),
  contentType: z.string().nullable(),
  receivedAt: z.string(),
  bodyBase64: z.string(),
  truncated: z.literal(true).optional(),
  bodyBytes: z.number().int().min(0),
  kafka: z.object({ topic: z.string(), partition: z.number().int().min(0), offset: z.string() }).optional(),
});

/**
 * The stream runtime's own record on the same topic, for an input a processor could not handle
 * (src/runtime/internals/task.ts writes it; the runtime knows no contract, so its shape is set out
 * here): `source` is `task <id>`, `origin` where the input was, `valueBase64` its bytes.
 */
export const taskDeadLetterSchema = z.object({
  reason: z.string(),
  source: z.string().regex(/^task /),
  origin: z.object({ topic: z.string(), partition: z.number().int().min(0), offset: z.string() }).nullable(),
  key: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  valueBase64: z.string().nullable(),
  at: z.string(),
});

/** Every value of the DLQ topic: a connector's or validation step's record, or the runtime's. */
export const dlqValueSchema = z.union([deadLetterRecordSchema, taskDeadLetterSchema]);

/**
 * Builds a dead-letter record; the body is base64-encoded, and cut after `keepBytes` (default
 * MAX_DEAD_LETTER_BODY_BYTES; the ingress passes less when Kafka's maximum message size is
 * smaller). The reason is cut after MAX_DEAD_LETTER_REASON_CHARS.
 */
export function deadLetterRecord(
  fields: Omit<DeadLetterRecord, 'bodyBase64' | 'truncated' | 'bodyBytes'>,
  body: Buffer,
  keepBytes = MAX_DEAD_LETTER_BODY_BYTES,
): DeadLetterRecord {
  const truncated = body.length > keepBytes;
  const kept = truncated ? body.subarray(0, Math.max(0, keepBytes)) : body;
  return {
    ...fields, reason: boundedText(fields.reason, MAX_DEAD_LETTER_REASON_CHARS),
    bodyBase64: kept.toString('base64'), bodyBytes: body.length, ...(truncated ? { truncated: true as const } : {}),
  };
}
