/**
 * API clients and their secrets (SCIM clients, admin operators). Clients are configured as `name:token` pairs, separated by
 * commas or new lines (a bare `token` gets the name `client-<n>`), from a string (IGA_SCIM_TOKENS, IGA_ADMIN_TOKENS)
 * and/or a file (IGA_SCIM_TOKENS_FILE, IGA_ADMIN_TOKENS_FILE). The file is re-read when it changes and on SIGHUP, so a token is revoked by
 * editing the file, without a restart. Tokens are kept only as SHA-256 digests and compared with
 * crypto.timingSafeEqual against every client, so timing reveals neither the token nor the match.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { componentLogger, type Logger } from './log.ts';

export interface ApiClient {
  name: string;
  token: string;
}

interface StoredClient {
  name: string;
  digest: Buffer;
}

/** SHA-256 of a token, the only form in which tokens are kept. */
export const tokenDigest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * Parses `name:token` entries (comma- or newline-separated; `#` starts a comment line).
 * Throws Error naming the entry when a token is empty or a name repeats.
 */
export function parseClients(text: string, source = 'configuration'): ApiClient[] {
  const clients: ApiClient[] = [];
  const entries = text.split(/\r?\n/).filter((l) => !l.trim().startsWith('#')).flatMap((l) => l.split(','));
  for (const raw of entries) {
    const entry = raw.trim();
    if (!entry) continue;
    const colon = entry.indexOf(':');
    const name = colon > 0 ? entry.slice(0, colon).trim() : `client-${clients.length + 1}`;
    const token = colon > 0 ? entry.slice(colon + 1).trim() : entry;
    if (!token) throw new Error(`${source}: client '${name}' has an empty token`);
    if (clients.some((c) => c.name === name)) throw new Error(`${source}: client name '${name}' appears twice`);
    clients.push({ name, token });
  }
  return clients;
}

export interface TokenRegistryOptions {
  /** Inline clients, e.g. the value of IGA_SCIM_TOKENS. */
  tokens?: string;
  /** File with one `name:token` per line; re-read on change and on SIGHUP. */
  file?: string;
  /** How often the file's mtime is polled, ms (default 2000). */
  pollIntervalMs?: number;
  /** Who the clients are, for log lines: 'SCIM' (default) or 'admin'. */
  label?: string;
}

export class TokenRegistry {
  readonly #inline: ApiClient[];
  readonly #file: string | undefined;
  readonly #label: string;
  readonly #log: Logger;
  #clients: StoredClient[] = [];
  #stopWatching: (() => void) | undefined;

  /** Throws when the inline list or the file (at construction) cannot be parsed. */
  constructor(opts: TokenRegistryOptions = {}) {
    this.#inline = parseClients(opts.tokens ?? '', 'inline tokens');
    this.#file = opts.file;
    this.#label = opts.label ?? 'SCIM';
    this.#log = componentLogger(this.#label === 'SCIM' ? 'scim' : this.#label.toLowerCase());
    this.#apply(this.#inline.concat(this.#file ? parseClients(readFileSync(this.#file, 'utf8'), this.#file) : []));
  }

  /** Names of the configured clients (never the tokens). */
  get clientNames(): string[] {
    return this.#clients.map((c) => c.name);
  }

  get size(): number {
    return this.#clients.length;
  }

  /**
   * The client owning `token`, or undefined. Always compares against every client so the time
   * taken does not depend on which (if any) matched.
   */
  authenticate(token: string): string | undefined {
    return this.authenticateDigest(tokenDigest(token));
  }

  /**
   * The client whose token has this SHA-256 digest, or undefined: lets a holder of the digest alone
   * (a console session) check that the token is still configured, without keeping the token.
   */
  authenticateDigest(d: Buffer): string | undefined {
    let match: string | undefined;
    for (const c of this.#clients) {
      if (timingSafeEqual(d, c.digest) && match === undefined) match = c.name;
    }
    return match;
  }

  /**
   * Re-reads the file. A file that cannot be parsed keeps the previous clients (logged as an
   * error); a missing file drops its clients (fail closed). Returns the number of clients.
   */
  reload(): number {
    if (!this.#file) return this.#clients.length;
    let fromFile: ApiClient[];
    try {
      fromFile = parseClients(readFileSync(this.#file, 'utf8'), this.#file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.#log.warn({ file: this.#file }, `${this.#label} token file is gone; its clients are revoked`);
        fromFile = [];
      } else {
        this.#log.error({ file: this.#file, err: (err as Error).message }, `${this.#label} token file not reloaded; keeping the previous clients`);
        return this.#clients.length;
      }
    }
    this.#apply(this.#inline.concat(fromFile));
    this.#log.info({ clients: this.clientNames }, `${this.#label} clients reloaded`);
    return this.#clients.length;
  }

  /** Starts reloading on file change and on SIGHUP. Idempotent; undone by `close()`. */
  watch(pollIntervalMs = 2000): void {
    if (this.#stopWatching) return;
    const onHup = () => this.reload();
    process.on('SIGHUP', onHup);
    const file = this.#file;
    const onChange = (cur: Stats, prev: Stats) => {
      if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size || cur.ino !== prev.ino) this.reload();
    };
    if (file) watchFile(file, { interval: pollIntervalMs, persistent: false }, onChange);
    this.#stopWatching = () => {
      process.off('SIGHUP', onHup);
      if (file) unwatchFile(file, onChange);
    };
  }

  close(): void {
    this.#stopWatching?.();
    this.#stopWatching = undefined;
  }

  #apply(clients: ApiClient[]): void {
    const seen = new Set<string>();
    for (const c of clients) {
      if (seen.has(c.name)) throw new Error(`client name '${c.name}' is configured twice`);
      seen.add(c.name);
      if (c.token.length < 16) this.#log.warn({ client: c.name }, `${this.#label} token shorter than 16 characters`);
    }
    this.#clients = clients.map((c) => ({ name: c.name, digest: tokenDigest(c.token) }));
  }
}
