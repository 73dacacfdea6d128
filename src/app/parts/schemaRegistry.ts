/**
 * The schema registry part (only with IGA_SCHEMA_REGISTRY_URL): registers the schemas of the topics
 * relying parties read before any part writes to them, and hands the writers of those topics (the
 * stream runtime's sinks and dead letters, the connectors' dead letters, reconciliation's audit
 * records) a wire-format serde per topic. Without a registry every writer keeps plain JSON.
 * A refused schema stops start-up (SchemaRegistryRefusal, naming the topic and the subject).
 */
import { registerTopicSchemas, type RegisteredSerde } from '../../../connectors/schemaRegistry/schemaRegistry.ts';
import { registeredTopics, registrySchemaOf } from '../../topology/contracts/topicSchemas.ts';
import type { Part, PartContext } from './part.ts';

/** Each registered topic's serde, by Kafka topic name; empty without a registry. */
export type TopicSerdes = ReadonlyMap<string, RegisteredSerde>;

/** Encodes one value for `topic`: the registry's wire format when the topic has a schema, else plain JSON. */
export function valueEncoder(serdes: TopicSerdes, topic: string): (value: unknown) => Buffer {
  const serde = serdes.get(topic);
  return serde ? (value) => serde.serialize(value)! : (value) => Buffer.from(JSON.stringify(value));
}

export async function schemaRegistryPart(ctx: PartContext): Promise<Part & { serdes: TopicSerdes }> {
  const settings = ctx.cfg.schemaRegistry;
  if (!settings) return { name: 'schemaRegistry', serdes: new Map(), close: async () => undefined };
  const topics = registeredTopics(ctx.topics).map((t) => ({ topic: t.topic, subject: t.subject, schema: registrySchemaOf(t.name) }));
  const registered = await registerTopicSchemas(settings, topics, ctx.logOf('schema-registry'));
  return {
    name: 'schemaRegistry',
    serdes: new Map(registered.map((r) => [r.topic, r.serde])),
    close: async () => undefined,
    status: () => ({ url: settings.url, compatibility: settings.compatibility, subjects: registered.map((r) => ({ subject: r.subject, schemaId: r.schemaId })) }),
  };
}
