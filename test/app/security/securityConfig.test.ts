/** TLS and SASL settings for Kafka, and TLS files for RabbitMQ: how the variables combine, what is refused, and which clients get them. */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/app/config.ts';
import { kafkaSecurityFor, registerKafkaSecurity } from '../../../src/runtime/kafka/security.ts';

describe('Kafka TLS and SASL configuration', () => {
  let dir: string;
  const f = (name: string) => join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iga-kafka-sec-'));
    await writeFile(f('ca.pem'), 'CA PEM');
    await writeFile(f('client.pem'), 'CERT PEM');
    await writeFile(f('client.key'), 'KEY PEM');
    await writeFile(f('password'), 's3cret\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const issues = (env: Record<string, string>): string[] => {
    try {
      loadConfig(env);
    } catch (err) {
      assert.ok(err instanceof ConfigError, String(err));
      return err.issues;
    }
    assert.fail('expected a ConfigError');
  };

  test('by default: plaintext, no SASL', () => {
    assert.deepEqual(loadConfig({}).kafkaSecurity, { tls: null, sasl: null });
  });

  test('IGA_KAFKA_SSL=true alone: TLS with the system CAs', () => {
    assert.deepEqual(loadConfig({ IGA_KAFKA_SSL: 'true' }).kafkaSecurity, { tls: {}, sasl: null });
    assert.deepEqual(loadConfig({ IGA_KAFKA_SSL: 'false' }).kafkaSecurity, { tls: null, sasl: null });
  });

  test('a CA file turns TLS on and is read at start; a client certificate needs its key', () => {
    assert.deepEqual(loadConfig({ IGA_KAFKA_SSL_CA_FILE: f('ca.pem') }).kafkaSecurity.tls, { ca: 'CA PEM' });
    assert.deepEqual(
      loadConfig({ IGA_KAFKA_SSL_CA_FILE: f('ca.pem'), IGA_KAFKA_SSL_CERT_FILE: f('client.pem'), IGA_KAFKA_SSL_KEY_FILE: f('client.key') }).kafkaSecurity.tls,
      { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' },
    );
    assert.match(issues({ IGA_KAFKA_SSL_CERT_FILE: f('client.pem') }).join('\n'), /IGA_KAFKA_SSL_CERT_FILE and IGA_KAFKA_SSL_KEY_FILE: give both/);
    assert.match(issues({ IGA_KAFKA_SSL_CA_FILE: f('missing.pem') }).join('\n'), /IGA_KAFKA_SSL_CA_FILE: cannot read .*missing\.pem: ENOENT/);
    assert.match(issues({ IGA_KAFKA_SSL: 'false', IGA_KAFKA_SSL_CA_FILE: f('ca.pem') }).join('\n'), /IGA_KAFKA_SSL: is false, but a certificate file is set/);
  });

  test('SASL: mechanism in any case, with a username and a password or a password file (one trailing newline dropped)', () => {
    assert.deepEqual(loadConfig({ IGA_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', IGA_KAFKA_SASL_USERNAME: 'iga', IGA_KAFKA_SASL_PASSWORD: 'pw' }).kafkaSecurity.sasl,
      { mechanism: 'scram-sha-512', username: 'iga', password: 'pw' });
    assert.deepEqual(loadConfig({ IGA_KAFKA_SASL_MECHANISM: 'plain', IGA_KAFKA_SASL_USERNAME: 'iga', IGA_KAFKA_SASL_PASSWORD_FILE: f('password'), IGA_KAFKA_SSL: 'true' }).kafkaSecurity,
      { tls: {}, sasl: { mechanism: 'plain', username: 'iga', password: 's3cret' } });
    assert.match(issues({ IGA_KAFKA_SASL_MECHANISM: 'gssapi' }).join('\n'), /IGA_KAFKA_SASL_MECHANISM/);
    assert.match(issues({ IGA_KAFKA_SASL_MECHANISM: 'plain', IGA_KAFKA_SASL_PASSWORD: 'pw' }).join('\n'), /IGA_KAFKA_SASL_USERNAME: required with IGA_KAFKA_SASL_MECHANISM=plain/);
    assert.match(issues({ IGA_KAFKA_SASL_MECHANISM: 'scram-sha-256', IGA_KAFKA_SASL_USERNAME: 'iga' }).join('\n'), /IGA_KAFKA_SASL_PASSWORD \(or _FILE\): required/);
    assert.match(issues({ IGA_KAFKA_SASL_USERNAME: 'iga', IGA_KAFKA_SASL_PASSWORD: 'pw' }).join('\n'), /IGA_KAFKA_SASL_MECHANISM: required with a SASL username or password/);
    assert.match(issues({ IGA_KAFKA_SASL_MECHANISM: 'plain', IGA_KAFKA_SASL_USERNAME: 'iga', IGA_KAFKA_SASL_PASSWORD: 'a', IGA_KAFKA_SASL_PASSWORD_FILE: f('password') }).join('\n'), /give one of them/);
    assert.match(issues({ IGA_KAFKA_SASL_MECHANISM: 'plain', IGA_KAFKA_SASL_USERNAME: 'iga', IGA_KAFKA_SASL_PASSWORD_FILE: f('nope') }).join('\n'), /IGA_KAFKA_SASL_PASSWORD_FILE: cannot read/);
  });

  test('RabbitMQ TLS files: only with amqps://, certificate and key together, read at start', () => {
    assert.equal(loadConfig({}).amqp.tls, undefined);
    assert.equal(loadConfig({ IGA_AMQP_URL: 'amqps://iga:pw@mq.uib.no:5671/iga' }).amqp.tls, undefined, 'amqps:// alone: the system CAs');
    assert.deepEqual(loadConfig({ IGA_AMQP_URL: 'amqps://iga:pw@mq.uib.no:5671/iga', IGA_AMQP_SSL_CA_FILE: f('ca.pem') }).amqp.tls, { ca: 'CA PEM' });
    assert.deepEqual(
      loadConfig({ IGA_AMQP_URL: 'amqps://mq.uib.no', IGA_AMQP_SSL_CERT_FILE: f('client.pem'), IGA_AMQP_SSL_KEY_FILE: f('client.key') }).amqp.tls,
      { cert: 'CERT PEM', key: 'KEY PEM' },
    );
    assert.match(issues({ IGA_AMQP_SSL_CA_FILE: f('ca.pem') }).join('\n'), /IGA_AMQP_SSL_\*_FILE: set, but IGA_AMQP_URL is not amqps:\/\//);
    assert.match(issues({ IGA_AMQP_URL: 'amqps://mq.uib.no', IGA_AMQP_SSL_KEY_FILE: f('client.key') }).join('\n'), /IGA_AMQP_SSL_CERT_FILE and IGA_AMQP_SSL_KEY_FILE: give both/);
    assert.match(issues({ IGA_AMQP_URL: 'amqps://mq.uib.no', IGA_AMQP_SSL_CA_FILE: f('nope.pem') }).join('\n'), /IGA_AMQP_SSL_CA_FILE: cannot read .*nope\.pem: ENOENT/);
  });

  test('settings are registered per broker: clients of those brokers get them, clients of other brokers do not', () => {
    const brokers = ['kafka1.test:9094', 'kafka2.test:9094'];
    registerKafkaSecurity(brokers, { tls: { ca: 'CA PEM' }, sasl: { mechanism: 'scram-sha-512', username: 'iga', password: 'pw' } });
    try {
      assert.deepEqual(kafkaSecurityFor(['kafka2.test:9094']), {
        ssl: { rejectUnauthorized: true, ca: 'CA PEM' },
        sasl: { mechanism: 'scram-sha-512', username: 'iga', password: 'pw' },
      });
      assert.deepEqual(kafkaSecurityFor(['127.0.0.1:9092']), {}, 'another cluster: plaintext');
      registerKafkaSecurity(['tls-only.test:9093'], { tls: {}, sasl: null });
      assert.deepEqual(kafkaSecurityFor(['tls-only.test:9093']), { ssl: { rejectUnauthorized: true } });
    } finally {
      registerKafkaSecurity([...brokers, 'tls-only.test:9093'], { tls: null, sasl: null });
    }
    assert.deepEqual(kafkaSecurityFor(brokers), {}, 'registering none clears them');
  });
});
