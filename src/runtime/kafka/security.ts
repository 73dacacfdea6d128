/**
 * How Kafka clients reach a cluster that wants TLS and SASL: a CA bundle to trust (and a client
 * certificate for mutual TLS), and a SASL login (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512).
 *
 * The settings belong to the cluster, so they are registered per broker address when the service
 * starts (`registerKafkaSecurity`), and every KafkaJS client built for one of those brokers — the
 * stream runtime, the replicas, the connectors, the admin operations — gets them
 * (`kafkaSecurityFor`). A client for any other address connects as before.
 */
import type { SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaSecurity {
  /** TLS on, with these PEM files' contents (null: TLS off). No `ca`: the system's CAs. */
  tls: { ca?: string; cert?: string; key?: string } | null;
  sasl: { mechanism: SaslMechanism; username: string; password: string } | null;
}

export const NO_KAFKA_SECURITY: KafkaSecurity = { tls: null, sasl: null };

const byBroker = new Map<string, KafkaSecurity>();

/** Every client built for one of `brokers` from now on connects with `security`. */
export function registerKafkaSecurity(brokers: readonly string[], security: KafkaSecurity): void {
  for (const b of brokers) {
    if (security.tls === null && security.sasl === null) byBroker.delete(b);
    else byBroker.set(b, security);
  }
}

/** The `ssl` and `sasl` options of a KafkaJS client for `brokers` (empty for a plaintext cluster). */
export function kafkaSecurityFor(brokers: readonly string[]): { ssl?: ConnectionOptions; sasl?: SASLOptions } {
  const s = brokers.map((b) => byBroker.get(b)).find((x) => x !== undefined);
  if (!s) return {};
  return {
    ...(s.tls ? { ssl: { rejectUnauthorized: true, ...s.tls } } : {}),
    ...(s.sasl ? { sasl: { mechanism: s.sasl.mechanism, username: s.sasl.username, password: s.sasl.password } as SASLOptions } : {}),
  };
}
