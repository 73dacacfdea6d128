package no.igastream.peer;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The peer's settings: the same IGA_* variables iga-stream reads (src/app/config.ts), with the same
 * defaults, so the benchmark starts both sides with one environment. PEER_STREAM_THREADS is the
 * peer's own (Kafka Streams' num.stream.threads; default one per core).
 */
record PeerConfig(
    String appId, String kafkaBrokers, String amqpUrl,
    String exchangeIn, String queueIn, List<String> routingKeysIn, int prefetch,
    String exchangeOut, String routingKeyOut,
    String dfoUrl, String dfoApiKey, String dfoAuthHeader, String dfoEmployeePath, String dfoPositionPath,
    int dfoTimeoutMs, int dfoRetryAttempts,
    String resourceUriPrefix, String emailDomain, String stateDir,
    int partitions, int commitIntervalMs, int streamThreads) {

  static PeerConfig fromEnv(Map<String, String> env) {
    String appId = text(env, "IGA_APP_ID", "iga-stream");
    if (!appId.matches("[A-Za-z0-9._-]+")) throw new IllegalArgumentException("IGA_APP_ID: letters, digits, . _ - only, got " + appId);
    String institution = text(env, "IGA_INSTITUTION", "example");
    return new PeerConfig(
        appId,
        text(env, "IGA_KAFKA_BROKERS", "127.0.0.1:9092"),
        text(env, "IGA_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672"),
        text(env, "IGA_AMQP_EXCHANGE_IN", "ex_from_dfo"),
        text(env, "IGA_AMQP_QUEUE_IN", appId + ".dfo-in"),
        Arrays.stream(text(env, "IGA_AMQP_ROUTING_KEYS_IN", "ansatte,stillinger").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(),
        integer(env, "IGA_AMQP_PREFETCH", 64, 1),
        text(env, "IGA_AMQP_EXCHANGE_OUT", "ex_from_iga"),
        text(env, "IGA_AMQP_ROUTING_KEY_OUT", "no." + institution + ".iga.scim.user.{type}"),
        text(env, "IGA_DFO_API_URL", "http://127.0.0.1:8090/dfo").replaceAll("/+$", ""),
        env.getOrDefault("IGA_DFO_API_KEY", ""),
        text(env, "IGA_DFO_AUTH_HEADER", "X-Gravitee-Api-Key"),
        text(env, "IGA_DFO_EMPLOYEE_PATH", "ansatte").replaceAll("^/+|/+$", ""),
        text(env, "IGA_DFO_POSITION_PATH", "stillinger").replaceAll("^/+|/+$", ""),
        integer(env, "IGA_DFO_TIMEOUT_MS", 10_000, 100),
        integer(env, "IGA_DFO_RETRY_ATTEMPTS", 4, 1),
        text(env, "IGA_SCIM_RESOURCE_URI_PREFIX", "http://127.0.0.1:8080").replaceAll("/+$", ""),
        text(env, "IGA_EMAIL_DOMAIN", "example.no").toLowerCase(),
        text(env, "IGA_STATE_DIR", ".state"),
        integer(env, "IGA_PARTITIONS", 6, 1),
        integer(env, "IGA_COMMIT_INTERVAL_MS", 100, 0),
        integer(env, "PEER_STREAM_THREADS", Runtime.getRuntime().availableProcessors(), 1));
  }

  private static String text(Map<String, String> env, String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  private static int integer(Map<String, String> env, String name, int fallback, int min) {
    String v = env.get(name);
    if (v == null || v.isBlank()) return fallback;
    try {
      int n = Integer.parseInt(v.trim());
      if (n < min) throw new IllegalArgumentException(name + ": at least " + min + ", got " + n);
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": expected an integer, got " + v, e);
    }
  }

  /** Topic names, the same as iga-stream's where iga-stream has the same topic (src/topology/contracts/topics.ts). */
  String rawTopic() { return appId + ".dfo.events"; }
  String personEventsTopic() { return appId + "-person-events"; }
  String claimsTopic() { return appId + "-username-claims"; }
  String grantsTopic() { return appId + "-username-grants"; }
  String accountsTopic() { return appId + ".iga.accounts"; }
  String notifyTopic() { return appId + ".iga.notify"; }
  String dlqTopic() { return appId + ".iga.dlq"; }
}
