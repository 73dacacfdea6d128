/**
 * Service configuration from environment variables (documented with defaults in README.md).
 * Invalid configuration stops start-up with a message that names the variable.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AmqpTls } from '../../connectors/amqp/tls.ts';
import type { KafkaSecurity } from '../runtime/kafka/security.ts';
import { reconcileScheduleSchema, type ReconcileSchedule } from '../features/reconcile/schedule.ts';
import { DRIVER_NAMES, type DriverName, type KeycloakSettings } from '../../connectors/drivers/registry.ts';
import type { LdapSettings } from '../../connectors/drivers/ldap/settings.ts';
import { COMPATIBILITY_LEVELS, type RegistrySettings } from '../../connectors/schemaRegistry/schemaRegistry.ts';
import { parsePublishersFile, type PublishersConfig } from '../topology/contracts/publishers.ts';
import { affiliationProblems, DEFAULT_EMPLOYEE_AFFILIATIONS, type EduPersonAffiliation } from '../iga/destinationAffiliations.ts';

const csv = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));
const int = (min: number) => z.coerce.number().int().min(min);

/** Each variable with its default; the names are the public contract. */
const schema = z.object({
  IGA_KAFKA_BROKERS: csv.pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'expected host:port')).min(1)).default(['127.0.0.1:9092']),
  IGA_KAFKA_SSL: bool.optional(),
  IGA_KAFKA_SSL_CA_FILE: z.string().optional(),
  IGA_KAFKA_SSL_CERT_FILE: z.string().optional(),
  IGA_KAFKA_SSL_KEY_FILE: z.string().optional(),
  IGA_KAFKA_SASL_MECHANISM: z.string().transform((s) => s.toLowerCase()).pipe(z.enum(['plain', 'scram-sha-256', 'scram-sha-512'])).optional(),
  IGA_KAFKA_SASL_USERNAME: z.string().optional(),
  IGA_KAFKA_SASL_PASSWORD: z.string().optional(),
  IGA_KAFKA_SASL_PASSWORD_FILE: z.string().optional(),
  IGA_AMQP_URL: z.string().url().default('amqp://guest:guest@127.0.0.1:5672'),
  IGA_AMQP_SSL_CA_FILE: z.string().optional(),
  IGA_AMQP_SSL_CERT_FILE: z.string().optional(),
  IGA_AMQP_SSL_KEY_FILE: z.string().optional(),
  IGA_AMQP_EXCHANGE_IN: z.string().min(1).default('ex_from_dfo'),
  IGA_AMQP_QUEUE_IN: z.string().min(1).optional(),
  IGA_AMQP_ROUTING_KEYS_IN: csv.default(['ansatte', 'stillinger']),
  IGA_AMQP_EXCHANGE_OUT: z.string().min(1).default('ex_from_iga'),
  IGA_AMQP_ROUTING_KEY_OUT: z.string().min(1).optional(),
  IGA_AMQP_PREFETCH: int(1).default(64),
  IGA_AMQP_QUEUE_TYPE: z.enum(['classic', 'quorum']).default('classic'),
  IGA_AMQP_MAX_BODY_BYTES: int(256).max(16 * 1024 * 1024).default(64 * 1024),
  IGA_INGRESS_STALL_MS: int(1000).default(60_000),
  IGA_DFO_API_URL: z.string().url().default('http://127.0.0.1:8090/dfo'),
  IGA_DFO_API_KEY: z.string().default(''),
  IGA_DFO_AUTH_HEADER: z.string().min(1).default('X-Gravitee-Api-Key'),
  IGA_DFO_EMPLOYEE_PATH: z.string().default('ansatte'),
  IGA_DFO_POSITION_PATH: z.string().default('stillinger'),
  IGA_DFO_TIMEOUT_MS: int(100).default(10_000),
  IGA_DFO_RETRY_ATTEMPTS: int(1).default(4),
  IGA_DFO_PARK_RETRY_MS: int(100).default(30_000),
  IGA_SCIM_PORT: int(0).max(65535).default(8080),
  IGA_SCIM_TOKENS: z.string().default(''),
  IGA_SCIM_TOKENS_FILE: z.string().optional(),
  IGA_SCIM_HOST: z.string().default('0.0.0.0'),
  IGA_SCIM_RESOURCE_URI_PREFIX: z.string().url().default('http://127.0.0.1:8080'),
  IGA_EMAIL_DOMAIN: z.string().regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, 'expected a domain such as uib.no').default('example.no'),
  IGA_INSTITUTION: z.string().regex(/^[a-z0-9]+$/, 'expected a short lower-case code such as uib').default('example'),
  IGA_APP_ID: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ - only').default('iga-stream'),
  IGA_STATE_DIR: z.string().min(1).default('.state'),
  IGA_PARTITIONS: int(1).default(6),
  IGA_STORE_MEMORY_MB: int(8).default(512),
  IGA_COMMIT_INTERVAL_MS: int(0).default(100),
  IGA_PUNCTUATE_INTERVAL_MS: int(100).default(60_000),
  IGA_ADMIN_PORT: int(0).max(65535).default(9464),
  IGA_ADMIN_HOST: z.string().optional(),
  IGA_ADMIN_TOKENS: z.string().default(''),
  IGA_ADMIN_TOKENS_FILE: z.string().optional(),
  IGA_CONSOLE_SESSION_MINUTES: int(1).max(7 * 24 * 60).default(480),
  IGA_CONSOLE_SECURE_COOKIE: bool.optional(),
  IGA_CONSOLE_SAMPLE_SECONDS: int(1).max(3600).default(10),
  IGA_CONSOLE_HISTORY_HOURS: int(1).max(48).default(6),
  IGA_PROMETHEUS_URL: z.string().url().optional(),
  IGA_KAFKA_SESSION_TIMEOUT_MS: int(3000).max(300_000).default(30_000),
  IGA_PROCESSING_GUARANTEE: z.enum(['exactly_once', 'exactly_once_v2', 'at_least_once']).default('exactly_once_v2'),
  IGA_BRAKE_MAX_BLOCKS: int(0).default(50),
  IGA_BRAKE_MAX_SHARE: z.coerce.number().min(0).max(1).default(0.05),
  IGA_BRAKE_MIN_BLOCKS: int(0).default(10),
  IGA_BRAKE_WINDOW_MS: int(0).default(3_600_000),
  IGA_BRAKE_SETTLE_MS: int(0).default(5_000),
  IGA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  IGA_LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  IGA_OUTAGE_SUMMARY_MS: int(1000).default(30_000),
  IGA_RECONCILE_SCHEDULE: reconcileScheduleSchema.default({ kind: 'off' }),
  IGA_RECONCILE_WAIT_MS: int(0).default(120_000),
  IGA_DRIVERS: csv.default([]),
  IGA_DRIVER_AFFILIATIONS: csv.default([...DEFAULT_EMPLOYEE_AFFILIATIONS]),
  IGA_DRIVER_RETRY_INITIAL_MS: int(10).default(500),
  IGA_DRIVER_RETRY_MAX_MS: int(100).max(600_000).default(30_000),
  IGA_DRIVER_RETRYING_TAG_MS: int(0).default(30_000),
  IGA_AMQP_EXCHANGE_STATUS: z.string().min(1).default('ex_iga_status'),
  IGA_LDAP_URL: z.string().regex(/^ldaps?:\/\/[^/\s]+\/?$/i, 'expected ldap://host:port or ldaps://host:port').optional(),
  IGA_LDAP_BIND_DN: z.string().optional(),
  IGA_LDAP_BIND_PASSWORD: z.string().optional(),
  IGA_LDAP_BIND_PASSWORD_FILE: z.string().optional(),
  IGA_LDAP_BASE_DN: z.string().regex(/^[A-Za-z][\w-]*=[^,]+(,[A-Za-z][\w-]*=[^,]+)*$/, 'expected a DN such as ou=people,dc=uib,dc=no').default('ou=people,dc=example,dc=no'),
  IGA_LDAP_STARTTLS: bool.optional(),
  IGA_LDAP_TLS_CA_FILE: z.string().optional(),
  IGA_LDAP_LOCK_ATTRIBUTE: z.string().regex(/^[A-Za-z][\w-]*$/, 'expected an attribute name').default('pwdAccountLockedTime'),
  IGA_LDAP_LOCK_VALUE: z.string().min(1).default('000001010000Z'),
  IGA_LDAP_TIMEOUT_MS: int(100).default(10_000),
  IGA_KEYCLOAK_URL: z.string().url().regex(/^https?:/, 'expected http(s)://host[:port]').optional(),
  IGA_KEYCLOAK_REALM: z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected a realm name').optional(),
  IGA_KEYCLOAK_CLIENT_ID: z.string().min(1).optional(),
  IGA_KEYCLOAK_CLIENT_SECRET: z.string().optional(),
  IGA_KEYCLOAK_CLIENT_SECRET_FILE: z.string().optional(),
  IGA_KEYCLOAK_TLS_CA_FILE: z.string().optional(),
  IGA_KEYCLOAK_TIMEOUT_MS: int(100).default(10_000),
  IGA_KEYCLOAK_CONNECT_TIMEOUT_MS: int(100).default(5_000),
  IGA_CHANGES_PORT: int(0).max(65535).default(8082),
  IGA_CHANGES_HOST: z.string().optional(),
  IGA_CHANGES_TOKENS: z.string().default(''),
  IGA_CHANGES_TOKENS_FILE: z.string().optional(),
  IGA_PUBLISHERS_FILE: z.string().optional(),
  IGA_PUBLISH_PORT: int(0).max(65535).default(8083),
  IGA_PUBLISH_HOST: z.string().optional(),
  IGA_PUBLISH_TOKENS: z.string().default(''),
  IGA_PUBLISH_TOKENS_FILE: z.string().optional(),
  IGA_PUBLISH_MAX_BODY_BYTES: int(1024).max(16 * 1024 * 1024).default(1024 * 1024),
  IGA_AMQP_EXCHANGE_PUBLISH: z.string().min(1).default('ex_iga_publish'),
  IGA_AMQP_QUEUE_PUBLISH: z.string().min(1).optional(),
  IGA_SCHEMA_REGISTRY_URL: z.string().url().regex(/^https?:/, 'expected http(s)://host[:port][/path]').optional(),
  IGA_SCHEMA_REGISTRY_USERNAME: z.string().optional(),
  IGA_SCHEMA_REGISTRY_PASSWORD: z.string().optional(),
  IGA_SCHEMA_REGISTRY_PASSWORD_FILE: z.string().optional(),
  IGA_SCHEMA_REGISTRY_COMPATIBILITY: z.string().transform((s) => s.toUpperCase()).pipe(z.enum(COMPATIBILITY_LEVELS)).default('FULL'),
  IGA_NIN_HASH_KEY: z.string().min(32, 'at least 32 characters (a random secret)').optional(),
});

