/**
 * The console's labels in English (default) and Norwegian bokmål. The language is the `lang`
 * cookie (set by the switch in the header); a key missing in Norwegian falls back to English.
 */
export type Lang = 'en' | 'nb';

const en = {
  'app.title': 'iga-stream console',
  'nav.overview': 'Overview', 'nav.people': 'People', 'nav.upcoming': 'Upcoming', 'nav.held': 'Held changes',
  'nav.deadLetters': 'Dead letters', 'nav.reconcile': 'Reconciliation', 'nav.signOut': 'Sign out', 'nav.skip': 'Skip to content',
  'signIn.title': 'Sign in', 'signIn.token': 'Admin token', 'signIn.submit': 'Sign in',
  'signIn.help': 'Paste an admin token (IGA_ADMIN_TOKENS or IGA_ADMIN_TOKENS_FILE). It is checked once; the browser then keeps a session cookie that expires.',
  'signIn.bad': 'That token is not an admin token of this service.', 'signIn.expired': 'Your session has expired or was revoked; sign in again.',
  'signIn.signedOut': 'You are signed out.', 'signedInAs': 'Signed in as',
  'people.title': 'People', 'people.search': 'Name, userName, employee number or account id', 'people.find': 'Search',
  'people.none': 'No person matches', 'people.results': 'Matches',
  'col.name': 'Name', 'col.userName': 'userName', 'col.employee': 'Employee number', 'col.account': 'Account id', 'col.active': 'Active',
  'col.position': 'Position', 'col.from': 'From', 'col.to': 'To', 'col.status': 'Status', 'col.when': 'When', 'col.decision': 'Decision',
  'col.rule': 'Rule', 'col.detail': 'Detail', 'col.cause': 'Cause', 'col.inputs': 'Inputs', 'col.notify': 'Notify event', 'col.day': 'Day',
  'col.change': 'Change', 'col.reason': 'Reason', 'col.group': 'Group', 'col.blocks': 'Blocks', 'col.heldSince': 'Held since',
  'col.actions': 'Actions', 'col.topic': 'Topic', 'col.offset': 'Offset', 'col.bytes': 'Original bytes',
  'yes': 'yes', 'no': 'no',
  'person.title': 'Person', 'person.account': 'Account', 'person.noAccount': 'No account', 'person.affiliations': 'Affiliations',
  'person.decisions': 'Decisions', 'person.asOf': 'As of', 'person.show': 'Show', 'person.verdict': 'Verdict on',
  'person.upcoming': 'Upcoming changes', 'person.none': 'None', 'person.past': 'past', 'person.current': 'current', 'person.future': 'future',
  'person.dfoResponse': 'DFØ response', 'person.rawEvent': 'Raw event', 'person.messageId': 'RabbitMQ message id',
  'overview.title': 'Overview', 'overview.flow': 'The flow', 'overview.health': 'Health', 'overview.plots': 'Last hours (this instance)',
  'overview.processed': 'processed', 'overview.lag': 'behind', 'overview.rate': 'per second', 'overview.accounts': 'accounts',
  'overview.up': 'up', 'overview.down': 'down', 'overview.unknown': 'not used yet',
  'upcoming.title': 'Upcoming', 'upcoming.days': 'Days ahead', 'upcoming.none': 'Nothing changes in this window.',
  'held.title': 'Held changes', 'held.none': 'The mass-change brake holds nothing.', 'held.release': 'Release', 'held.discard': 'Discard',
  'held.collecting': 'Still collecting', 'held.members': 'Blocks in the group',
  'confirm.title': 'Confirm', 'confirm.cancel': 'Cancel',
  'dlq.title': 'Dead letters', 'dlq.none': 'Nothing was dead-lettered.', 'dlq.redrive': 'Re-drive',
  'reconcile.title': 'Reconciliation', 'reconcile.dry': 'Start a dry run', 'reconcile.real': 'Start a run that repairs',
  'reconcile.last': 'Last run', 'reconcile.never': 'No run yet.', 'reconcile.start': 'Start a run',
  'flow.ingress': 'DFØ notifications (RabbitMQ → Kafka)', 'flow.A': 'A · DFØ events (positions, enrichment)', 'flow.B': 'B · persons and accounts',
  'flow.C': 'C · username registry', 'flow.D': 'D · mass-change brake', 'flow.accounts': 'Accounts (SCIM)', 'flow.egress': 'Notify events (Kafka → RabbitMQ)',
  'plot.rates': 'Records per second: received, processed, notified', 'plot.behind': 'Offsets behind (topology input)', 'plot.deadLetters': 'Dead letters (since start)',
  'overview.activeOf': 'active', 'held.limits': 'Limits', 'held.approved': 'approved in the window',
  'upcoming.summary': 'create, block, reactivate', 'person.knownToDfo': 'known to DFØ', 'person.unknownToDfo': 'not known to DFØ', 'person.external': 'external user',
  'dlq.reason': 'Reason', 'dlq.source': 'Source', 'dlq.exchange': 'Exchange', 'dlq.routingKey': 'Routing key', 'dlq.messageId': 'Message id',
  'dlq.contentType': 'Content type', 'dlq.received': 'Received', 'dlq.deadLettered': 'Dead-lettered', 'dlq.size': 'Size', 'dlq.bytes': 'bytes',
  'dlq.cannot': 'Cannot be re-driven', 'dlq.notText': 'Not text; base64:',
  'reconcile.run': 'Run', 'reconcile.when': 'When', 'reconcile.outcome': 'Outcome', 'reconcile.compared': 'Compared', 'reconcile.drift': 'Drift',
  'reconcile.repairs': 'Repairs', 'reconcile.none': 'none', 'reconcile.deployment': 'deployment', 'reconcile.here': 'this instance', 'reconcile.schedule': 'Schedule',
  'error.title': 'Something is wrong',
} as const;

