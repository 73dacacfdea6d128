package no.igastream.peer;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import no.igastream.peer.Messages.Namespace;

/**
 * iga-stream's username rules, the same names for the same people: src/iga/username.ts (folding,
 * the default stem `{given 3}{family 3}`, candidates stem, stem2 … stem9999) and
 * src/iga/usernameNamespaces.ts (the chain of fallback namespaces, ending in the employee-id one).
 */
final class UsernameRules {
  static final String COUNTER = "counter";
  static final String EMPLOYEE_ID = "employee-id";
  private static final Pattern STEM = Pattern.compile("^[a-z][a-z]{0,7}$");
  private static final Pattern NORMALISED_ID = Pattern.compile("^(0|[1-9][0-9]*)$");
  private static final Pattern MARKS = Pattern.compile("\\p{M}");
  private static final int MAX_CANDIDATE = 9998;
  private static final int MAX_LOCAL_LENGTH = 12;
  private static final int MIN_ID_DIGITS = 5;
  private static final Map<String, String> SPECIAL = Map.ofEntries(
      Map.entry("æ", "ae"), Map.entry("ø", "o"), Map.entry("å", "a"), Map.entry("ö", "o"), Map.entry("ä", "a"),
      Map.entry("ü", "u"), Map.entry("é", "e"), Map.entry("ß", "ss"), Map.entry("ð", "d"), Map.entry("þ", "th"),
      Map.entry("ł", "l"), Map.entry("œ", "oe"), Map.entry("đ", "d"), Map.entry("ŧ", "t"), Map.entry("ŋ", "n"),
      Map.entry("ı", "i"), Map.entry("ħ", "h"), Map.entry("ĸ", "k"), Map.entry("ʒ", "z"), Map.entry("ƶ", "z"));

  private UsernameRules() {}

  static String foldToAscii(String s) {
    StringBuilder out = new StringBuilder();
    s.toLowerCase(Locale.ROOT).codePoints().forEach(cp -> {
      String ch = new String(Character.toChars(cp));
      String special = SPECIAL.get(ch);
      out.append(special != null ? special : MARKS.matcher(Normalizer.normalize(ch, Normalizer.Form.NFKD)).replaceAll(""));
    });
    return out.toString().replaceAll("[^a-z0-9]", "");
  }

  private static String letters(String name) {
    return foldToAscii(name).replaceAll("[^a-z]", "");
  }

  private static String head(String s, int n) {
    return s.substring(0, Math.min(n, s.length()));
  }

  static String defaultStem(String given, String family) {
    String stem = head(head(letters(given), 3) + head(letters(family), 3), 8);
    return stem.isEmpty() ? "user" : stem;
  }

  /** The namespaces a claim walks, in order: default stem, more letters, middle names, employee id. */
  static List<Namespace> namespaces(String given, String family) {
    String first = defaultStem(given, family);
    List<String> more = new ArrayList<>(moreLetterStems(letters(given), letters(family)));
    more.addAll(middleNameStems(words(given), words(family)));
    Set<String> fallbacks = new LinkedHashSet<>();
    for (String s : more) if (STEM.matcher(s).matches() && !s.equals(first)) fallbacks.add(s);
    List<Namespace> chain = new ArrayList<>();
    chain.add(new Namespace(first, COUNTER));
    for (String s : fallbacks) chain.add(new Namespace(s, COUNTER));
    chain.add(new Namespace(first.substring(0, 1), EMPLOYEE_ID));
    return chain;
  }

  /** The name reserved for one person in an employee-id namespace, else null. */
  static String ownCandidate(Namespace ns, String employeeId) {
    if (!ns.scheme().equals(EMPLOYEE_ID) || !NORMALISED_ID.matcher(employeeId).matches()) return null;
    String local = ns.stem() + "0".repeat(Math.max(0, MIN_ID_DIGITS - employeeId.length())) + employeeId;
    return local.length() <= MAX_LOCAL_LENGTH ? local : null;
  }

  /** The i-th shared name of a namespace, or null past its end. */
  static String sharedCandidate(Namespace ns, long i) {
    if (i < 0) return null;
    if (ns.scheme().equals(COUNTER)) return i > MAX_CANDIDATE ? null : i == 0 ? ns.stem() : ns.stem() + (i + 1);
    String digits = Long.toString(i);
    String local = ns.stem() + "0" + "0".repeat(Math.max(0, MIN_ID_DIGITS - digits.length())) + digits;
    return local.length() <= MAX_LOCAL_LENGTH ? local : null;
  }

  private static List<String> moreLetterStems(String given, String family) {
    int gMin = Math.min(3, given.length());
    int fMin = Math.min(3, family.length());
    List<String> out = new ArrayList<>();
    for (int total = gMin + fMin + 1; total <= 8; total++) {
      List<int[]> splits = new ArrayList<>();
      for (int g = gMin; g <= given.length(); g++) {
        int f = total - g;
        if (f >= fMin && f <= family.length()) splits.add(new int[] {g, f});
      }
      // Most even split first; on a tie the one with more family letters.
      splits.sort((a, b) -> Math.abs(a[0] - a[1]) != Math.abs(b[0] - b[1]) ? Math.abs(a[0] - a[1]) - Math.abs(b[0] - b[1]) : b[1] - a[1]);
      for (int[] s : splits) out.add(given.substring(0, s[0]) + family.substring(0, s[1]));
    }
    return out;
  }

  private static List<String> middleNameStems(List<String> givenWords, List<String> familyWords) {
    String first = givenWords.isEmpty() ? "" : head(givenWords.get(0), 3);
    String last = familyWords.isEmpty() ? "" : head(familyWords.get(familyWords.size() - 1), 3);
    List<String> out = new ArrayList<>();
    out.add(first + last);
    for (String m : givenWords.subList(Math.min(1, givenWords.size()), givenWords.size())) {
      out.add(first + head(m, 1) + last);
      out.add(first + head(m, 2) + last);
      out.add(head(m, 3) + last);
    }
    for (String m : familyWords.subList(0, Math.max(0, familyWords.size() - 1))) {
      out.add(first + head(m, 1) + last);
      out.add(first + head(m, 2) + last);
      out.add(first + head(m, 3));
    }
    return out;
  }

  private static List<String> words(String name) {
    return Arrays.stream(name.split("\\s+")).map(UsernameRules::letters).filter(w -> !w.isEmpty()).toList();
  }
}
