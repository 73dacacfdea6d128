package no.igastream.peer;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * GETs of one employee or one position from the DFØ API (connectors/dfo/client.ts does the same
 * for iga-stream): 200 → the object out of its wrapper (a bare object or a one-element list);
 * 404 with DFØ's faultText → empty (gone); 408/429/5xx and network errors retried with jittered
 * backoff, then DfoUnavailable, which fails the stream thread so the task retries from its last commit.
 */
final class DfoClient {
  static final class DfoUnavailable extends RuntimeException {
    private static final long serialVersionUID = 1L;
    DfoUnavailable(String message, Throwable cause) { super(message, cause); }
  }

  private final PeerConfig config;
  private final HttpClient http;

  DfoClient(PeerConfig config) {
    this.config = config;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofMillis(config.dfoTimeoutMs())).build();
  }

  Optional<JsonNode> employee(String id) {
    return get(config.dfoEmployeePath(), id, "ansatt", "IKKE ANSATT");
  }

  Optional<JsonNode> position(String id) {
    return get(config.dfoPositionPath(), id, "stilling", "UBESATT STILLING");
  }

  private Optional<JsonNode> get(String path, String id, String wrapper, String goneFault) {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(config.dfoUrl() + "/" + path + "/" + id))
        .timeout(Duration.ofMillis(config.dfoTimeoutMs())).header("Accept", "application/json").GET();
    if (!config.dfoApiKey().isEmpty()) req.header(config.dfoAuthHeader(), config.dfoApiKey());
    HttpRequest request = req.build();
    Exception last = null;
    for (int attempt = 1; attempt <= config.dfoRetryAttempts(); attempt++) {
      try {
        HttpResponse<byte[]> res = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        int status = res.statusCode();
        if (status == 200) {
          JsonNode body = Json.MAPPER.readTree(res.body()).path(wrapper);
          JsonNode object = body.isArray() ? body.path(0) : body;
          return object.isObject() ? Optional.of(object) : Optional.empty();
        }
        if (status == 404) {
          String fault = Json.MAPPER.readTree(res.body()).path("standard").path("faultText").asText("");
          if (fault.startsWith(goneFault)) return Optional.empty();
          throw new DfoUnavailable("DFØ " + request.uri() + ": 404 without a DFØ fault (gateway route?)", null);
        }
        if (status != 408 && status != 429 && status < 500) throw new DfoUnavailable("DFØ " + request.uri() + " refused: " + status, null);
        last = new IOException("HTTP " + status);
      } catch (IOException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DfoUnavailable("interrupted", e);
      }
      if (attempt < config.dfoRetryAttempts()) backoff(attempt);
    }
    throw new DfoUnavailable("DFØ " + request.uri() + " unavailable after " + config.dfoRetryAttempts() + " attempts", last);
  }

  private static void backoff(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(1, Math.min(5_000, 100L << attempt)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
