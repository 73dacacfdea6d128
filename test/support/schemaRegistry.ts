/**
 * The local schema registry for integration tests (scripts/registry.sh: Apicurio Registry, its
 * Confluent-compatible API). Tests fail loudly when it is missing; they register only under
 * subjects of their own app id.
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';

/** The Confluent-compatible API of the registry that scripts/registry.sh starts. */
export const schemaRegistryUrl = process.env.IGA_TEST_SCHEMA_REGISTRY_URL ?? `http://127.0.0.1:${process.env.IGA_REGISTRY_PORT ?? '8181'}/apis/ccompat/v7`;

/** Throws a clear error when the registry does not answer (integration tests never skip). */
export async function requireSchemaRegistry(): Promise<void> {
  const answer = await fetch(`${schemaRegistryUrl}/subjects`, { signal: AbortSignal.timeout(5000) }).catch((err: unknown) => err as Error);
  if (answer instanceof Error || !answer.ok) {
    throw new Error(`the schema registry does not answer at ${schemaRegistryUrl} (${answer instanceof Error ? answer.message : `HTTP ${answer.status}`}): run 'bash scripts/registry.sh up' or set IGA_TEST_SCHEMA_REGISTRY_URL`);
  }
}

/** A client as a relying party would make it: the library's defaults. */
export function relyingPartyRegistry(): SchemaRegistry {
  return new SchemaRegistry({ host: schemaRegistryUrl });
}

/** GET on the Confluent API (JSON answer). */
export async function registryGet(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${schemaRegistryUrl}${path}`);
  return { status: res.status, body: await res.json().catch(() => null) };
}
