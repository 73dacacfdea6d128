/**
 * The Kafka Streams peer (bench/peer, Java): built with Maven once per version of its sources
 * (a hash of pom.xml and src/ kept in target/), started with `java` on the jars in target/, ready
 * when it prints `ready`. Needs Java 17+ and `mvn`; without them the build fails loudly.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startChild, waitForLine, type Child } from './childProcess.ts';
import { ROOT } from './services.ts';

export const PEER_DIR = join(ROOT, 'bench/peer');
const HASH_FILE = join(PEER_DIR, 'target/.source-hash');

function sourceHash(): string {
  const files: string[] = [join(PEER_DIR, 'pom.xml')];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else files.push(join(dir, e.name));
    }
  };
  walk(join(PEER_DIR, 'src'));
  const h = createHash('sha256');
  for (const f of files.sort()) h.update(relative(PEER_DIR, f)).update('\0').update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

/** Builds the peer unless target/ holds a build of these sources; `say` gets progress lines. */
export async function buildPeer(say: (line: string) => void): Promise<void> {
  const hash = sourceHash();
  if (existsSync(join(PEER_DIR, 'target/peer.jar')) && existsSync(HASH_FILE) && readFileSync(HASH_FILE, 'utf8') === hash) return;
  say('building the Kafka Streams peer (mvn -q -B package in bench/peer; the first build fetches its jars from Maven Central)');
  const started = Date.now();
  const ticker = setInterval(() => say(`  still building the peer: ${Math.round((Date.now() - started) / 1000)} s`), 10_000);
  try {
    const output: string[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const mvn = spawn('mvn', ['-q', '-B', 'package'], { cwd: PEER_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
      mvn.stdout.on('data', (d: Buffer) => output.push(d.toString()));
      mvn.stderr.on('data', (d: Buffer) => output.push(d.toString()));
      mvn.once('error', (err) => reject(new Error(`cannot run mvn (the Kafka Streams peer needs Java 17+ and Maven): ${err.message}`)));
      mvn.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`mvn package of the Kafka Streams peer failed (exit ${code}):\n${output.join('').slice(-4000)}`);
  } finally {
    clearInterval(ticker);
  }
  writeFileSync(HASH_FILE, hash);
  say(`  built the peer in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** slf4j-simple's level for an IGA_LOG_LEVEL value. */
function slf4jLevel(level: string | undefined): string {
  if (level === 'fatal') return 'error';
  if (level === 'silent') return 'off';
  return level ?? 'info';
}

/**
 * Starts the built peer with `env` (IGA_* settings, PEER_STREAM_THREADS) and waits for `ready`.
 * PEER_JAVA_OPTS (space-separated) adds JVM options.
 */
export async function startPeer(env: Record<string, string>): Promise<Child> {
  const javaOpts = (process.env.PEER_JAVA_OPTS ?? '').split(/\s+/).filter(Boolean);
  const args = [...javaOpts, `-Dorg.slf4j.simpleLogger.defaultLogLevel=${slf4jLevel(env.IGA_LOG_LEVEL)}`, '-cp', 'target/peer.jar:target/lib/*', 'no.igastream.peer.Main'];
  const child = startChild(args, env, PEER_DIR, 'java');
  await waitForLine(child, 'ready', 180_000);
  return child;
}