export type RawConfig = z.infer<typeof schema>;

export interface Config {
  kafkaBrokers: string[];
  /** TLS and SASL towards the brokers (src/kafkaSecurity.ts); both null for a plaintext cluster. */
  kafkaSecurity: KafkaSecurity;
  amqp: {
    url: string;
    /** For an `amqps://` URL: a private CA, a client certificate (PEM contents). */
    tls: AmqpTls | undefined;
    exchangeIn: string;
    queueIn: string;
    routingKeysIn: string[];
    exchangeOut: string;
    /** Template; `{type}` is replaced with create/modify. */
    routingKeyOut: string;
    prefetch: number;
    /** The ingress queue's type: a quorum queue also counts deliveries (x-delivery-count). */
    queueType: 'classic' | 'quorum';
    /** Largest DFØ message body the ingress accepts; larger ones are dead-lettered with an excerpt. */
    maxBodyBytes: number;
    /** How long the ingress may hold deliveries (or see messages wait) without progress before it counts as stalled. */
    stallAfterMs: number;
  };
  dfo: {
    baseUrl: string;
    apiKey: string;
    authHeader: string;
    employeePath: string;
    positionPath: string;
    timeoutMs: number;
    retryAttempts: number;
    parkRetryMs: number;
  };
  /** tokens: `name:token,name2:token2` (inline); tokensFile: one `name:token` per line, reloaded on change. */
  scim: { port: number; host: string; tokens: string; tokensFile: string | undefined; resourceUriPrefix: string };
  emailDomain: string;
  institution: string;
  appId: string;
  stateDir: string;
  partitions: number;
  /** RocksDB's budget for all stores of this instance (write buffers and block caches), split per store. */
  storeMemoryBytes: number;
  commitIntervalMs: number;
  punctuateIntervalMs: number;
  /** Operations port: health, metrics and the operator API (`/admin`, own tokens). */
  admin: { port: number; host: string; tokens: string; tokensFile: string | undefined };
  /** The operator console on the operations port (`/console/`): session lifetime, cookie, the overview's in-memory history. */
  console: { sessionTtlMs: number; secureCookie: boolean; sampleMs: number; historyMs: number; prometheusUrl: string | null };
  logLevel: string;
  /** `json` (pino lines) or `pretty` (short human-readable lines, for a terminal). */
  logFormat: 'json' | 'pretty';
  /** Least time between two log lines about one dependency outage. */
  outageSummaryMs: number;
  /** Consumer-group session timeout of the stream runtime and egress (how soon a dead instance's work moves). */
  kafkaSessionTimeoutMs: number;
  /** exactly_once (default) or at_least_once (for comparison; outputs can repeat after a crash). */
  processingGuarantee: 'exactly_once' | 'exactly_once_v2' | 'at_least_once';
  /** The mass-change brake (src/iga/brake.ts). */
  brake: { maxBlocks: number; maxShare: number; minBlocks: number; windowMs: number; settleMs: number };
  /** Reconciliation against DFØ's collections (src/reconcile): the schedule, and how long a run waits for its repairs. */
  reconcile: { schedule: ReconcileSchedule; waitTimeoutMs: number };
  /** The change drivers (connectors/drivers): which run, their destinations' settings, retries, the status exchange. */
  drivers: DriversConfig;
  /** The publisher's view (`GET /changes`): its own port and client tokens. */
  changes: { port: number; host: string; tokens: string; tokensFile: string | undefined };
  /** Publishers of full profiles (connectors/publish) and the validation step; off without IGA_PUBLISHERS_FILE. */
  publish: PublishConfig;
  /** The schema registry of the topics relying parties read; null (IGA_SCHEMA_REGISTRY_URL unset): plain JSON. */
  schemaRegistry: RegistrySettings | null;
}

