/**
 * Service configuration from environment variables (documented with defaults in README.md).
 * Invalid configuration stops start-up with a message that names the variable.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AmqpTls } from '../connectors/rabbitmq/amqpTls.ts';
import type { KafkaSecurity } from './kafkaSecurity.ts';
import { reconcileScheduleSchema, type ReconcileSchedule } from './reconcile/schedule.ts';

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
  IGA_COMMIT_INTERVAL_MS: int(0).default(100),
  IGA_PUNCTUATE_INTERVAL_MS: int(100).default(60_000),
  IGA_ADMIN_PORT: int(0).max(65535).default(9464),
  IGA_ADMIN_HOST: z.string().optional(),
  IGA_ADMIN_TOKENS: z.string().default(''),
  IGA_ADMIN_TOKENS_FILE: z.string().optional(),
  IGA_KAFKA_SESSION_TIMEOUT_MS: int(3000).max(300_000).default(30_000),
  IGA_PROCESSING_GUARANTEE: z.enum(['exactly_once', 'at_least_once']).default('exactly_once'),
  IGA_BRAKE_MAX_BLOCKS: int(0).default(50),
  IGA_BRAKE_MAX_SHARE: z.coerce.number().min(0).max(1).default(0.05),
  IGA_BRAKE_MIN_BLOCKS: int(0).default(10),
  IGA_BRAKE_WINDOW_MS: int(0).default(3_600_000),
  IGA_BRAKE_SETTLE_MS: int(0).default(5_000),
  IGA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  IGA_RECONCILE_SCHEDULE: reconcileScheduleSchema.default({ kind: 'off' }),
  IGA_RECONCILE_WAIT_MS: int(0).default(120_000),
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
  commitIntervalMs: number;
  punctuateIntervalMs: number;
  /** Operations port: health, metrics and the operator API (`/admin`, own tokens). */
  admin: { port: number; host: string; tokens: string; tokensFile: string | undefined };
  logLevel: string;
  /** Consumer-group session timeout of the stream runtime and egress (how soon a dead instance's work moves). */
  kafkaSessionTimeoutMs: number;
  /** exactly_once (default) or at_least_once (for comparison; outputs can repeat after a crash). */
  processingGuarantee: 'exactly_once' | 'at_least_once';
  /** The mass-change brake (src/iga/brake.ts). */
  brake: { maxBlocks: number; maxShare: number; minBlocks: number; windowMs: number; settleMs: number };
  /** Reconciliation against DFØ's collections (src/reconcile): the schedule, and how long a run waits for its repairs. */
  reconcile: { schedule: ReconcileSchedule; waitTimeoutMs: number };
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
    commitIntervalMs: e.IGA_COMMIT_INTERVAL_MS,
    punctuateIntervalMs: e.IGA_PUNCTUATE_INTERVAL_MS,
    admin: { port: e.IGA_ADMIN_PORT, host: e.IGA_ADMIN_HOST ?? e.IGA_SCIM_HOST, tokens: e.IGA_ADMIN_TOKENS, tokensFile: e.IGA_ADMIN_TOKENS_FILE },
    logLevel: e.IGA_LOG_LEVEL,
    kafkaSessionTimeoutMs: e.IGA_KAFKA_SESSION_TIMEOUT_MS,
    processingGuarantee: e.IGA_PROCESSING_GUARANTEE,
    brake: { maxBlocks: e.IGA_BRAKE_MAX_BLOCKS, maxShare: e.IGA_BRAKE_MAX_SHARE, minBlocks: e.IGA_BRAKE_MIN_BLOCKS, windowMs: e.IGA_BRAKE_WINDOW_MS, settleMs: e.IGA_BRAKE_SETTLE_MS },
    reconcile: { schedule: e.IGA_RECONCILE_SCHEDULE, waitTimeoutMs: e.IGA_RECONCILE_WAIT_MS },
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

/** Topic names, all prefixed by the application id. */
export function topicNames(appId: string) {
  return {
    raw: `${appId}.dfo.events`,
    accounts: `${appId}.iga.accounts`,
    notify: `${appId}.iga.notify`,
    audit: `${appId}.iga.audit`,
    dlq: `${appId}.iga.dlq`,
  } as const;
}
