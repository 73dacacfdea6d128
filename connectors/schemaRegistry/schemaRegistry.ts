/**
 * The schema registry at start-up: registers (or finds) the JSON Schema of every topic a relying
 * party may read (src/topology/contracts/topicSchemas.ts) through @kafkajs/confluent-schema-registry,
 * with the compatibility set explicitly, and returns one value serde per topic that writes the
 * Confluent wire format (magic byte, schema id, JSON) after checking each value against the
 * registered schema. A refusal — the registry finds the schema incompatible with the subject's
 * latest, or the subject has another compatibility — stops start-up with an error naming the
 * topic, the subject and the registry's words. Nothing here is called per record over the network:
 * the schemas are cached from registration on.
 */
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Logger } from '../../src/common/log.ts';
import { frameValue, parseJsonValue } from '../../src/common/wireFormat.ts';

/** The compatibility levels a subject can have (the Confluent API's names). */
export const COMPATIBILITY_LEVELS = ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE'] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export interface RegistrySettings {
  /** The Confluent-compatible API's base URL (Apicurio: `…/apis/ccompat/v7`). */
  url: string;
  /** HTTP basic auth, when the registry wants it. */
  auth: { username: string; password: string } | null;
  compatibility: CompatibilityLevel;
}

/** One topic's schema to register under its subject. */
export interface TopicSchema { topic: string; subject: string; schema: Record<string, unknown> }

/** A topic's value serde in the wire format (structurally the stream runtime's Serde). */
export interface RegisteredSerde {
  readonly schemaId: number;
  serialize(value: unknown): Buffer | null;
  deserialize(bytes: Buffer | null): unknown;
}

/** What the registry answered for each topic at start-up. */
export interface TopicRegistration { topic: string; subject: string; schemaId: number; serde: RegisteredSerde }

/** Start-up stops with this when the registry refuses a schema or cannot be asked. */
export class SchemaRegistryRefusal extends Error {
  readonly topic: string;
  readonly subject: string;
  constructor(topic: string, subject: string, message: string) {
    super(message);
    this.name = 'SchemaRegistryRefusal';
    this.topic = topic;
    this.subject = subject;
  }
}

/**
 * Registers each topic's schema (a schema the subject already has is found, not added again).
 * @throws SchemaRegistryRefusal for the first topic whose schema the registry refuses or cannot take.
 */
export async function registerTopicSchemas(settings: RegistrySettings, topics: readonly TopicSchema[], log: Logger): Promise<TopicRegistration[]> {
  const registry = new SchemaRegistry({ host: settings.url, ...(settings.auth ? { auth: settings.auth } : {}), clientId: 'iga-stream' });
  const registered: TopicRegistration[] = [];
  for (const t of topics) {
    let schemaId: number;
    try {
      // register() reads the subject's compatibility first and refuses a different one; a new subject gets ours.
      ({ id: schemaId } = await registry.register(
        { type: SchemaType.JSON, schema: JSON.stringify(t.schema) },
        { subject: t.subject, compatibility: COMPATIBILITY[settings.compatibility] },
      ));
    } catch (err) {
      throw new SchemaRegistryRefusal(t.topic, t.subject, refusalMessage(t, settings, err));
    }
    const schema = await registry.getSchema(schemaId);
    registered.push({ topic: t.topic, subject: t.subject, schemaId, serde: wireSerde(t, schemaId, (v) => schema.toBuffer(v as object)) });
    log.info({ topic: t.topic, subject: t.subject, schemaId, compatibility: settings.compatibility }, 'topic schema registered');
  }
  return registered;
}

/** Wire-format values of one topic; `toJson` checks a value against the schema and gives its JSON bytes. */
function wireSerde(t: TopicSchema, schemaId: number, toJson: (value: unknown) => Buffer): RegisteredSerde {
  return {
    schemaId,
    serialize(value) {
      if (value === null || value === undefined) return null;
      try {
        return frameValue(schemaId, toJson(value));
      } catch (err) {
        const paths = (err as { paths?: unknown }).paths;
        throw new Error(`a value for ${t.topic} does not fit its registered schema (subject ${t.subject}, id ${schemaId}): ${(err as Error).message}${paths ? ` at ${JSON.stringify(paths)}` : ''}`);
      }
    },
    deserialize: (bytes) => (bytes === null ? null : parseJsonValue(bytes)),
  };
}

function refusalMessage(t: TopicSchema, settings: RegistrySettings, err: unknown): string {
  const status = (err as { status?: unknown }).status;
  const words = err instanceof Error ? err.message : String(err);
  const where = `topic ${t.topic}, subject ${t.subject}`;
  if (status === 409) {
    return `the schema registry refused the schema of ${where} as incompatible with the subject's registered schema (compatibility ${settings.compatibility}): ${words}`;
  }
  if (err instanceof Error && err.name === 'ConfluentSchemaRegistryCompatibilityError') {
    return `the schema registry's subject ${t.subject} (topic ${t.topic}) has another compatibility than IGA_SCHEMA_REGISTRY_COMPATIBILITY=${settings.compatibility}: ${words}`;
  }
  // No HTTP status here: the client reports a connection that failed as a 400 of its own.
  return `could not register the schema of ${where} at ${settings.url}: ${words}`;
}