export interface PublishConfig {
  /** The publishers file, parsed (schemas, keys, authority rules, policy version); null: no publisher input. */
  publishers: PublishersConfig | null;
  /** The secret key of the nin's keyed hash in the person directory; required with a publishers file. */
  ninHashKey: string | null;
  port: number;
  host: string;
  /** Publisher clients, `publisher:token` (inline and/or a file reloaded on change). */
  tokens: string;
  tokensFile: string | undefined;
  maxBodyBytes: number;
  exchange: string;
  queue: string;
}

export interface DriversConfig {
  /** IGA_DRIVERS, in order; empty: no driver runs. */
  names: DriverName[];
  /** Settings of each driver named (absent for a driver not named). */
  ldap: LdapSettings | null;
  keycloak: KeycloakSettings | null;
  /** eduPersonAffiliation values of an active account. */
  affiliations: EduPersonAffiliation[];
  retry: { initialMs: number; maxMs: number };
  retryingTagEveryMs: number;
  statusExchange: string;
}

export class ConfigError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Reads the configuration; throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('IGA_') && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    kafkaBrokers: e.IGA_KAFKA_BROKERS,
    kafkaSecurity: kafkaSecurityOf(e),
    amqp: {
      url: e.IGA_AMQP_URL,
      tls: amqpTlsOf(e),
      exchangeIn: e.IGA_AMQP_EXCHANGE_IN,
      queueIn: e.IGA_AMQP_QUEUE_IN ?? `${e.IGA_APP_ID}.dfo-in`,
      routingKeysIn: e.IGA_AMQP_ROUTING_KEYS_IN,
      exchangeOut: e.IGA_AMQP_EXCHANGE_OUT,
      routingKeyOut: e.IGA_AMQP_ROUTING_KEY_OUT ?? `no.${e.IGA_INSTITUTION}.iga.scim.user.{type}`,
      prefetch: e.IGA_AMQP_PREFETCH,
      queueType: e.IGA_AMQP_QUEUE_TYPE,
      maxBodyBytes: e.IGA_AMQP_MAX_BODY_BYTES,
      stallAfterMs: e.IGA_INGRESS_STALL_MS,
    },
    dfo: {
      baseUrl: e.IGA_DFO_API_URL.replace(/\/+$/, ''),
      apiKey: e.IGA_DFO_API_KEY,
      authHeader: e.IGA_DFO_AUTH_HEADER,
      employeePath: e.IGA_DFO_EMPLOYEE_PATH.replace(/^\/+|\/+$/g, ''),
      positionPath: e.IGA_DFO_POSITION_PATH.replace(/^\/+|\/+$/g, ''),
      timeoutMs: e.IGA_DFO_TIMEOUT_MS,
      retryAttempts: e.IGA_DFO_RETRY_ATTEMPTS,
      parkRetryMs: e.IGA_DFO_PARK_RETRY_MS,
    },
    scim: {
      port: e.IGA_SCIM_PORT,
      host: e.IGA_SCIM_HOST,
      tokens: e.IGA_SCIM_TOKENS,
      tokensFile: e.IGA_SCIM_TOKENS_FILE,
      resourceUriPrefix: e.IGA_SCIM_RESOURCE_URI_PREFIX.replace(/\/+$/, ''),
    },
    emailDomain: e.IGA_EMAIL_DOMAIN.toLowerCase(),
    institution: e.IGA_INSTITUTION,
    appId: e.IGA_APP_ID,
    stateDir: e.IGA_STATE_DIR,
    partitions: e.IGA_PARTITIONS,
    storeMemoryBytes: e.IGA_STORE_MEMORY_MB * 1024 * 1024,
    commitIntervalMs: e.IGA_COMMIT_INTERVAL_MS,
    punctuateIntervalMs: e.IGA_PUNCTUATE_INTERVAL_MS,
    admin: { port: e.IGA_ADMIN_PORT, host: e.IGA_ADMIN_HOST ?? e.IGA_SCIM_HOST, tokens: e.IGA_ADMIN_TOKENS, tokensFile: e.IGA_ADMIN_TOKENS_FILE },
    console: { sessionTtlMs: e.IGA_CONSOLE_SESSION_MINUTES * 60_000, secureCookie: e.IGA_CONSOLE_SECURE_COOKIE ?? false, sampleMs: e.IGA_CONSOLE_SAMPLE_SECONDS * 1000, historyMs: e.IGA_CONSOLE_HISTORY_HOURS * 3_600_000, prometheusUrl: e.IGA_PROMETHEUS_URL ?? null },
    logLevel: e.IGA_LOG_LEVEL,
    logFormat: e.IGA_LOG_FORMAT,
    outageSummaryMs: e.IGA_OUTAGE_SUMMARY_MS,
    kafkaSessionTimeoutMs: e.IGA_KAFKA_SESSION_TIMEOUT_MS,
    processingGuarantee: e.IGA_PROCESSING_GUARANTEE,
    brake: { maxBlocks: e.IGA_BRAKE_MAX_BLOCKS, maxShare: e.IGA_BRAKE_MAX_SHARE, minBlocks: e.IGA_BRAKE_MIN_BLOCKS, windowMs: e.IGA_BRAKE_WINDOW_MS, settleMs: e.IGA_BRAKE_SETTLE_MS },
    reconcile: { schedule: e.IGA_RECONCILE_SCHEDULE, waitTimeoutMs: e.IGA_RECONCILE_WAIT_MS },
    drivers: driversOf(e),
    changes: { port: e.IGA_CHANGES_PORT, host: e.IGA_CHANGES_HOST ?? e.IGA_SCIM_HOST, tokens: e.IGA_CHANGES_TOKENS, tokensFile: e.IGA_CHANGES_TOKENS_FILE },
    publish: publishOf(e),
    schemaRegistry: schemaRegistryOf(e),
  };
}

