/**
 * A RabbitMQ in a container, with testcontainers' RabbitMQ module (guest/guest, started when the log
 * says so). Its URL carries the credentials, as IGA_AMQP_URL does.
 */
import { RabbitMQContainer } from '@testcontainers/rabbitmq';
import type { StartedTestContainer } from 'testcontainers';

export interface RabbitMqContainer {
  /** `amqp://guest:guest@127.0.0.1:<mapped port>` for IGA_AMQP_URL. */
  url: string;
  container: StartedTestContainer;
}

export async function startRabbitMqContainer(image: string, labels: Record<string, string>): Promise<RabbitMqContainer> {
  // The module's 30 s is tight on a busy 2-core machine.
  const container = await new RabbitMQContainer(image).withLabels(labels).withStartupTimeout(120_000).start();
  return { url: `amqp://guest:guest@127.0.0.1:${container.getMappedPort(5672)}`, container };
}
