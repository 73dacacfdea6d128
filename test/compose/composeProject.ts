/**
 * docker-compose.yml as a project of a test's own: a unique project name (its own containers,
 * network and volumes), host ports that are free on this machine (the compose file's defaults are
 * taken by the local brokers), and the compose command there is: Debian 12's `docker-compose` (1.29),
 * or Compose v2's `docker compose`.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

/** The host-port settings of docker-compose.yml. */
export const PORT_SETTINGS = ['SCIM', 'ADMIN', 'DFO', 'AMQP', 'RABBITMQ_UI', 'KAFKA'] as const;
export type PortName = (typeof PORT_SETTINGS)[number];

/** The images docker-compose.yml runs, as it names them (IGA_*_IMAGE overrides them there). */
export const composeImages = () => [
  process.env.IGA_KAFKA_IMAGE || 'apache/kafka:4.1.1',
  process.env.IGA_RABBITMQ_IMAGE || 'rabbitmq:4-management',
  process.env.IGA_STREAM_IMAGE || 'iga-stream:latest',
];

async function freePorts(n: number): Promise<number[]> {
  // All held open until each is known, so no two are the same.
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      await new Promise<void>((resolve, reject) => s.once('error', reject).listen(0, '127.0.0.1', resolve));
    }
    return servers.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

async function composeCommand(): Promise<string[]> {
  try {
    await execFileAsync('docker-compose', ['version'], { timeout: 30_000 });
    return ['docker-compose'];
  } catch {
    await execFileAsync('docker', ['compose', 'version'], { timeout: 30_000 }).catch(() => {
      throw new Error("neither docker-compose nor 'docker compose' runs here: bash scripts/images.sh installs Debian's docker-compose");
    });
    return ['docker', 'compose'];
  }
}

export interface ComposeProject {
  name: string;
  ports: Record<PortName, number>;
  /** Runs `compose -p <name> <args>` in the repository with the project's settings; resolves with stdout. */
  run(args: string[], timeoutMs?: number): Promise<string>;
  /** The last lines of every service's log, for a failure message. */
  logs(lines?: number): Promise<string>;
  /** Stops and removes the containers, the network and the volumes. */
  down(): Promise<void>;
}

export async function composeProject(name: string): Promise<ComposeProject> {
  const [command, ...base] = await composeCommand();
  const picked = await freePorts(PORT_SETTINGS.length);
  const ports = Object.fromEntries(PORT_SETTINGS.map((p, i) => [p, picked[i]!])) as Record<PortName, number>;
  const env = { ...process.env, ...Object.fromEntries(PORT_SETTINGS.map((p) => [`IGA_COMPOSE_${p}_PORT`, String(ports[p])])) };
  const project: ComposeProject = {
    name,
    ports,
    async run(args, timeoutMs = 120_000) {
      try {
        const { stdout } = await execFileAsync(command!, [...base, '-p', name, ...args], { cwd: ROOT, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
        return stdout;
      } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new Error(`${[command, ...base, '-p', name, ...args].join(' ')} failed: ${e.stderr?.trim() || e.message}`);
      }
    },
    logs: (lines = 40) => project.run(['logs', '--no-color', `--tail=${lines}`]).catch((err: Error) => err.message),
    async down() {
      await project.run(['down', '--volumes', '--remove-orphans', '--timeout', '10'], 180_000);
    },
  };
  return project;
}
