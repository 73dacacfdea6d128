/**
 * The containers mode's wiring (runs only with IGA_TEST_BROKERS=containers; vitest.config.ts leaves
 * it out of the local mode): the brokers that every integration test reaches through
 * IGA_KAFKA_BROKERS and IGA_AMQP_URL are the containers that test/support/containers/globalSetup.ts
 * started, not the machine's own.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import * as amqp from 'amqplib';
import { amqpUrl, kafkaBrokers, testKafka, uniqueName } from '../support/brokers.ts';
import { amqpConnectionsNamed } from '../support/amqpConnections.ts';
import { CONTAINER_CLUSTER_ID } from '../support/containers/kafka.ts';

describe('containers mode', () => {
  test('Kafka at IGA_KAFKA_BROKERS is the container, advertising the address the tests use', async () => {
    const admin = testKafka('containers-check').admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      assert.equal(cluster.clusterId, CONTAINER_CLUSTER_ID);
      assert.deepEqual(cluster.brokers.map((b) => `${b.host}:${b.port}`), kafkaBrokers);
    } finally {
      await admin.disconnect();
    }
  });

  test('RabbitMQ at IGA_AMQP_URL is the container: its rabbitmqctl sees the connection', async () => {
    const name = uniqueName('containers-check');
    const connection = await amqp.connect(amqpUrl, { clientProperties: { connection_name: name } });
    try {
      assert.ok(process.env.IGA_TEST_RABBITMQ_CONTAINER, 'the container is known to the tests');
      assert.equal((await amqpConnectionsNamed(name)).length, 1);
    } finally {
      await connection.close();
    }
  });
});
