/**
 * The Keycloak driver's settings, validated with zod: where the realm is, the driver's
 * confidential client (client-credentials grant), the CA that signed an https server's
 * certificate, and the timeouts. The service reads them from the IGA_KEYCLOAK_* variables with
 * every other setting (src/app/config.ts, README "Keycloak driver").
 */
import { z } from 'zod';

export const keycloakSettingsSchema = z.object({
  /** Keycloak's base URL (`https://idp.uib.no`, or with the old `/auth` path); a trailing slash is dropped. */
  url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).transform((u) => u.replace(/\/+$/, '')),
  realm: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, . _ -'),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** PEM file of the CA(s) that signed Keycloak's certificate (https only); without it the system's CAs. Read when the destination is made. */
  caFile: z.string().min(1).nullable().default(null),
  /** Deadline of one HTTP request, from sending it to the last byte of the answer. */
  timeoutMs: z.number().int().min(100).max(600_000).default(10_000),
  /** Deadline of a TCP (and TLS) connect. */
  connectTimeoutMs: z.number().int().min(100).max(600_000).default(5_000),
  /** Users per page when the destination lists the realm (drift checks). */
  pageSize: z.number().int().min(1).max(1_000).default(100),
}).refine((s) => s.caFile === null || s.url.startsWith('https://'), { path: ['caFile'], message: 'a CA file needs an https:// url' });

/** The settings as given (defaults may be left out). */
export type KeycloakSettingsInput = z.input<typeof keycloakSettingsSchema>;
/** The settings after validation, every default filled in. */
export type KeycloakSettings = z.output<typeof keycloakSettingsSchema>;

/** Bad settings; the message names each bad field (or variable) and what is wrong with it. */
export class KeycloakSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeycloakSettingsError';
  }
}

/** Validates settings given in code; throws KeycloakSettingsError naming each bad field. */
export function parseKeycloakSettings(input: KeycloakSettingsInput): KeycloakSettings {
  const parsed = keycloakSettingsSchema.safeParse(input);
  if (!parsed.success) throw new KeycloakSettingsError(`Keycloak driver settings: ${describeIssues(parsed.error, (path) => path)}`);
  return parsed.data;
}

/** The local Keycloak of scripts/keycloak.sh and its realm: what `iga-stream login` talks to by default. */
export const KEYCLOAK_DEFAULTS = { url: 'http://127.0.0.1:8180', realm: 'iga', clientId: 'iga-stream-driver' } as const;

function describeIssues(error: z.ZodError, name: (path: string) => string): string {
  return error.issues.map((i) => `${name(i.path.join('.'))}: ${i.message}`).join('; ');
}
