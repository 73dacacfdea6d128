/**
 * Every topic of the service, by name; `<app>` is IGA_APP_ID. Each name's key and value are set
 * out in the contract file named beside it (writers → readers):
 *
 *   raw             `<app>.dfo.events`                     key `<kind>:<id>`, RawDfoEvent (raw.ts)
 *                   ingress connector, reconcile repairs → dfo-events step (A), explain's raw reader
 *   replay          `<app>-<app>.dfo.events-replay`        raw's copies with the replay headers (raw.ts)
 *                   reprocess (src/features/replay) → dfo-events step (A), next to raw, same partitions
 *   personEvents    `<app>-person-events-repartition`      key the person key (employee id, or `p-…`), PersonEvent (messages.ts)
 *                   dfo-events (A), person directory (G), person step (B: DFØ sides, sponsors) → person step (B)
 *   accountInputs   `<app>-account-inputs-repartition`     key the person key, AccountInput (messages.ts)
 *                   username registry (C: grants), brake (D: verdicts) → account-inputs step (B) → account step
 *   usernameClaims  `<app>-username-claims-repartition`    key name stem, UsernameClaim (messages.ts)
 *                   account step (B), username registry (C, a claim passed on) → username registry (C)
 *   brake           `<app>-brake-repartition`              key `brake`, BrakeRecord (brake.ts)
 *                   account step (B), the admin API's release/discard → brake (D)
 *   accounts        `<app>.iga.accounts`  (compacted)      key account id, Account (src/iga/model.ts)
 *                   account step (B) → the SCIM replica of every instance
 *   notify          `<app>.iga.notify`                     key account id, NotifyRecord (notify.ts)
 *                   account step (B) → egress connector
 *   changeStatus    `<app>.iga.change-status` (compacted) key `<change id>|<destination>`, ChangeStatus
 *                   (changeStatus.ts): the change drivers, the validation step (E), the person directory (G,
 *                   held and released profiles) → the publisher's view, the status exchange
 *   audit           `<app>.iga.audit`                      key employee id, AuditRecord (audit.ts);
 *                   key `reconcile:<run>`, a reconciliation run's records (src/features/reconcile/records.ts)
 *                   account step (B), reconcile → explain's audit index
 *   dlq             `<app>.iga.dlq`                        what could not be handled: DeadLetterRecord
 *                   (deadLetter.ts) from the ingress, egress, publisher input and validation step; the
 *                   runtime's own record (reason, `source: task <id>`, origin, valueBase64) from a processor → operators
 *   profilesRaw     `<app>.profiles.raw`                   key `<publisher>:<sourceId>`, RawProfile (profiles.ts)
 *                   publisher input (connectors/publish) → validation step (E), the publisher's view
 *   profilesValid   `<app>.profiles.valid`                 key `<publisher>:<sourceId>`, ValidProfile (profiles.ts)
 *                   validation step (E) → profile-keys step (F)
 *   personDirectory `<app>-person-directory-repartition`  key a directory key, DirectoryRecord (directory.ts)
 *                   profile-keys (F), account step (B: registrations, links) → person directory (G)
 *
 * The stores' changelogs are `<app>-<store>-changelog` (the runtime's `changelogTopic`); the stores are
 * in stores.ts. With a schema registry, accounts, notify, audit and dlq — the topics relying parties
 * read — have registered schemas and are written in its wire format (topicSchemas.ts).
 */

/** The topic names of the application `appId`. */
export function topicNames(appId: string) {
  const raw = `${appId}.dfo.events`;
  return {
    raw,
    replay: `${appId}-${raw}-replay`,
    personEvents: `${appId}-person-events-repartition`,
    accountInputs: `${appId}-account-inputs-repartition`,
    usernameClaims: `${appId}-username-claims-repartition`,
    brake: `${appId}-brake-repartition`,
    accounts: `${appId}.iga.accounts`,
    notify: `${appId}.iga.notify`,
    changeStatus: `${appId}.iga.change-status`,
    audit: `${appId}.iga.audit`,
    dlq: `${appId}.iga.dlq`,
    profilesRaw: `${appId}.profiles.raw`,
    profilesValid: `${appId}.profiles.valid`,
    personDirectory: `${appId}-person-directory-repartition`,
  } as const;
}