/** The registry's settings; its password inline or in a file (one of them, a trailing newline dropped). */
function schemaRegistryOf(e: RawConfig): RegistrySettings | null {
  const issues: string[] = [];
  const url = e.IGA_SCHEMA_REGISTRY_URL;
  const username = e.IGA_SCHEMA_REGISTRY_USERNAME;
  if (e.IGA_SCHEMA_REGISTRY_PASSWORD !== undefined && e.IGA_SCHEMA_REGISTRY_PASSWORD_FILE !== undefined) {
    issues.push('IGA_SCHEMA_REGISTRY_PASSWORD and IGA_SCHEMA_REGISTRY_PASSWORD_FILE: give one of them');
  }
  const password = e.IGA_SCHEMA_REGISTRY_PASSWORD ?? fileReader(issues)('IGA_SCHEMA_REGISTRY_PASSWORD_FILE', e.IGA_SCHEMA_REGISTRY_PASSWORD_FILE)?.replace(/\r?\n$/, '');
  const passwordGiven = e.IGA_SCHEMA_REGISTRY_PASSWORD !== undefined || e.IGA_SCHEMA_REGISTRY_PASSWORD_FILE !== undefined;
  if (url === undefined && (username !== undefined || passwordGiven)) issues.push('IGA_SCHEMA_REGISTRY_URL: required with a schema registry username or password');
  if ((username === undefined) !== !passwordGiven) issues.push('IGA_SCHEMA_REGISTRY_USERNAME and IGA_SCHEMA_REGISTRY_PASSWORD (or _FILE): give both or neither');
  if (issues.length > 0) throw new ConfigError(issues);
  if (url === undefined) return null;
  return {
    url: url.replace(/\/+$/, ''), compatibility: e.IGA_SCHEMA_REGISTRY_COMPATIBILITY,
    auth: username !== undefined && password !== undefined ? { username, password } : null,
  };
}

