import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/app/config.ts';
import { publishersFile, testKey } from '../support/publishers.ts';

const dir = mkdtempSync(join(tmpdir(), 'iga-publish-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const NIN_KEY = 'nin-hash-key-for-tests-0123456789abcdef';

describe('publisher settings', () => {
  test('without IGA_PUBLISHERS_FILE there is no publisher input (DFØ alone)', () => {
    const cfg = loadConfig({});
    assert.equal(cfg.publish.publishers, null);
    assert.equal(cfg.publish.port, 8083);
    assert.equal(cfg.publish.exchange, 'ex_iga_publish');
    assert.equal(cfg.publish.queue, 'iga-stream.publish-in');
  });

  test('the publishers file is read and checked at start-up, with its tokens', () => {
    const cfg = loadConfig({ IGA_PUBLISHERS_FILE: file('ok.json', publishersFile({ fsKey: testKey('fs-1'), version: 'v7' })), IGA_PUBLISH_TOKENS: 'fs:abcdefabcdefabcdef', IGA_APP_ID: 'iga-uib', IGA_NIN_HASH_KEY: NIN_KEY });
    assert.equal(cfg.publish.publishers!.version, 'v7');
    assert.deepEqual([...cfg.publish.publishers!.publishers.keys()], ['fs', 'guest-portal', 'self-service']);
    assert.equal(cfg.publish.publishers!.publishers.get('fs')!.keys[0]!.alg, 'EdDSA');
    assert.equal(cfg.publish.queue, 'iga-uib.publish-in');
    assert.equal(cfg.publish.ninHashKey, NIN_KEY);
    assert.deepEqual(cfg.publish.publishers!.matchOrder, ['nin', 'accountId', 'employeeNumber']);
  });

  test('a missing or bad file, or no tokens, stops start-up naming the variable and each problem', () => {
    const issues = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.issues.join('\n');
      }
      assert.fail('expected a ConfigError');
    };
    assert.match(issues({ IGA_PUBLISHERS_FILE: join(dir, 'nope.json'), IGA_PUBLISH_TOKENS: 'fs:x' }), /IGA_PUBLISHERS_FILE: cannot read .*ENOENT/);
    assert.match(issues({ IGA_PUBLISHERS_FILE: file('bad.json', '{"publishers":{},"authority":{"mobile":{"writers":["x"]}}}'), IGA_PUBLISH_TOKENS: 'fs:x' }), /authority.mobile: writer x is not a configured publisher/);
    assert.match(issues({ IGA_PUBLISHERS_FILE: file('ok2.json', publishersFile()) }), /IGA_PUBLISH_TOKENS \(or IGA_PUBLISH_TOKENS_FILE\): required/);
    assert.match(issues({ IGA_PUBLISHERS_FILE: file('ok3.json', publishersFile()), IGA_PUBLISH_TOKENS: 'fs:abcdefabcdefabcdef' }), /IGA_NIN_HASH_KEY: required with IGA_PUBLISHERS_FILE/);
    assert.match(issues({ IGA_PUBLISHERS_FILE: file('ok4.json', publishersFile()), IGA_PUBLISH_TOKENS: 'fs:abcdefabcdefabcdef', IGA_NIN_HASH_KEY: 'short' }), /IGA_NIN_HASH_KEY: at least 32 characters/);
  });
});
