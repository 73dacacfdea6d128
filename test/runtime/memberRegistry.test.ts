/**
 * The state folder's consumer-group member ids (memberRegistry.ts) without a broker: which outcome
 * a first join has, what is read back from the folder, and the lock that keeps a second live
 * process (a real child process here) from reusing the member ids of the first.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import fc from 'fast-check';
import pino from 'pino';
import kafkajs from 'kafkajs';
import { openMemberRegistry, rejoinOutcome } from '../../src/runtime/kafka/memberRegistry.ts';
import { RocksBytesStore } from '../../src/stores/rocksBytesStore.ts';

const REGISTRY = join(import.meta.dirname, '..', '..', 'src', 'runtime', 'kafka', 'memberRegistry.ts');

function capturingLog() {
  const lines: Array<{ level: number; msg: string } & Record<string, unknown>> = [];
  return { lines, log: pino({ level: 'info' }, { write: (s: string) => { lines.push(JSON.parse(s)); } }) };
}

test('rejoinOutcome: nothing remembered is a new member; the remembered id back is a reuse; any other id means it had expired', () => {
  fc.assert(fc.property(fc.option(fc.string(), { nil: null }), fc.string({ minLength: 1 }), (remembered, joined) => {
    const outcome = rejoinOutcome(remembered, joined);
    if (!remembered) assert.equal(outcome, 'new');
    else assert.equal(outcome, remembered === joined ? 'reused' : 'expired');
  }));
  assert.equal(rejoinOutcome('m-1', 'm-1'), 'reused');
});

test('member records are read back from the folder; an unreadable one is ignored with a warning', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'iga-members-'));
  try {
    const store = await RocksBytesStore.open('group-members', join(stateDir, 'app', 'group-members'));
    await store.write([
      ['member/app', Buffer.from(JSON.stringify({ memberId: 'app-1-abc', joinedAt: '2026-01-01T00:00:00.000Z' }))],
      ['member/app.egress', Buffer.from('{not json')],
    ]);
    await store.close();
    const { lines, log } = capturingLog();
    const registry = await openMemberRegistry({ stateDir, appId: 'app', log });
    try {
      assert.equal(registry.active, true);
      assert.equal(registry.forGroup('app').memberId(), 'app-1-abc');
      assert.equal(registry.forGroup('app.egress').memberId(), null);
      assert.equal(registry.forGroup('other').memberId(), null);
      assert.ok(lines.some((l) => l.msg.includes('unreadable consumer-group member record') && l.key === 'member/app.egress'));
    } finally {
      await registry.close();
    }
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
});

test('a folder held by another live process is not used (its member ids and process id are not reused); once that process is killed, it is', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'iga-members-'));
  const holderCode = `
    import { openMemberRegistry } from ${JSON.stringify(REGISTRY)};
    import pino from 'pino';
    const held = await openMemberRegistry({ stateDir: ${JSON.stringify(stateDir)}, appId: 'app', log: pino({ level: 'silent' }) });
    console.log('holding ' + held.processId);
    setInterval(() => undefined, 60_000);`;
  const holder = spawn(process.execPath, ['--input-type=module', '-e', holderCode], { cwd: join(import.meta.dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => holder.once('exit', resolve));
  try {
    const lines = createInterface({ input: holder.stdout! });
    const holderProcessId = await new Promise<string>((resolve, reject) => {
      lines.on('line', (l) => { if (l.startsWith('holding ')) resolve(l.slice('holding '.length)); });
      holder.once('exit', (code) => reject(new Error(`the holding process exited (${code})`)));
    });
    const { lines: logged, log } = capturingLog();
    const second = await openMemberRegistry({ stateDir, appId: 'app', log });
    assert.equal(second.active, false);
    const assigners = [kafkajs.PartitionAssigners.roundRobin];
    assert.equal(second.forGroup('app').assigners(assigners)[0], assigners[0], 'the consumer joins as a new member');
    assert.equal(second.forGroup('app').memberId(), null);
    assert.ok(logged.some((l) => l.level === 40 && l.msg.includes('in use by another process')));
    assert.match(holderProcessId, /^[0-9a-f-]{36}$/);
    assert.notEqual(second.processId, holderProcessId, 'a second live process never shares the transactional id of the first');
    await second.close();

    holder.kill('SIGKILL');
    await exited;
    const after = await openMemberRegistry({ stateDir, appId: 'app', log });
    assert.equal(after.active, true, 'the kernel released the dead process\'s lock');
    assert.equal(after.processId, holderProcessId, 'the restarted instance takes up the process id (and transactional id) of the killed one');
    await after.close();
  } finally {
    holder.kill('SIGKILL');
    await rm(stateDir, { recursive: true, force: true });
  }
});

test('a folder that cannot be opened leaves the instance running without remembered memberships, with a warning', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'iga-members-'));
  try {
    await writeFile(join(stateDir, 'app'), 'a file where the app folder should be');
    const { lines, log } = capturingLog();
    const registry = await openMemberRegistry({ stateDir, appId: 'app', log });
    assert.equal(registry.active, false);
    assert.equal(registry.forGroup('app').memberId(), null);
    assert.ok(lines.some((l) => l.level === 40 && l.msg.includes('cannot open the consumer-group member records')));
    await registry.close();
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
});

test('a broken registry is reported as broken, not as held by another process, whatever its path spells', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'iga-members-'));
  try {
    // A database whose CURRENT names a manifest that is not there: RocksDB's message quotes the
    // path, and this app's path spells "lock" (blocklist), but the folder is not locked.
    const dir = join(stateDir, 'blocklist', 'group-members');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'CURRENT'), 'MANIFEST-000404\n');
    const { lines, log } = capturingLog();
    const registry = await openMemberRegistry({ stateDir, appId: 'blocklist', log });
    assert.equal(registry.active, false);
    const warnings = lines.filter((l) => l.level === 40).map((l) => l.msg);
    assert.ok(warnings.some((m) => m.includes('cannot open the consumer-group member records')), warnings.join('\n'));
    assert.ok(!warnings.some((m) => m.includes('in use by another process')), warnings.join('\n'));
    await registry.close();
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
});