/** The publishers file is read and checked now, so a bad one stops start-up with every problem named. */
function publishOf(e: RawConfig): PublishConfig {
  const issues: string[] = [];
  const text = fileReader(issues)('IGA_PUBLISHERS_FILE', e.IGA_PUBLISHERS_FILE);
  let publishers: PublishersConfig | null = null;
  if (text !== undefined) {
    try {
      publishers = parsePublishersFile(text);
    } catch (err) {
      issues.push((err as Error).message);
    }
  }
  if (publishers && e.IGA_PUBLISH_TOKENS === '' && e.IGA_PUBLISH_TOKENS_FILE === undefined) issues.push('IGA_PUBLISH_TOKENS (or IGA_PUBLISH_TOKENS_FILE): required with IGA_PUBLISHERS_FILE (each publisher authenticates with its own token)');
  if (publishers && e.IGA_NIN_HASH_KEY === undefined) issues.push('IGA_NIN_HASH_KEY: required with IGA_PUBLISHERS_FILE (the secret of the nin\'s keyed hash in the person directory; at least 32 characters)');
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    publishers, ninHashKey: e.IGA_NIN_HASH_KEY ?? null, port: e.IGA_PUBLISH_PORT, host: e.IGA_PUBLISH_HOST ?? e.IGA_SCIM_HOST, tokens: e.IGA_PUBLISH_TOKENS, tokensFile: e.IGA_PUBLISH_TOKENS_FILE,
    maxBodyBytes: e.IGA_PUBLISH_MAX_BODY_BYTES, exchange: e.IGA_AMQP_EXCHANGE_PUBLISH, queue: e.IGA_AMQP_QUEUE_PUBLISH ?? `${e.IGA_APP_ID}.publish-in`,
  };
}

