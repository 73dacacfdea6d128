/**
 * A slapd of a test's own (scripts/slapd.sh with its own port and cache folder), for tests that stop
 * and start the directory without disturbing the shared one or other tests.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/slapd.sh', import.meta.url));

export interface OwnSlapd {
  url: string;
  port: number;
  up(): Promise<void>;
  down(): Promise<void>;
  /** Stops it and deletes its folder. */
  remove(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function ownSlapd(): Promise<OwnSlapd> {
  const port = await freePort();
  const cache = await mkdtemp(join(tmpdir(), 'iga-slapd-'));
  const run = (action: string) => new Promise<void>((resolve, reject) => {
    execFile('bash', [SCRIPT, action], { env: { ...process.env, IGA_LDAP_PORT: String(port), IGA_LDAPS_PORT: '0', IGA_CACHE: cache } }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`scripts/slapd.sh ${action} on port ${port} failed: ${stderr}`));
      else resolve();
    });
  });
  return {
    url: `ldap://127.0.0.1:${port}`, port,
    up: () => run('up'),
    down: () => run('down'),
    async remove() {
      await run('reset').catch(() => undefined);
      await rm(cache, { recursive: true, force: true });
    },
  };
}
