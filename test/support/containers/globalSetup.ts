/**
 * vitest globalSetup of the integration project in the containers mode (IGA_TEST_BROKERS=containers,
 * see settings.ts): starts one Kafka and one RabbitMQ with testcontainers for the whole run, hands
 * their addresses to the test files as IGA_KAFKA_BROKERS and IGA_AMQP_URL (useContainers.ts applies
 * them before a file's imports read them), and stops them at the end.
 * testcontainers' reaper (Ryuk) is an image from a registry this machine kind cannot reach, so it is
 * off; instead the containers carry this process's id, and the next run removes those of a run that
 * died before its teardown.
 */
import { hostname } from 'node:os';
import type { TestProject } from 'vitest/node';
import { testBrokerSettings } from './settings.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The environment that points the tests at the containers. */
    containerBrokerEnv: Record<string, string>;
  }
}

const RUN_LABEL = 'no.iga-stream.test-run';
const HOST_LABEL = 'no.iga-stream.test-host';

const log = (msg: string) => process.stderr.write(`[containers] ${msg}\n`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const settings = testBrokerSettings();
  if (settings.IGA_TEST_BROKERS !== 'containers') return undefined;
  process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';
  const { getContainerRuntimeClient, ImageName } = await import('testcontainers');
  const { startKafkaContainer } = await import('./kafka.ts');
  const { startRabbitMqContainer } = await import('./rabbitmq.ts');

  const client = await getContainerRuntimeClient().catch((err: unknown) => {
    throw new Error(`IGA_TEST_BROKERS=containers needs a Docker engine (bash scripts/images.sh installs and starts one): ${String(err)}`);
  });
  const leftovers = await client.container.dockerode.listContainers({ all: true, filters: { label: [RUN_LABEL, `${HOST_LABEL}=${hostname()}`] } });
  for (const c of leftovers.filter((c) => !alive(Number(c.Labels[RUN_LABEL])))) {
    log(`removing ${c.Image} ${c.Id.slice(0, 12)} left by an earlier run (pid ${c.Labels[RUN_LABEL]})`);
    await client.container.dockerode.getContainer(c.Id).remove({ force: true, v: true });
  }
  for (const image of [settings.IGA_TEST_KAFKA_IMAGE, settings.IGA_TEST_RABBITMQ_IMAGE]) {
    // testcontainers would try to pull a missing image, from a registry this machine kind cannot reach.
    if (!(await client.image.exists(ImageName.fromString(image)))) {
      throw new Error(`the image ${image} is missing: build it with 'bash scripts/images.sh' (or pull it where a registry is reachable)`);
    }
  }

  const labels = { [RUN_LABEL]: String(process.pid), [HOST_LABEL]: hostname() };
  const t0 = Date.now();
  const [kafka, rabbit] = await Promise.allSettled([
    startKafkaContainer(settings.IGA_TEST_KAFKA_IMAGE, labels),
    startRabbitMqContainer(settings.IGA_TEST_RABBITMQ_IMAGE, labels),
  ]);
  if (kafka.status === 'rejected' || rabbit.status === 'rejected') {
    await Promise.allSettled([kafka, rabbit].flatMap((r) => (r.status === 'fulfilled' ? [r.value.container.stop()] : [])));
    throw (kafka.status === 'rejected' ? kafka.reason : (rabbit as PromiseRejectedResult).reason);
  }
  log(`Kafka ${settings.IGA_TEST_KAFKA_IMAGE} at ${kafka.value.bootstrap}, RabbitMQ ${settings.IGA_TEST_RABBITMQ_IMAGE} at ${new URL(rabbit.value.url).host} (up after ${seconds(t0)})`);
  project.provide('containerBrokerEnv', {
    IGA_KAFKA_BROKERS: kafka.value.bootstrap,
    IGA_AMQP_URL: rabbit.value.url,
    // rabbitmqctl for test/support/amqpConnections.ts, through `docker exec`.
    IGA_TEST_RABBITMQ_CONTAINER: rabbit.value.container.getId(),
  });

  return async () => {
    const t1 = Date.now();
    await Promise.allSettled([kafka.value.container.stop(), rabbit.value.container.stop()]);
    log(`stopped Kafka and RabbitMQ (${seconds(t1)})`);
  };
}
