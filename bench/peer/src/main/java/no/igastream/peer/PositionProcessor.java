package no.igastream.peer;

import java.io.IOException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import no.igastream.peer.Messages.PersonEvent;
import no.igastream.peer.Messages.Range;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step A, keyed `<kind>:<id>` (the raw mirror): a `stillinger` notification → GET the position,
 * diff its holders against the stored copy, one `holder` event per employee whose ranges changed;
 * an `ansatte` notification → `employee-changed`. A notification valid from a later day
 * (gyldigEtter) waits in the `deferred` store until that day (checked every minute).
 */
final class PositionProcessor implements Processor<String, byte[], String, PersonEvent> {
  static final String POSITIONS = "positions";
  static final String DEFERRED = "deferred";
  private static final Logger LOG = LoggerFactory.getLogger(PositionProcessor.class);
  private static final ZoneId OSLO = ZoneId.of("Europe/Oslo");

  private final DfoClient dfo;
  private ProcessorContext<String, PersonEvent> context;
  private KeyValueStore<String, PositionHolders> positions;
  private KeyValueStore<String, byte[]> deferred;

  /** The stored holders of one position (employee id → ranges). */
  static final class PositionHolders {
    public Map<String, List<Range>> holders;
    public PositionHolders() {}
    PositionHolders(Map<String, List<Range>> holders) { this.holders = holders; }
  }

  PositionProcessor(DfoClient dfo) {
    this.dfo = dfo;
  }

  @Override
  public void init(ProcessorContext<String, PersonEvent> context) {
    this.context = context;
    this.positions = context.getStateStore(POSITIONS);
    this.deferred = context.getStateStore(DEFERRED);
    context.schedule(Duration.ofMinutes(1), PunctuationType.WALL_CLOCK_TIME, now -> releaseDue());
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String notBefore = notBefore(record.value());
    if (notBefore != null && notBefore.compareTo(today()) > 0) {
      deferred.put(notBefore + "|" + record.key(), record.value());
      return;
    }
    handle(record.key(), record.timestamp());
  }

  private void handle(String key, long timestamp) {
    int colon = key == null ? -1 : key.indexOf(':');
    if (colon < 0) {
      LOG.warn("raw record with key {} is not <kind>:<id>; skipped", key);
      return;
    }
    String kind = key.substring(0, colon);
    String id = key.substring(colon + 1);
    if (kind.equals("ansatte")) {
      context.forward(new Record<>(id, new PersonEvent(PersonEvent.EMPLOYEE_CHANGED, null, null, null), timestamp));
    } else if (kind.equals("stillinger")) {
      Map<String, List<Range>> now = dfo.position(id).map(DfoData::holders).orElse(Map.of());
      PositionHolders stored = positions.get(id);
      Map<String, List<Range>> before = stored == null ? Map.of() : stored.holders;
      Set<String> people = new LinkedHashSet<>(before.keySet());
      people.addAll(now.keySet());
      for (String employeeId : people) {
        List<Range> ranges = now.getOrDefault(employeeId, List.of());
        if (!Objects.equals(before.get(employeeId), ranges)) {
          context.forward(new Record<>(employeeId, new PersonEvent(PersonEvent.HOLDER, id, ranges, null), timestamp));
        }
      }
      if (now.isEmpty()) positions.delete(id);
      else if (!now.equals(before)) positions.put(id, new PositionHolders(now));
    }
  }

  private void releaseDue() {
    String today = today();
    try (KeyValueIterator<String, byte[]> due = deferred.range("0000", today + "|\uffff")) {
      while (due.hasNext()) {
        KeyValue<String, byte[]> entry = due.next();
        deferred.delete(entry.key);
        handle(entry.key.substring(entry.key.indexOf('|') + 1), context.currentSystemTimeMs());
      }
    }
  }

  /** gyldigEtter (YYYYMMDD) as YYYY-MM-DD, or null. */
  private static String notBefore(byte[] body) {
    try {
      String v = Json.MAPPER.readTree(body).path("gyldigEtter").asText("");
      return v.matches("\\d{8}") ? v.substring(0, 4) + "-" + v.substring(4, 6) + "-" + v.substring(6) : null;
    } catch (IOException e) {
      return null;
    }
  }

  static String today() {
    return LocalDate.now(OSLO).toString();
  }

}
