/** The schema registry's settings (IGA_SCHEMA_REGISTRY_*): off unless the URL is set, checked at start-up. */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/app/config.ts';

const dir = mkdtempSync(join(tmpdir(), 'iga-registry-config-'));
const issues = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.issues.join('\n');
  }
  assert.fail('expected a ConfigError');
};

describe('schema registry settings', () => {
  test('without IGA_SCHEMA_REGISTRY_URL there is no registry: plain JSON', () => {
    assert.equal(loadConfig({}).schemaRegistry, null);
    assert.equal(loadConfig({ IGA_SCHEMA_REGISTRY_URL: '' }).schemaRegistry, null, 'empty counts as unset');
  });

  test('with the URL: FULL compatibility by default, no auth; a trailing slash is dropped', () => {
    assert.deepEqual(loadConfig({ IGA_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8181/apis/ccompat/v7/' }).schemaRegistry,
      { url: 'http://127.0.0.1:8181/apis/ccompat/v7', compatibility: 'FULL', auth: null });
    assert.equal(loadConfig({ IGA_SCHEMA_REGISTRY_URL: 'https://sr.uib.no', IGA_SCHEMA_REGISTRY_COMPATIBILITY: 'backward_transitive' }).schemaRegistry!.compatibility, 'BACKWARD_TRANSITIVE');
  });

  test('basic auth: a user with a password inline or in a file (trailing newline dropped)', () => {
    const file = join(dir, 'password');
    writeFileSync(file, 's3cret\n');
    assert.deepEqual(loadConfig({ IGA_SCHEMA_REGISTRY_URL: 'https://sr.uib.no', IGA_SCHEMA_REGISTRY_USERNAME: 'iga', IGA_SCHEMA_REGISTRY_PASSWORD_FILE: file }).schemaRegistry!.auth, { username: 'iga', password: 's3cret' });
    assert.deepEqual(loadConfig({ IGA_SCHEMA_REGISTRY_URL: 'https://sr.uib.no', IGA_SCHEMA_REGISTRY_USERNAME: 'iga', IGA_SCHEMA_REGISTRY_PASSWORD: 'pw' }).schemaRegistry!.auth, { username: 'iga', password: 'pw' });
  });

  test('bad settings stop start-up naming the variable', () => {
    assert.match(issues({ IGA_SCHEMA_REGISTRY_URL: 'sr.uib.no' }), /IGA_SCHEMA_REGISTRY_URL/);
    assert.match(issues({ IGA_SCHEMA_REGISTRY_URL: 'ftp://sr.uib.no' }), /IGA_SCHEMA_REGISTRY_URL: expected http/);
    assert.match(issues({ IGA_SCHEMA_REGISTRY_URL: 'https://sr.uib.no', IGA_SCHEMA_REGISTRY_COMPATIBILITY: 'LOOSE' }), /IGA_SCHEMA_REGISTRY_COMPATIBILITY/);
    assert.match(issues({ IGA_SCHEMA_REGISTRY_USERNAME: 'iga', IGA_SCHEMA_REGISTRY_PASSWORD: 'pw' }), /IGA_SCHEMA_REGISTRY_URL: required/);
    assert.match(issues({ IGA_SCHEMA_REGISTRY_URL: 'https://sr.uib.no', IGA_SCHEMA_REGISTRY_USERNAME: 'iga' }), /give both or neither/);
    assert.match(issues({ IGA_SCHEMA_REGISTRY_URL: 'https://sr.uib.no', IGA_SCHEMA_REGISTRY_USERNAME: 'iga', IGA_SCHEMA_REGISTRY_PASSWORD: 'a', IGA_SCHEMA_REGISTRY_PASSWORD_FILE: '/x' }), /give one of them/);
    assert.match(issues({ IGA_SCHEMA_REGISTRY_URL: 'https://sr.uib.no', IGA_SCHEMA_REGISTRY_USERNAME: 'iga', IGA_SCHEMA_REGISTRY_PASSWORD_FILE: join(dir, 'missing') }), /IGA_SCHEMA_REGISTRY_PASSWORD_FILE: cannot read/);
  });
});
