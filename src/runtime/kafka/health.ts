/**
 * Kafka's side of dependency health (src/common/dependencyHealth.ts). Which KafkaJS log entries and errors
 * mean "the broker cannot be reached" (refused, reset, timed out, closed, unresolvable), so they are
 * reported as the `kafka` dependency failing instead of logged one by one; and a socket factory for
 * every KafkaJS client that reports each answer from a broker, which ends an outage.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ISocketFactory } from 'kafkajs';
import { dependency } from '../../common/dependencyHealth.ts';
import type { Logger } from '../../common/log.ts';

export const kafka = dependency('kafka');

// KafkaJS's connection errors (KafkaJSConnectionError, ...ClosedError, RequestTimeoutError) by name
// and by their messages, and the socket errors underneath them. Protocol errors (a rebalance, a
// fenced producer, an authorization or SASL failure) are not in it: those stay errors.
const CONNECTION_FAILURE = new RegExp([
  'KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSNoBrokerAvailableError', 'No broker available',
  'Connection error', 'Connection timeout', 'Closed connection', 'Connection closed by the server',
  'Failed to connect', 'Not connected', 'Request \\S+\\(.*\\) timed out',
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'socket hang up',
].join('|'));

/** True when a KafkaJS log text or error text says a broker could not be reached. */
export function isKafkaConnectionFailure(text: string): boolean {
  return CONNECTION_FAILURE.test(text);
}

/** The names and messages of `err` and its causes (KafkaJS wraps: NumberOfRetriesExceeded → cause). */
function errorText(err: unknown): string {
  const parts: string[] = [];
  let e = err as { name?: unknown; message?: unknown; cause?: unknown; originalError?: unknown } | null | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    parts.push(typeof e === 'object' ? `${String(e.name ?? '')}: ${String(e.message ?? '')}` : String(e));
    e = (typeof e === 'object' ? e.cause ?? e.originalError : undefined) as typeof e;
  }
  return parts.join(' | ');
}

/**
 * When `err` is a lost broker connection: reports it as a Kafka failure on `log` and returns true
 * (the caller then logs its own line at debug). False for any other error.
 */
export function reportKafkaOutage(err: unknown, log: Logger): boolean {
  const text = errorText(err);
  if (!isKafkaConnectionFailure(text)) return false;
  kafka.failure(err instanceof Error ? err : text, log);
  return true;
}

/**
 * KafkaJS's own socket factory (net or tls, keep-alive 60 s), plus: every chunk a broker sends
 * reports Kafka as answering (a boolean check while it is up).
 */
export function answerReportingSocketFactory(log: Logger): ISocketFactory {
  const answered = (): void => kafka.success(log);
  return ({ host, port, ssl, onConnect }) => {
    const socket = ssl
      ? tls.connect(Object.assign({ host, port }, !net.isIP(host) ? { servername: host } : {}, ssl), onConnect)
      : net.connect({ host, port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    socket.on('data', answered);
    return socket;
  };
}