/**
 * The drivers named in IGA_DRIVERS and the settings each needs; a setting that a named driver
 * needs and lacks is an error naming it. Secrets inline or in a file (one of the two); CA files are
 * read now, so a wrong path stops start-up.
 */
function driversOf(e: RawConfig): DriversConfig {
  const issues: string[] = [];
  const read = fileReader(issues);
  const names: DriverName[] = [];
  for (const n of e.IGA_DRIVERS.map((x) => x.toLowerCase())) {
    if (!(DRIVER_NAMES as readonly string[]).includes(n)) issues.push(`IGA_DRIVERS: unknown driver '${n}' (known: ${DRIVER_NAMES.join(', ')})`);
    else if (names.includes(n as DriverName)) issues.push(`IGA_DRIVERS: '${n}' is named twice`);
    else names.push(n as DriverName);
  }
  for (const p of affiliationProblems(e.IGA_DRIVER_AFFILIATIONS)) issues.push(`IGA_DRIVER_AFFILIATIONS: ${p}`);
  if (e.IGA_DRIVER_RETRY_INITIAL_MS > e.IGA_DRIVER_RETRY_MAX_MS) issues.push('IGA_DRIVER_RETRY_INITIAL_MS: must not exceed IGA_DRIVER_RETRY_MAX_MS');
  const secret = (name: string, inline: string | undefined, file: string | undefined, driver: string): string | undefined => {
    if (inline !== undefined && file !== undefined) issues.push(`${name} and ${name}_FILE: give one of them`);
    const value = inline ?? read(`${name}_FILE`, file)?.replace(/\r?\n$/, '');
    if (value === undefined && file === undefined) issues.push(`${name} (or ${name}_FILE): required with IGA_DRIVERS=${driver}`);
    return value;
  };
  const required = (name: string, value: string | undefined, driver: string): string => {
    if (value === undefined) issues.push(`${name}: required with IGA_DRIVERS containing ${driver}`);
    return value ?? '';
  };
  let ldap: LdapSettings | null = null;
  if (names.includes('ldap')) {
    const url = required('IGA_LDAP_URL', e.IGA_LDAP_URL, 'ldap');
    const bindDn = required('IGA_LDAP_BIND_DN', e.IGA_LDAP_BIND_DN, 'ldap');
    const bindPassword = secret('IGA_LDAP_BIND_PASSWORD', e.IGA_LDAP_BIND_PASSWORD, e.IGA_LDAP_BIND_PASSWORD_FILE, 'ldap') ?? '';
    if (e.IGA_LDAP_STARTTLS === true && url.toLowerCase().startsWith('ldaps:')) issues.push('IGA_LDAP_STARTTLS: StartTLS is for ldap:// URLs; an ldaps:// URL is TLS already');
    const caPem = read('IGA_LDAP_TLS_CA_FILE', e.IGA_LDAP_TLS_CA_FILE) ?? null;
    if (caPem !== null && !e.IGA_LDAP_STARTTLS && !url.toLowerCase().startsWith('ldaps:')) issues.push('IGA_LDAP_TLS_CA_FILE: set, but the connection is not TLS (use ldaps:// or IGA_LDAP_STARTTLS=true)');
    ldap = {
      url: url.replace(/\/$/, ''), bindDn, bindPassword, baseDn: e.IGA_LDAP_BASE_DN, startTls: e.IGA_LDAP_STARTTLS ?? false, caPem,
      lock: { attribute: e.IGA_LDAP_LOCK_ATTRIBUTE, value: e.IGA_LDAP_LOCK_VALUE }, timeoutMs: e.IGA_LDAP_TIMEOUT_MS,
    };
  }
  let keycloak: KeycloakSettings | null = null;
  if (names.includes('keycloak')) {
    const url = required('IGA_KEYCLOAK_URL', e.IGA_KEYCLOAK_URL, 'keycloak');
    const caPem = read('IGA_KEYCLOAK_TLS_CA_FILE', e.IGA_KEYCLOAK_TLS_CA_FILE) ?? null;
    if (caPem !== null && !url.startsWith('https:')) issues.push('IGA_KEYCLOAK_TLS_CA_FILE: set, but IGA_KEYCLOAK_URL is not https://');
    keycloak = {
      url: url.replace(/\/+$/, ''), realm: required('IGA_KEYCLOAK_REALM', e.IGA_KEYCLOAK_REALM, 'keycloak'),
      clientId: required('IGA_KEYCLOAK_CLIENT_ID', e.IGA_KEYCLOAK_CLIENT_ID, 'keycloak'),
      clientSecret: secret('IGA_KEYCLOAK_CLIENT_SECRET', e.IGA_KEYCLOAK_CLIENT_SECRET, e.IGA_KEYCLOAK_CLIENT_SECRET_FILE, 'keycloak') ?? '',
      caFile: caPem === null ? null : e.IGA_KEYCLOAK_TLS_CA_FILE!, timeoutMs: e.IGA_KEYCLOAK_TIMEOUT_MS, connectTimeoutMs: e.IGA_KEYCLOAK_CONNECT_TIMEOUT_MS,
    };
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    names, ldap, keycloak, affiliations: e.IGA_DRIVER_AFFILIATIONS as EduPersonAffiliation[],
    retry: { initialMs: e.IGA_DRIVER_RETRY_INITIAL_MS, maxMs: e.IGA_DRIVER_RETRY_MAX_MS },
    retryingTagEveryMs: e.IGA_DRIVER_RETRYING_TAG_MS, statusExchange: e.IGA_AMQP_EXCHANGE_STATUS,
  };
}

