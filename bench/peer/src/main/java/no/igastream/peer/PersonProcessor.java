package no.igastream.peer;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import no.igastream.peer.Messages.Account;
import no.igastream.peer.Messages.NotifyRecord;
import no.igastream.peer.Messages.PersonEvent;
import no.igastream.peer.Messages.Range;
import no.igastream.peer.Messages.UsernameClaim;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Step B, keyed by employee id: the person (DFØ employee, affiliations per position) and their one
 * account. An unknown holder is fetched from DFØ; `employee-changed` of a known person is fetched
 * again. Whoever has an affiliation active today (Europe/Oslo) and no account claims a username
 * from the registry (keyed by name stem); the grant creates the account (a UUID) and a CREATE;
 * losing the last active affiliation deactivates it, regaining one reactivates it, a new name
 * changes it (MODIFY). Accounts go to `<app>.iga.accounts`, notify records to `<app>.iga.notify`.
 */
final class PersonProcessor implements Processor<String, PersonEvent, String, Object> {
  static final String PERSONS = "persons";
  static final String TO_CLAIMS = "claims-sink";
  static final String TO_ACCOUNTS = "accounts-sink";
  static final String TO_NOTIFY = "notify-sink";
  /** DFØ's placeholder position of former employees never makes an affiliation. */
  private static final String PLACEHOLDER_POSITION = "99999999";

  private final DfoClient dfo;
  private final PeerConfig config;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, PersonState> persons;

  /** What the person step knows of one employee. */
  static final class PersonState {
    /** Null until fetched, and when DFØ does not know the employee. */
    public String givenName;
    public String familyName;
    public boolean fetched;
    public Map<String, List<Range>> affiliations = new TreeMap<>();
    public Account account;
    /** A claim is on its way to the registry. */
    public boolean claimPending;
    public PersonState() {}
  }

  PersonProcessor(DfoClient dfo, PeerConfig config) {
    this.dfo = dfo;
    this.config = config;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.persons = context.getStateStore(PERSONS);
  }

  @Override
  public void process(Record<String, PersonEvent> record) {
    String employeeId = record.key();
    PersonEvent event = record.value();
    PersonState person = persons.get(employeeId);
    switch (event.type()) {
      case PersonEvent.HOLDER -> {
        if (person == null) person = new PersonState();
        if (event.ranges().isEmpty()) person.affiliations.remove(event.positionId());
        else person.affiliations.put(event.positionId(), event.ranges());
        if (!person.fetched) fetch(employeeId, person);
      }
      case PersonEvent.EMPLOYEE_CHANGED -> {
        if (person == null) return; // not a holder of any position we know: ignored, as iga-stream does
        String before = displayName(person);
        fetch(employeeId, person);
        if (person.account != null && person.givenName != null && !displayName(person).equals(before)) {
          modify(employeeId, person, person.account.active(), List.of("name.givenName", "name.familyName", "displayName"), record.timestamp());
        }
      }
      case PersonEvent.USERNAME_GRANTED -> {
        if (person == null) return;
        person.claimPending = false;
        if (person.account == null && eligible(person)) create(employeeId, person, event.userName(), record.timestamp());
      }
      default -> throw new IllegalArgumentException("unknown person event " + event.type());
    }
    decide(employeeId, person, record.timestamp());
    persons.put(employeeId, person);
  }

  private void fetch(String employeeId, PersonState person) {
    Optional<JsonNode> employee = dfo.employee(employeeId);
    person.fetched = true;
    person.givenName = employee.map(e -> e.path("fornavn").asText("")).orElse(null);
    person.familyName = employee.map(e -> e.path("etternavn").asText("")).orElse(null);
  }

  private void decide(String employeeId, PersonState person, long timestamp) {
    boolean eligible = eligible(person);
    if (eligible && person.account == null && !person.claimPending) {
      person.claimPending = true;
      UsernameClaim claim = new UsernameClaim(employeeId, UsernameRules.namespaces(person.givenName, person.familyName), 0);
      context.forward(new Record<>(claim.chain().get(0).stem(), claim, timestamp), TO_CLAIMS);
    } else if (person.account != null && person.account.active() != eligible) {
      modify(employeeId, person, eligible, List.of("active"), timestamp);
    }
  }

  private static boolean eligible(PersonState person) {
    if (person.givenName == null) return false;
    String today = PositionProcessor.today();
    return person.affiliations.entrySet().stream()
        .anyMatch(e -> !e.getKey().equals(PLACEHOLDER_POSITION) && e.getValue().stream().anyMatch(r -> DfoData.covers(r, today)));
  }

  private void create(String employeeId, PersonState person, String userName, long timestamp) {
    String now = Instant.now().toString();
    person.account = new Account(UUID.randomUUID().toString(), employeeId, userName, true, person.givenName, person.familyName,
        displayName(person), employeeId, now, now, 1);
    emit(person.account, "CREATE", null, timestamp);
  }

  private void modify(String employeeId, PersonState person, boolean active, List<String> attributes, long timestamp) {
    Account a = person.account;
    person.account = new Account(a.id(), employeeId, a.userName(), active, person.givenName, person.familyName, displayName(person),
        active ? employeeId : null, a.created(), Instant.now().toString(), a.version() + 1);
    emit(person.account, "MODIFY", attributes, timestamp);
  }

  private void emit(Account account, String type, List<String> attributes, long timestamp) {
    context.forward(new Record<>(account.id(), account, timestamp), TO_ACCOUNTS);
    NotifyRecord notify = new NotifyRecord(account.id() + ":v" + account.version(), type, account.id(),
        config.resourceUriPrefix() + "/Users/" + account.id(), attributes, account.lastModified(), account);
    context.forward(new Record<>(account.id(), notify, timestamp), TO_NOTIFY);
  }

  private static String displayName(PersonState p) {
    return p.givenName == null ? "" : (p.givenName + " " + p.familyName).trim();
  }
}
