/**
 * Console sessions, in this instance's memory. Signing in with an admin token makes a session: a
 * random id (the HttpOnly cookie's value), the client's name, the token's SHA-256 digest (never the
 * token), a CSRF token, and an absolute expiry. Every request checks the digest against the token
 * registry again, so removing the token from IGA_ADMIN_TOKENS_FILE ends its sessions at once.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  readonly id: string;
  /** The admin client's name, as the token registry knows it (what the audit records name). */
  readonly client: string;
  readonly tokenDigest: Buffer;
  /** Sent back in every state-changing form; compared in constant time. */
  readonly csrf: string;
  readonly expiresAt: number;
  /** One message shown on the next page (after a redirect). */
  flash?: { kind: 'ok' | 'error'; text: string };
}

export type SessionCheck = { session: Session } | { problem: 'none' | 'expired' | 'revoked' };

export interface SessionStoreOptions {
  ttlMs: number;
  /** Whether the token behind a digest is still configured (the registry's `authenticateDigest`). */
  clientOf: (digest: Buffer) => string | undefined;
  now?: () => number;
}

const token = () => randomBytes(32).toString('base64url');

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #opts: SessionStoreOptions;

  constructor(opts: SessionStoreOptions) {
    this.#opts = opts;
  }

  #now(): number {
    return (this.#opts.now ?? Date.now)();
  }

  create(client: string, tokenDigest: Buffer): Session {
    this.#sweep();
    const session: Session = { id: token(), client, tokenDigest, csrf: token(), expiresAt: this.#now() + this.#opts.ttlMs };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session of a cookie value, or why there is none. An expired or revoked session is dropped. */
  check(id: string | undefined): SessionCheck {
    const session = id ? this.#sessions.get(id) : undefined;
    if (!session) return { problem: 'none' };
    if (this.#now() >= session.expiresAt) {
      this.#sessions.delete(session.id);
      return { problem: 'expired' };
    }
    if (this.#opts.clientOf(session.tokenDigest) !== session.client) {
      this.#sessions.delete(session.id);
      return { problem: 'revoked' };
    }
    return { session };
  }

  end(id: string): void {
    this.#sessions.delete(id);
  }

  get size(): number {
    return this.#sessions.size;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, s] of this.#sessions) if (now >= s.expiresAt) this.#sessions.delete(id);
  }
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function csrfMatches(session: Session, submitted: unknown): boolean {
  if (typeof submitted !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}
