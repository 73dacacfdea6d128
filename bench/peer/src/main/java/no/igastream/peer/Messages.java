package no.igastream.peer;

import java.util.List;

/**
 * The records between the steps and on the output topics. Person events are keyed by employee id,
 * claims by username stem; accounts and notify records have iga-stream's shapes
 * (src/iga/model.ts Account, src/topology/contracts/notify.ts NotifyRecord).
 */
final class Messages {
  private Messages() {}

  /** A date range of a holder; null = open. Dates are YYYY-MM-DD. */
  record Range(String start, String end) {}

  /**
   * One thing that happened to a person: `holder` (their ranges in one position, empty = removed),
   * `employee-changed` (DFØ said the employee changed) or `username-granted` (the registry's answer).
   */
  record PersonEvent(String type, String positionId, List<Range> ranges, String userName) {
    static final String HOLDER = "holder";
    static final String EMPLOYEE_CHANGED = "employee-changed";
    static final String USERNAME_GRANTED = "username-granted";
  }

  /** A username namespace (src/iga/usernameNamespaces.ts): scheme `counter` or `employee-id`. */
  record Namespace(String stem, String scheme) {}

  /** A claim for a username in chain[index]; a used-up namespace passes it on with index + 1. */
  record UsernameClaim(String employeeId, List<Namespace> chain, int index) {}

  record Account(String id, String personId, String userName, boolean active, String givenName, String familyName,
      String displayName, String employeeNumber, String created, String lastModified, int version) {}

  record NotifyRecord(String eventId, String type, String accountId, String resourceUri, List<String> attributes,
      String occurredAt, Account account) {}
}
