/**
 * TLS towards RabbitMQ beyond what an `amqps://` URL says: the CA that signed the broker's
 * certificate (a private CA, common for brokers run by a university or a consortium of them), and a client certificate
 * for brokers that authenticate clients by certificate. Certificates are always checked.
 */
export interface AmqpTls {
  /** PEM contents. */
  ca?: string;
  cert?: string;
  key?: string;
}

/** The socket options amqplib passes to `tls.connect` (empty without TLS settings). */
export function amqpSocketOptions(tls: AmqpTls | undefined): Record<string, unknown> {
  if (!tls) return {};
  return { ...(tls.ca ? { ca: [tls.ca] } : {}), ...(tls.cert ? { cert: tls.cert } : {}), ...(tls.key ? { key: tls.key } : {}) };
}
