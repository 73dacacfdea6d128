/**
 * Broker addresses for integration tests, and helpers that fail loudly when a broker is missing.
 * Tests use unique names so parallel runs on one broker never collide.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import kafkajs from 'kafkajs';

export const kafkaBrokers = (process.env.IGA_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const amqpUrl = process.env.IGA_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
/**
 * The test broker's SASL_SSL listener (scripts/kafka.sh): certificate from the test CA in
 * scripts/kafka/tls/ca.pem; users iga (PLAIN) and iga-scram (SCRAM-SHA-512), password iga-secret.
 */
export const kafkaSaslBroker = process.env.IGA_KAFKA_SASL_BROKER ?? `127.0.0.1:${process.env.IGA_KAFKA_SASL_PORT ?? '9094'}`;
export const testCaFile = new URL('../../scripts/kafka/tls/ca.pem', import.meta.url).pathname;

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

function reachable(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.replace(/^amqps?:\/\/([^@]*@)?/, '').replace(/\/.*$/, '').split(':');
  return new Promise((resolve) => {
    const s = net.connect({ host, port: Number(port ?? 5672) });
    s.setTimeout(2000);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
    s.once('timeout', () => { s.destroy(); resolve(false); });
  });
}

/** Throws a clear error when Kafka or RabbitMQ is not reachable (integration tests never skip). */
export async function requireBrokers(): Promise<void> {
  if (!(await reachable(kafkaBrokers[0]!))) throw new Error(`Kafka is not reachable at ${kafkaBrokers[0]}: run 'bash scripts/kafka.sh up' or set IGA_KAFKA_BROKERS`);
  if (!(await reachable(amqpUrl))) throw new Error(`RabbitMQ is not reachable at ${amqpUrl}: run 'bash scripts/rabbitmq.sh' or set IGA_AMQP_URL`);
}

/** Throws a clear error when the broker's SASL_SSL listener is missing (never skips). */
export async function requireSaslListener(): Promise<void> {
  if (!(await reachable(kafkaSaslBroker))) {
    throw new Error(`Kafka's SASL_SSL listener is not reachable at ${kafkaSaslBroker}: a broker started by an older checkout lacks it; run 'bash scripts/kafka.sh down && bash scripts/kafka.sh up'`);
  }
}

export function testKafka(clientId = 'test') {
  return new kafkajs.Kafka({ brokers: kafkaBrokers, clientId, logLevel: kafkajs.logLevel.NOTHING });
}

/** Polls `fn` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