export type LabelKey = keyof typeof en;

const nb: Partial<Record<LabelKey, string>> = {
  'app.title': 'iga-stream konsoll',
  'nav.overview': 'Oversikt', 'nav.people': 'Personer', 'nav.upcoming': 'Kommende', 'nav.held': 'Holdte endringer',
  'nav.deadLetters': 'Døde meldinger', 'nav.reconcile': 'Avstemming', 'nav.signOut': 'Logg ut', 'nav.skip': 'Hopp til innholdet',
  'signIn.title': 'Logg inn', 'signIn.token': 'Admin-token', 'signIn.submit': 'Logg inn',
  'signIn.help': 'Lim inn et admin-token (IGA_ADMIN_TOKENS eller IGA_ADMIN_TOKENS_FILE). Det sjekkes én gang; nettleseren får så en økt-cookie som utløper.',
  'signIn.bad': 'Det er ikke et admin-token for denne tjenesten.', 'signIn.expired': 'Økten er utløpt eller trukket tilbake; logg inn igjen.',
  'signIn.signedOut': 'Du er logget ut.', 'signedInAs': 'Logget inn som',
  'people.title': 'Personer', 'people.search': 'Navn, brukernavn, ansattnummer eller konto-id', 'people.find': 'Søk',
  'people.none': 'Ingen person passer', 'people.results': 'Treff',
  'col.name': 'Navn', 'col.userName': 'Brukernavn', 'col.employee': 'Ansattnummer', 'col.account': 'Konto-id', 'col.active': 'Aktiv',
  'col.position': 'Stilling', 'col.from': 'Fra', 'col.to': 'Til', 'col.status': 'Status', 'col.when': 'Når', 'col.decision': 'Beslutning',
  'col.rule': 'Regel', 'col.detail': 'Detaljer', 'col.cause': 'Årsak', 'col.inputs': 'Inndata', 'col.notify': 'Varsel', 'col.day': 'Dag',
  'col.change': 'Endring', 'col.reason': 'Grunn', 'col.group': 'Gruppe', 'col.blocks': 'Sperringer', 'col.heldSince': 'Holdt siden',
  'col.actions': 'Handlinger', 'col.topic': 'Emne', 'col.offset': 'Posisjon', 'col.bytes': 'Opprinnelige bytes',
  'yes': 'ja', 'no': 'nei',
  'person.title': 'Person', 'person.account': 'Konto', 'person.noAccount': 'Ingen konto', 'person.affiliations': 'Tilknytninger',
  'person.decisions': 'Beslutninger', 'person.asOf': 'Per dato', 'person.show': 'Vis', 'person.verdict': 'Vurdering per',
  'person.upcoming': 'Kommende endringer', 'person.none': 'Ingen', 'person.past': 'tidligere', 'person.current': 'nå', 'person.future': 'fremtidig',
  'person.dfoResponse': 'Svar fra DFØ', 'person.rawEvent': 'Rå hendelse', 'person.messageId': 'RabbitMQ-meldings-id',
  'overview.title': 'Oversikt', 'overview.flow': 'Flyten', 'overview.health': 'Helse', 'overview.plots': 'Siste timer (denne instansen)',
  'overview.processed': 'behandlet', 'overview.lag': 'etter', 'overview.rate': 'per sekund', 'overview.accounts': 'kontoer',
  'overview.up': 'oppe', 'overview.down': 'nede', 'overview.unknown': 'ikke brukt ennå',
  'upcoming.title': 'Kommende', 'upcoming.days': 'Dager fram', 'upcoming.none': 'Ingenting endres i dette vinduet.',
  'held.title': 'Holdte endringer', 'held.none': 'Massesperre-bremsen holder ingenting.', 'held.release': 'Slipp', 'held.discard': 'Forkast',
  'held.collecting': 'Samler fortsatt', 'held.members': 'Sperringer i gruppen',
  'confirm.title': 'Bekreft', 'confirm.cancel': 'Avbryt',
  'dlq.title': 'Døde meldinger', 'dlq.none': 'Ingenting er lagt til side.', 'dlq.redrive': 'Send på nytt',
  'reconcile.title': 'Avstemming', 'reconcile.dry': 'Start en prøvekjøring', 'reconcile.real': 'Start en kjøring som reparerer',
  'reconcile.last': 'Siste kjøring', 'reconcile.never': 'Ingen kjøring ennå.', 'reconcile.start': 'Start en kjøring',
  'flow.ingress': 'DFØ-varsler (RabbitMQ → Kafka)', 'flow.A': 'A · DFØ-hendelser (stillinger, oppslag)', 'flow.B': 'B · personer og kontoer',
  'flow.C': 'C · brukernavnregister', 'flow.D': 'D · massesperre-bremse', 'flow.accounts': 'Kontoer (SCIM)', 'flow.egress': 'Varsler ut (Kafka → RabbitMQ)',
  'plot.rates': 'Meldinger per sekund: mottatt, behandlet, varslet', 'plot.behind': 'Posisjoner etter (topologiens inndata)', 'plot.deadLetters': 'Døde meldinger (siden start)',
  'overview.activeOf': 'aktive', 'held.limits': 'Grenser', 'held.approved': 'godkjent i vinduet',
  'upcoming.summary': 'opprett, sperr, gjenåpne', 'person.knownToDfo': 'kjent i DFØ', 'person.unknownToDfo': 'ikke kjent i DFØ', 'person.external': 'ekstern bruker',
  'dlq.reason': 'Grunn', 'dlq.source': 'Kilde', 'dlq.exchange': 'Exchange', 'dlq.routingKey': 'Rutingnøkkel', 'dlq.messageId': 'Meldings-id',
  'dlq.contentType': 'Innholdstype', 'dlq.received': 'Mottatt', 'dlq.deadLettered': 'Lagt til side', 'dlq.size': 'Størrelse', 'dlq.bytes': 'bytes',
  'dlq.cannot': 'Kan ikke sendes på nytt', 'dlq.notText': 'Ikke tekst; base64:',
  'reconcile.run': 'Kjøring', 'reconcile.when': 'Når', 'reconcile.outcome': 'Utfall', 'reconcile.compared': 'Sammenlignet', 'reconcile.drift': 'Avvik',
  'reconcile.repairs': 'Reparasjoner', 'reconcile.none': 'ingen', 'reconcile.deployment': 'hele installasjonen', 'reconcile.here': 'denne instansen', 'reconcile.schedule': 'Plan',
  'error.title': 'Noe er galt',
};

export type Translate = (key: LabelKey) => string;

export function translator(lang: Lang): Translate {
  return (key) => (lang === 'nb' ? nb[key] : undefined) ?? en[key];
}

export const parseLang = (value: string | undefined): Lang => (value === 'nb' ? 'nb' : 'en');
