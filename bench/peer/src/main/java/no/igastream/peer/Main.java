package no.igastream.peer;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;

/**
 * Starts the peer: creates its topics, runs the Kafka Streams topology (exactly-once v2, RocksDB
 * stores), the notify egress and the RabbitMQ bridge, prints `ready` on stdout, and stops cleanly
 * on SIGTERM. Settings: PeerConfig (IGA_* variables).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    PeerConfig config = PeerConfig.fromEnv(System.getenv());
    createTopics(config);

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.appId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBrokers());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads());
    props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitIntervalMs());
    KafkaStreams streams = new KafkaStreams(PeerTopology.build(config, new DfoClient(config)), props);
    // A DFØ outage fails the thread; its tasks resume from the last commit on a new one.
    streams.setUncaughtExceptionHandler(e -> StreamThreadExceptionResponse.REPLACE_THREAD);
    CountDownLatch running = new CountDownLatch(1);
    streams.setStateListener((now, before) -> { if (now == KafkaStreams.State.RUNNING) running.countDown(); });
    streams.start();
    if (!running.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("Kafka Streams did not reach RUNNING within 120 s");

    NotifyEgress egress = new NotifyEgress(config);
    egress.start();
    AmqpBridge bridge = new AmqpBridge(config);
    bridge.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        bridge.close();
        egress.close();
      } catch (Exception e) {
        e.printStackTrace();
      }
      streams.close();
      stopped.countDown();
    }));
    System.out.println("ready");
    System.out.flush();
    stopped.await();
  }

  private static void createTopics(PeerConfig config) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBrokers()))) {
      int n = config.partitions();
      List<NewTopic> topics = List.of(
          new NewTopic(config.rawTopic(), Optional.of(n), Optional.empty()),
          new NewTopic(config.personEventsTopic(), Optional.of(n), Optional.empty()),
          new NewTopic(config.claimsTopic(), Optional.of(n), Optional.empty()),
          new NewTopic(config.grantsTopic(), Optional.of(n), Optional.empty()),
          new NewTopic(config.notifyTopic(), Optional.of(n), Optional.empty()),
          new NewTopic(config.accountsTopic(), Optional.of(n), Optional.empty()).configs(Map.of("cleanup.policy", "compact")),
          new NewTopic(config.dlqTopic(), Optional.of(1), Optional.empty()));
      for (var entry : admin.createTopics(topics).values().entrySet()) {
        try {
          entry.getValue().get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
      }
    }
  }
}
