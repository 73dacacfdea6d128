/**
 * A single-node Kafka (KRaft, broker and controller) in a container, configured like the local test
 * broker (scripts/kafka.sh) through the apache/kafka image's KAFKA_* environment. testcontainers'
 * Kafka module speaks only to Confluent's images, so this is a GenericContainer that does what both
 * testcontainers Kafka modules do: the advertised listener must name the host port that Docker maps,
 * known only once the container runs, so the container first waits for a start script that is copied
 * in then, which sets KAFKA_ADVERTISED_LISTENERS and runs the image's own /etc/kafka/docker/run.
 */
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { waitForLogLine } from './logs.ts';

/** PLAINTEXT for clients on the host, advertised as 127.0.0.1:<mapped port>. */
const CLIENT_PORT = 9092;
/** Between broker and itself, advertised under the container's host name. */
const BROKER_PORT = 9093;
const CONTROLLER_PORT = 9094;
const START_SCRIPT = '/tmp/iga-start-kafka.sh';
const WAITING = `waiting for ${START_SCRIPT}`;
/** The container's cluster id (base64 of "iga-stream-tests"): tells it apart from the local broker. */
export const CONTAINER_CLUSTER_ID = 'aWdhLXN0cmVhbS10ZXN0cw';

export interface KafkaContainer {
  /** `host:port` for IGA_KAFKA_BROKERS. */
  bootstrap: string;
  container: StartedTestContainer;
}

export async function startKafkaContainer(image: string, labels: Record<string, string>): Promise<KafkaContainer> {
  const container = await new GenericContainer(image)
    .withLabels(labels)
    .withExposedPorts(CLIENT_PORT)
    .withEnvironment({
      CLUSTER_ID: CONTAINER_CLUSTER_ID,
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:${CLIENT_PORT},BROKER://0.0.0.0:${BROKER_PORT},CONTROLLER://0.0.0.0:${CONTROLLER_PORT}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: `1@localhost:${CONTROLLER_PORT}`,
      KAFKA_LOG_DIRS: '/var/lib/kafka/data',
      // The rest as scripts/kafka.sh configures the local broker, so both modes test the same thing.
      KAFKA_NUM_PARTITIONS: '6',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '6',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '6',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_LOG_SEGMENT_BYTES: '67108864',
      KAFKA_LOG_CLEANER_DEDUPE_BUFFER_SIZE: '33554432',
      KAFKA_HEAP_OPTS: '-Xms256m -Xmx768m',
      // Warnings only, and the one line that says the broker is up.
      KAFKA_LOG4J_LOGGERS: 'kafka=WARN,org.apache.kafka=WARN,kafka.server.KafkaRaftServer=INFO',
    })
    .withCommand(['bash', '-c', `echo '${WAITING}'; while [ ! -f ${START_SCRIPT} ]; do sleep 0.1; done; exec bash ${START_SCRIPT}`])
    .withWaitStrategy(Wait.forLogMessage(WAITING))
    .withStartupTimeout(60_000)
    .start();
  try {
    const bootstrap = `127.0.0.1:${container.getMappedPort(CLIENT_PORT)}`;
    const started = waitForLogLine(container, 'Kafka Server started', 120_000);
    await container.copyContentToContainer([{
      content: `export KAFKA_ADVERTISED_LISTENERS=PLAINTEXT://${bootstrap},BROKER://${container.getHostname()}:${BROKER_PORT}\nexec /etc/kafka/docker/run\n`,
      target: START_SCRIPT,
      mode: 0o755,
    }]);
    await started;
    return { bootstrap, container };
  } catch (err) {
    await container.stop().catch(() => undefined);
    throw err;
  }
}
