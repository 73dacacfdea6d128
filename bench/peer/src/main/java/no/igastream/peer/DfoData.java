package no.igastream.peer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import no.igastream.peer.Messages.Range;

/**
 * Reading DFØ's shapes and quirks (/work/shared/dfo/FORMATS.md §2.2, connectors/dfo/primitives.ts):
 * ids as numbers or zero-padded strings, lists that may be a bare object, null or missing, dates as
 * YYYY-MM-DD or ISO date-times, 9999-… ends meaning open.
 */
final class DfoData {
  private DfoData() {}

  /** A DFØ id without leading zeros, or null when it is no id. */
  static String normaliseId(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) return null;
    String s = node.asText().trim();
    if (!s.matches("\\d{1,15}")) return null;
    return s.replaceFirst("^0+(?=\\d)", "");
  }

  static List<JsonNode> list(JsonNode node) {
    List<JsonNode> out = new ArrayList<>();
    if (node == null || node.isNull() || node.isMissingNode()) return out;
    if (node.isArray()) node.forEach(n -> { if (n.isObject()) out.add(n); });
    else if (node.isObject()) out.add(node);
    return out;
  }

  static String date(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) return null;
    String s = node.asText();
    if (!s.matches("\\d{4}-\\d{2}-\\d{2}.*")) return null;
    return s.substring(0, 10);
  }

  static String endDate(JsonNode node) {
    String d = date(node);
    return d == null || d.compareTo("9999-01-01") >= 0 ? null : d;
  }

  /**
   * A position's holders: employee id → ranges, one per start date (a repeated start keeps the
   * later end, as src/iga/affiliations.ts applyHolderRanges does), sorted by start.
   */
  static Map<String, List<Range>> holders(JsonNode position) {
    Map<String, Map<String, Range>> byStart = new LinkedHashMap<>();
    for (JsonNode h : list(position.path("innehaver"))) {
      String id = normaliseId(h.path("innehaverAnsattnr"));
      if (id == null) continue;
      Range r = new Range(date(h.path("innehaverStartdato")), endDate(h.path("innehaverSluttdato")));
      byStart.computeIfAbsent(id, k -> new LinkedHashMap<>()).merge(String.valueOf(r.start()), r, (a, b) -> laterEnd(a, b));
    }
    Map<String, List<Range>> out = new LinkedHashMap<>();
    byStart.forEach((id, ranges) -> {
      List<Range> sorted = new ArrayList<>(ranges.values());
      sorted.sort((a, b) -> String.valueOf(a.start()).compareTo(String.valueOf(b.start())));
      out.put(id, sorted);
    });
    return out;
  }

  private static Range laterEnd(Range a, Range b) {
    if (a.end() == null) return a;
    if (b.end() == null) return b;
    return a.end().compareTo(b.end()) >= 0 ? a : b;
  }

  /** True when a range covers `today` (YYYY-MM-DD). */
  static boolean covers(Range r, String today) {
    return (r.start() == null || r.start().compareTo(today) <= 0) && (r.end() == null || today.compareTo(r.end()) <= 0);
  }
}
