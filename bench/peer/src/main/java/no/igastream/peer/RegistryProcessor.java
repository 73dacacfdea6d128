package no.igastream.peer;

import no.igastream.peer.Messages.Namespace;
import no.igastream.peer.Messages.PersonEvent;
import no.igastream.peer.Messages.UsernameClaim;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Step C, keyed by name stem: the username registry (src/iga/usernameChoice.ts chooseName). Inside
 * a namespace a person gets the name granted to them before, else their own candidate (employee-id
 * namespace), else the lowest free shared one; a used-up namespace sends the claim, keyed by the
 * next namespace's stem, back to the claims topic. Store keys: `o:<local>` → owner employee id,
 * `g:<stem>:<employee id>` → the name granted there, `n:<stem>` → first shared index that may be free.
 */
final class RegistryProcessor implements Processor<String, UsernameClaim, String, Object> {
  static final String USERNAMES = "usernames";
  static final String TO_GRANTS = "grants-sink";
  static final String TO_CLAIMS = "claims-retry-sink";

  private final String emailDomain;
  private ProcessorContext<String, Object> context;
  private KeyValueStore<String, String> names;

  RegistryProcessor(String emailDomain) {
    this.emailDomain = emailDomain;
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    this.names = context.getStateStore(USERNAMES);
  }

  @Override
  public void process(Record<String, UsernameClaim> record) {
    UsernameClaim claim = record.value();
    Namespace ns = claim.chain().get(claim.index());
    String employeeId = claim.employeeId();
    String granted = names.get("g:" + ns.stem() + ":" + employeeId);
    if (granted == null) granted = take(ns, employeeId);
    if (granted != null) {
      context.forward(new Record<>(employeeId, new PersonEvent(PersonEvent.USERNAME_GRANTED, null, null, granted + "@" + emailDomain), record.timestamp()), TO_GRANTS);
    } else if (claim.index() + 1 < claim.chain().size()) {
      UsernameClaim next = new UsernameClaim(employeeId, claim.chain(), claim.index() + 1);
      context.forward(new Record<>(next.chain().get(next.index()).stem(), next, record.timestamp()), TO_CLAIMS);
    } else {
      throw new IllegalStateException("no username left for employee " + employeeId); // cannot happen: the employee-id namespace has the person's own name
    }
  }

  /** The new name for the employee in `ns`, recorded as theirs; null when the namespace is used up. */
  private String take(Namespace ns, String employeeId) {
    String own = UsernameRules.ownCandidate(ns, employeeId);
    if (own != null && names.get("o:" + own) == null) return grant(ns, employeeId, own);
    String hint = names.get("n:" + ns.stem());
    for (long i = hint == null ? 0 : Long.parseLong(hint); ; i++) {
      String local = UsernameRules.sharedCandidate(ns, i);
      if (local == null) return null;
      if (names.get("o:" + local) != null) continue;
      names.put("n:" + ns.stem(), Long.toString(i + 1));
      return grant(ns, employeeId, local);
    }
  }

  private String grant(Namespace ns, String employeeId, String local) {
    names.put("o:" + local, employeeId);
    names.put("g:" + ns.stem() + ":" + employeeId, local);
    return local;
  }
}
