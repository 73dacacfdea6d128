package no.igastream.peer;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import no.igastream.peer.Messages.NotifyRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The egress: notify records (read_committed) → SCIM notify events on `ex_from_iga`, the thin body
 * of connectors/egress/notifyEvent.ts (CREATE without attributes, MODIFY with them), messageId the
 * event id. Offsets are committed after RabbitMQ confirmed every event of the polled batch.
 */
final class NotifyEgress implements Runnable, Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(NotifyEgress.class);
  private static final String EVENT_SCHEMA = "urn:ietf:params:scim:schemas:notify:2.0:Event";
  private final PeerConfig config;
  private final KafkaConsumer<String, NotifyRecord> consumer;
  private Connection connection;
  private Channel channel;
  private volatile boolean running = true;
  private final Thread thread = new Thread(this, "notify-egress");

  NotifyEgress(PeerConfig config) {
    this.config = config;
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBrokers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.appId() + ".egress");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Deserializer<NotifyRecord> values = Json.serde(NotifyRecord.class).deserializer();
    consumer = new KafkaConsumer<>(p, new StringDeserializer(), values);
  }

  void start() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(config.amqpUrl());
    connection = factory.newConnection(config.appId() + " egress");
    channel = connection.createChannel();
    channel.exchangeDeclare(config.exchangeOut(), "topic", true);
    channel.confirmSelect();
    consumer.subscribe(Set.of(config.notifyTopic()));
    thread.start();
  }

  @Override
  public void run() {
    try {
      while (running) {
        ConsumerRecords<String, NotifyRecord> batch = consumer.poll(Duration.ofMillis(500));
        if (batch.isEmpty()) continue;
        for (ConsumerRecord<String, NotifyRecord> r : batch) publish(r.value());
        channel.waitForConfirmsOrDie(30_000);
        consumer.commitSync();
      }
    } catch (WakeupException e) {
      if (running) throw e;
    } catch (Exception e) {
      LOG.error("egress stopped", e);
      Runtime.getRuntime().halt(70); // let the supervisor restart us; nothing was committed past the confirmed events
    } finally {
      consumer.close();
    }
  }

  private void publish(NotifyRecord r) throws IOException {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("schemas", List.of(EVENT_SCHEMA));
    event.put("resourceUris", List.of(r.resourceUri()));
    event.put("type", r.type());
    if (r.type().equals("MODIFY")) event.put("attributes", r.attributes() == null ? List.of() : List.copyOf(new LinkedHashSet<>(r.attributes())));
    String lower = r.type().toLowerCase(Locale.ROOT);
    AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
        .messageId(r.eventId()).deliveryMode(2).contentType("application/json").contentEncoding("utf-8")
        .timestamp(Date.from(Instant.parse(r.occurredAt()))).type("scim.user." + lower).appId("iga-streams-peer").build();
    channel.basicPublish(config.exchangeOut(), config.routingKeyOut().replace("{type}", lower), props, Json.write(event));
  }

  @Override
  public void close() throws IOException {
    running = false;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (connection != null && connection.isOpen()) connection.close();
  }
}