/**
 * TLS is on when IGA_KAFKA_SSL=true or any certificate file is given; SASL when a mechanism is.
 * Files are read now, so a wrong path stops start-up naming the variable, not at the first connect.
 */
function kafkaSecurityOf(e: RawConfig): KafkaSecurity {
  const issues: string[] = [];
  const read = fileReader(issues);
  const files = { ca: e.IGA_KAFKA_SSL_CA_FILE, cert: e.IGA_KAFKA_SSL_CERT_FILE, key: e.IGA_KAFKA_SSL_KEY_FILE };
  const anyFile = Object.values(files).some((f) => f !== undefined);
  if (e.IGA_KAFKA_SSL === false && anyFile) issues.push('IGA_KAFKA_SSL: is false, but a certificate file is set (IGA_KAFKA_SSL_*_FILE)');
  if ((files.cert === undefined) !== (files.key === undefined)) issues.push('IGA_KAFKA_SSL_CERT_FILE and IGA_KAFKA_SSL_KEY_FILE: give both (a client certificate and its key) or neither');
  let tls: KafkaSecurity['tls'] = null;
  if (e.IGA_KAFKA_SSL === true || anyFile) {
    const ca = read('IGA_KAFKA_SSL_CA_FILE', files.ca);
    const cert = read('IGA_KAFKA_SSL_CERT_FILE', files.cert);
    const key = read('IGA_KAFKA_SSL_KEY_FILE', files.key);
    tls = { ...(ca !== undefined ? { ca } : {}), ...(cert !== undefined ? { cert } : {}), ...(key !== undefined ? { key } : {}) };
  }
  let sasl: KafkaSecurity['sasl'] = null;
  const mechanism = e.IGA_KAFKA_SASL_MECHANISM;
  if (e.IGA_KAFKA_SASL_PASSWORD !== undefined && e.IGA_KAFKA_SASL_PASSWORD_FILE !== undefined) {
    issues.push('IGA_KAFKA_SASL_PASSWORD and IGA_KAFKA_SASL_PASSWORD_FILE: give one of them');
  }
  const password = e.IGA_KAFKA_SASL_PASSWORD ?? read('IGA_KAFKA_SASL_PASSWORD_FILE', e.IGA_KAFKA_SASL_PASSWORD_FILE)?.replace(/\r?\n$/, '');
  if (mechanism !== undefined) {
    if (!e.IGA_KAFKA_SASL_USERNAME) issues.push(`IGA_KAFKA_SASL_USERNAME: required with IGA_KAFKA_SASL_MECHANISM=${mechanism}`);
    if (password === undefined && e.IGA_KAFKA_SASL_PASSWORD_FILE === undefined) issues.push(`IGA_KAFKA_SASL_PASSWORD (or _FILE): required with IGA_KAFKA_SASL_MECHANISM=${mechanism}`);
    if (e.IGA_KAFKA_SASL_USERNAME && password !== undefined) sasl = { mechanism, username: e.IGA_KAFKA_SASL_USERNAME, password };
  } else if (e.IGA_KAFKA_SASL_USERNAME !== undefined || password !== undefined) {
    issues.push('IGA_KAFKA_SASL_MECHANISM: required with a SASL username or password (plain, scram-sha-256 or scram-sha-512)');
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { tls, sasl };
}

/** Reads a PEM or password file named by a variable; a failure becomes an issue naming the variable. */
function fileReader(issues: string[]): (name: string, path: string | undefined) => string | undefined {
  return (name, path) => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      issues.push(`${name}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      return undefined;
    }
  };
}

/** TLS files for RabbitMQ: only with an `amqps://` URL (amqplib would ignore them on a plain socket). */
function amqpTlsOf(e: RawConfig): AmqpTls | undefined {
  const files = { ca: e.IGA_AMQP_SSL_CA_FILE, cert: e.IGA_AMQP_SSL_CERT_FILE, key: e.IGA_AMQP_SSL_KEY_FILE };
  if (Object.values(files).every((f) => f === undefined)) return undefined;
  const issues: string[] = [];
  if (!e.IGA_AMQP_URL.startsWith('amqps://')) issues.push('IGA_AMQP_SSL_*_FILE: set, but IGA_AMQP_URL is not amqps:// (TLS)');
  if ((files.cert === undefined) !== (files.key === undefined)) issues.push('IGA_AMQP_SSL_CERT_FILE and IGA_AMQP_SSL_KEY_FILE: give both (a client certificate and its key) or neither');
  const read = fileReader(issues);
  const ca = read('IGA_AMQP_SSL_CA_FILE', files.ca);
  const cert = read('IGA_AMQP_SSL_CERT_FILE', files.cert);
  const key = read('IGA_AMQP_SSL_KEY_FILE', files.key);
  if (issues.length > 0) throw new ConfigError(issues);
  return { ...(ca !== undefined ? { ca } : {}), ...(cert !== undefined ? { cert } : {}), ...(key !== undefined ? { key } : {}) };
}
