/**
 * A Kafka broker of the test's own, so a test can stop and start it without disturbing the shared
 * broker other tests use: scripts/kafka.sh on free ports, which gives it its own run folder
 * (`<cache>/kafka/run-<port>`: config, data, logs). `destroy()` stops it and deletes that folder;
 * if the test process ends without calling it, an exit hook kills the broker and deletes the folder.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, portOpen } from './freePorts.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'kafka.sh');

export interface OwnKafka {
  /** `127.0.0.1:<port>`, for IGA_KAFKA_BROKERS. */
  readonly brokers: string[];
  readonly port: number;
  readonly runDir: string;
  /** Stops the broker (SIGTERM, as `kafka.sh down`) and waits until its process is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data; resolves once it answers. */
  start(): Promise<void>;
  /** Stops it and deletes its run folder. Idempotent. */
  destroy(): Promise<void>;
}

export async function startOwnKafka(): Promise<OwnKafka> {
  const [port, controllerPort, saslPort] = (await freePorts(3)) as [number, number, number];
  const cache = process.env.IGA_CACHE || join(ROOT, '.cache');
  const runDir = join(cache, 'kafka', `run-${port}`);
  const env = { ...process.env, IGA_KAFKA_PORT: String(port), IGA_KAFKA_CONTROLLER_PORT: String(controllerPort), IGA_KAFKA_SASL_PORT: String(saslPort), IGA_KAFKA_HEAP: '512m' };
  let javaPid: number | null = null;
  let destroyed = false;

  const script = async (command: 'up' | 'down') => {
    try {
      await run('bash', [SCRIPT, command], { env, timeout: 120_000 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`scripts/kafka.sh ${command} on port ${port} failed: ${e.stderr || e.message}`);
    }
  };
  const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
  // kafka.sh records the pid of the shell that runs java; java is its child (or the shell itself, if it exec'ed).
  const findJava = (): number | null => {
    const pidFile = join(runDir, 'broker.pid');
    if (!existsSync(pidFile)) return null;
    const shell = Number(readFileSync(pidFile, 'utf8').trim());
    try {
      if (readFileSync(`/proc/${shell}/comm`, 'utf8').trim() === 'java') return shell;
      const children = readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      return children.find((c) => readFileSync(`/proc/${c}/comm`, 'utf8').trim() === 'java') ?? null;
    } catch {
      return null;
    }
  };
  const killNow = () => {
    if (javaPid !== null && alive(javaPid)) process.kill(javaPid, 'SIGKILL');
    rmSync(runDir, { recursive: true, force: true });
  };
  process.once('exit', killNow);

  const self: OwnKafka = {
    brokers: [`127.0.0.1:${port}`], port, runDir,
    async start() {
      await script('up');
      javaPid = findJava();
      if (javaPid === null) throw new Error(`the Kafka broker on port ${port} answers but its java process was not found (${runDir}/broker.pid)`);
    },
    async stop() {
      await script('down');
      // kafka.sh returns once the port is closed; the JVM may still be flushing its logs.
      const until = Date.now() + 30_000;
      while (javaPid !== null && alive(javaPid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      if (javaPid !== null && alive(javaPid)) process.kill(javaPid, 'SIGKILL');
      while (((await portOpen(port)) || (await portOpen(controllerPort))) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      process.off('exit', killNow);
      await self.stop().catch(() => undefined);
      killNow();
    },
  };
  try {
    await self.start();
  } catch (err) {
    await self.destroy();
    throw err;
  }
  return self;
}
