/**
 * The LDAP destination (ldapts): one entry per account below the base DN, found by `igaAccountId`,
 * written idempotently by `igaAccountVersion` — an entry that holds this version or a newer one is
 * left alone, so a replay or redelivery writes nothing and an older change never lands over a newer
 * one. A blocked account's entry is kept, locked and without affiliations; reactivation unlocks it.
 *
 * One bound connection is kept and used by one apply at a time (the framework calls apply in
 * order); a dropped connection is replaced on the next call, with StartTLS and the bind again, so
 * no operation ever runs on an unauthenticated or unencrypted reconnect.
 */
import { isIP } from 'node:net';
import { AndFilter, Client, EqualityFilter, PresenceFilter, type Entry, type Filter } from 'ldapts';
import type { Logger } from '../../../src/common/log.ts';
import { DestinationRefused, type AccountChange, type ApplyOptions, type ApplyOutcome, type Destination, type DestinationEntry } from '../destination.ts';
import { entryDn, entryVersion, modifications, newEntry, toDestinationEntry, valuesOf } from './entry.ts';
import { ldapError, resultCodeOf } from './errors.ts';
import type { LdapSettings } from './settings.ts';

export class LdapDestination implements Destination {
  readonly name = 'ldap';
  private readonly settings: LdapSettings;
  private readonly log: Logger;
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private closed = false;

  constructor(settings: LdapSettings, log: Logger) {
    this.settings = settings;
    this.log = log;
  }

  async apply(change: AccountChange, options: ApplyOptions = {}): Promise<ApplyOutcome> {
    return this.withClient('apply', (client) => this.write(client, change, options, false));
  }

  /** Finds the account's entry and writes the change when it is newer; `again` is set on the one retry after another writer made the entry meanwhile. */
  private async write(client: Client, change: AccountChange, options: ApplyOptions, again: boolean): Promise<ApplyOutcome> {
    const { account } = change;
    const current = await this.findByAccountId(client, account.id);
    if (current) {
      const held = entryVersion(current);
      if (held !== null && (held > account.version || (held === account.version && !options.rewrite))) return 'unchanged';
      await client.modify(current.dn, modifications(change, this.settings.lock));
      return 'applied';
    }
    const dn = entryDn(account.userName, this.settings.baseDn);
    try {
      await client.add(dn, newEntry(change, this.settings.lock));
      return 'applied';
    } catch (err) {
      if (resultCodeOf(err) !== 68) throw err;
      // entryAlreadyExists: the DN was taken after the search. By this very account (another writer
      // of it, e.g. a partition's previous owner finishing its apply during a rebalance): write again,
      // which finds it. By anything else: never taken over.
      const owner = await this.readDn(client, dn);
      const ownerId = owner ? valuesOf(owner, 'igaAccountId')[0] : undefined;
      if (ownerId === account.id && !again) return this.write(client, change, options, true);
      throw new DestinationRefused(ownerId
        ? `LDAP apply: ${dn} belongs to account ${ownerId}, not ${account.id}`
        : `LDAP apply: ${dn} exists without igaAccountId (not made by iga-stream); it is left alone`, { cause: err });
    }
  }

  async read(accountId: string): Promise<DestinationEntry | null> {
    return this.withClient('read', async (client) => {
      const entry = await this.findByAccountId(client, accountId);
      return entry ? toDestinationEntry(entry, this.settings.lock.attribute) : null;
    });
  }

  async *list(): AsyncIterable<DestinationEntry> {
    const client = await this.session().catch((err: unknown) => { throw ldapError(err, 'list'); });
    try {
      const pages = client.searchPaginated(this.settings.baseDn, { scope: 'one', filter: new PresenceFilter({ attribute: 'igaAccountId' }), attributes: this.attributes(), paged: { pageSize: 200 } });
      for await (const page of pages) for (const entry of page.searchEntries) yield toDestinationEntry(entry, this.settings.lock.attribute);
    } catch (err) {
      this.drop();
      throw ldapError(err, 'list');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.drop();
  }

  /** Runs `fn` on the bound connection; any failure is mapped, and a transport failure drops the connection. */
  private async withClient<T>(what: string, fn: (client: Client) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.session());
    } catch (err) {
      const mapped = ldapError(err, what);
      // A result code means the connection works (the server answered); anything else may have broken it.
      // No access (50) may come from a silent anonymous reconnect: bind afresh next time too.
      const code = resultCodeOf(err);
      if (!(err instanceof DestinationRefused) && (code === null || code === 50 || code === 49)) this.drop();
      throw mapped;
    }
  }

  private attributes(): string[] {
    return ['*', this.settings.lock.attribute];
  }

  private async findByAccountId(client: Client, accountId: string): Promise<Entry | null> {
    const filter: Filter = new AndFilter({ filters: [new EqualityFilter({ attribute: 'objectClass', value: 'igaStream' }), new EqualityFilter({ attribute: 'igaAccountId', value: accountId })] });
    const { searchEntries } = await client.search(this.settings.baseDn, { scope: 'one', filter, attributes: this.attributes() });
    if (searchEntries.length > 1) {
      throw new DestinationRefused(`LDAP: ${searchEntries.length} entries carry igaAccountId ${accountId} (${searchEntries.map((e) => e.dn).join('; ')}); remove all but one`);
    }
    return searchEntries[0] ?? null;
  }

  private async readDn(client: Client, dn: string): Promise<Entry | null> {
    try {
      const { searchEntries } = await client.search(dn, { scope: 'base', attributes: this.attributes() });
      return searchEntries[0] ?? null;
    } catch (err) {
      if (resultCodeOf(err) === 32) return null;
      throw err;
    }
  }

  /** The bound connection, made (connect, StartTLS, bind) when there is none or it dropped. */
  private async session(): Promise<Client> {
    if (this.closed) throw new Error('the LDAP destination is closed');
    if (this.client?.isConnected) return this.client;
    if (this.client) this.drop();
    this.connecting ??= this.connect().finally(() => { this.connecting = null; });
    this.client = await this.connecting;
    return this.client;
  }

  private async connect(): Promise<Client> {
    const s = this.settings;
    const ca = s.caPem ? { ca: s.caPem } : {};
    const client = new Client({ url: s.url, timeout: s.timeoutMs, connectTimeout: s.timeoutMs, strictDN: true, ...(s.url.startsWith('ldaps:') ? { tlsOptions: ca } : {}) });
    try {
      if (s.startTls) {
        // The certificate is checked against the URL's host (an IP address is no TLS server name).
        const host = new URL(s.url).hostname.replace(/^\[|\]$/g, '');
        await client.startTLS({ ...ca, host, ...(isIP(host) ? {} : { servername: host }) });
      }
      await client.bind(s.bindDn, s.bindPassword);
      this.log.debug({ url: s.url, bindDn: s.bindDn, startTls: s.startTls }, 'LDAP connection bound');
      return client;
    } catch (err) {
      // Not awaited: ldapts's unbind on a connection that never came up does not settle.
      if (client.isConnected) client.unbind().catch(() => undefined);
      throw err;
    }
  }

  private drop(): void {
    const c = this.client;
    this.client = null;
    c?.unbind().catch(() => undefined);
  }
}

export function createLdapDestination(settings: LdapSettings, log: Logger): LdapDestination {
  return new LdapDestination(settings, log);
}
