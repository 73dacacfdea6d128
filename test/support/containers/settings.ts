/**
 * Which brokers the integration tests use, from the environment (an empty value counts as unset):
 *   IGA_TEST_BROKERS          `local` (default): the machine's Kafka and RabbitMQ (scripts/kafka.sh,
 *                             scripts/rabbitmq.sh); `containers`: a Kafka and a RabbitMQ started with
 *                             testcontainers for the run (globalSetup.ts)
 *   IGA_TEST_KAFKA_IMAGE      the Kafka image of the containers mode (default the official apache/kafka)
 *   IGA_TEST_RABBITMQ_IMAGE   the RabbitMQ image of the containers mode (default the official rabbitmq)
 * Read by vitest.config.ts too, so a wrong value stops the run before any test.
 */
import { z } from 'zod';

const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);
const schema = z.object({
  IGA_TEST_BROKERS: z.preprocess(unsetIfEmpty, z.enum(['local', 'containers']).default('local')),
  IGA_TEST_KAFKA_IMAGE: z.preprocess(unsetIfEmpty, z.string().default('apache/kafka:4.1.1')),
  IGA_TEST_RABBITMQ_IMAGE: z.preprocess(unsetIfEmpty, z.string().default('rabbitmq:4-management')),
});

export type TestBrokerSettings = z.infer<typeof schema>;

export function testBrokerSettings(env: NodeJS.ProcessEnv = process.env): TestBrokerSettings {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}
