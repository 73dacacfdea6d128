/** The LDAP driver's settings (IGA_LDAP_*, validated in src/app/config.ts). */
export interface LdapSettings {
  /** `ldap://host:port` (with `startTls` for StartTLS) or `ldaps://host:port`. */
  url: string;
  bindDn: string;
  bindPassword: string;
  /** Where the people are: one entry per account directly below it. */
  baseDn: string;
  /** Upgrade an `ldap://` connection with StartTLS before binding. */
  startTls: boolean;
  /** PEM of the CA(s) that signed the server's certificate; without it the system's CAs. */
  caPem: string | null;
  /** How a blocked account's entry is locked: the attribute set, and its value (default ppolicy's `pwdAccountLockedTime: 000001010000Z`). */
  lock: { attribute: string; value: string };
  /** Timeout of one LDAP operation and of the connect. */
  timeoutMs: number;
}
