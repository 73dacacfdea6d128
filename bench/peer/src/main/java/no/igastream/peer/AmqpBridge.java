package no.igastream.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingress: DFØ notifications from `ex_from_dfo` (queue `<app>.dfo-in`, bound by routing key)
 * mirrored into the raw topic, key `<kind>:<id>`, value the body as sent. A delivery is acked only
 * after Kafka acknowledged its record (idempotent producer, acks=all); a body that is no DFØ
 * notification goes to the DLQ topic with the reason, and is acked once that write is acknowledged.
 */
final class AmqpBridge implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(AmqpBridge.class);
  private final PeerConfig config;
  private final KafkaProducer<String, byte[]> producer;
  private Connection connection;
  private Channel channel;

  AmqpBridge(PeerConfig config) {
    this.config = config;
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBrokers());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    p.put(ProducerConfig.CLIENT_ID_CONFIG, config.appId() + "-ingress");
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  void start() throws Exception {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(config.amqpUrl());
    factory.setAutomaticRecoveryEnabled(true);
    connection = factory.newConnection(config.appId() + " ingress");
    channel = connection.createChannel();
    channel.exchangeDeclare(config.exchangeIn(), "topic", true);
    channel.queueDeclare(config.queueIn(), true, false, false, null);
    for (String key : config.routingKeysIn()) channel.queueBind(config.queueIn(), config.exchangeIn(), key);
    channel.basicQos(config.prefetch());
    channel.basicConsume(config.queueIn(), false, new DefaultConsumer(channel) {
      @Override
      public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
        mirror(envelope, body);
      }
    });
  }

  private void mirror(Envelope envelope, byte[] body) {
    String key;
    String topic = config.rawTopic();
    byte[] value = body;
    try {
      key = keyOf(envelope.getRoutingKey(), body);
    } catch (IllegalArgumentException | IOException e) {
      topic = config.dlqTopic();
      key = null;
      value = Json.write(Map.of("reason", String.valueOf(e.getMessage()), "source", "ingress",
          "routingKey", envelope.getRoutingKey(), "body", new String(body, StandardCharsets.UTF_8)));
    }
    long tag = envelope.getDeliveryTag();
    producer.send(new ProducerRecord<>(topic, key, value), (meta, err) -> {
      try {
        synchronized (channel) {
          if (err == null) channel.basicAck(tag, false);
          else channel.basicNack(tag, false, true);
        }
      } catch (IOException e) {
        LOG.error("cannot settle delivery {}", tag, e);
      }
    });
  }

  /** `<kind>:<id>`; the kind from the routing key's last word or the body's uri. */
  static String keyOf(String routingKey, byte[] body) throws IOException {
    JsonNode json = Json.MAPPER.readTree(body);
    if (json == null || !json.isObject()) throw new IllegalArgumentException("body is not a JSON object");
    String id = DfoData.normaliseId(json.get("id"));
    if (id == null) throw new IllegalArgumentException("id is no DFØ id: " + json.get("id"));
    String last = routingKey.substring(routingKey.lastIndexOf('.') + 1);
    String kind = last.equals("ansatte") || last.equals("stillinger") ? last : json.path("uri").asText("").replace("dfo:", "");
    if (!kind.equals("ansatte") && !kind.equals("stillinger")) throw new IllegalArgumentException("cannot tell the kind from " + routingKey);
    return kind + ":" + id;
  }

  @Override
  public void close() throws IOException {
    try {
      if (channel != null && channel.isOpen()) channel.close();
    } catch (TimeoutException e) {
      throw new IOException("closing the ingress channel timed out", e);
    }
    producer.flush();
    producer.close();
    if (connection != null && connection.isOpen()) connection.close();
  }
}
