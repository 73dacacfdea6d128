/**
 * A RabbitMQ node of the test's own, so a test can restart it without disturbing the shared broker
 * (the system node on 5672): `rabbitmq-server` as a child process with its own node name, AMQP and
 * distribution ports on 127.0.0.1, config, data, log and home folders (its own Erlang cookie) under
 * a temp folder, and no plugins. It never reads /etc/rabbitmq. Stopped with `rabbitmqctl -n <node>
 * stop`; `destroy()` deletes the folder, and an exit hook kills the node if the test could not.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { freePorts } from './freePorts.ts';

const run = promisify(execFile);

export interface OwnRabbit {
  /** `amqp://guest:guest@127.0.0.1:<port>`. */
  readonly url: string;
  readonly nodeName: string;
  readonly port: number;
  /** Stops the node (`rabbitmqctl -n <node> stop`) and waits until its process is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data; resolves once it accepts AMQP connections. */
  start(): Promise<void>;
  /** `rabbitmqctl -n <node> <args>`; resolves with its stdout. */
  ctl(args: string[]): Promise<string>;
  /** Stops it and deletes its folder. Idempotent. */
  destroy(): Promise<void>;
}

/** The folder of the real RabbitMQ scripts (Debian's /usr/sbin ones only switch user and call these). */
function rabbitScripts(): string {
  const candidates = [process.env.IGA_RABBITMQ_SCRIPTS, '/usr/lib/rabbitmq/bin'];
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const server = join(dir, 'rabbitmq-server');
    if (existsSync(server)) candidates.push(dirname(realpathSync(server)));
  }
  const found = candidates.find((d) => d && ['rabbitmq-server', 'rabbitmq-env', 'rabbitmqctl'].every((f) => existsSync(join(d, f))));
  if (!found) throw new Error('RabbitMQ\'s scripts (rabbitmq-server, rabbitmq-env, rabbitmqctl) were not found: install rabbitmq-server or set IGA_RABBITMQ_SCRIPTS to their folder');
  return found;
}

export async function startOwnRabbit(): Promise<OwnRabbit> {
  const scripts = rabbitScripts();
  const [port, distPort] = (await freePorts(2)) as [number, number];
  const dir = mkdtempSync(join(tmpdir(), 'iga-rabbit-'));
  for (const sub of ['home', 'mnesia', 'log']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'rabbitmq.conf'), '');
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  const nodeName = `iga-faults-${randomBytes(3).toString('hex')}@localhost`;
  // Nothing of the caller's RabbitMQ or Erlang settings leaks in: this node is configured only here.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('RABBITMQ_') && !k.startsWith('ERL_')));
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    HOME: join(dir, 'home'),
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  const url = `amqp://guest:guest@127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let destroyed = false;
  const output: string[] = [];

  // The Erlang VM's pid (a child of the script), only while it is still this node's VM.
  const beamPid = (): number | null => {
    try {
      const pid = Number(readFileSync(join(dir, 'rabbitmq.pid'), 'utf8').trim());
      return pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(nodeName) ? pid : null;
    } catch {
      return null;
    }
  };
  const kill = () => {
    const script = child && child.exitCode === null && child.signalCode === null ? child.pid ?? null : null;
    for (const pid of [beamPid(), script]) if (pid) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  };
  const killAndRemove = () => {
    kill();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killAndRemove);

  const self: OwnRabbit = {
    url, nodeName, port,
    async start() {
      const log = createWriteStream(join(dir, 'log', 'stdout.log'), { flags: 'a' });
      const c = spawn(join(scripts, 'rabbitmq-server'), [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      for (const s of [c.stdout!, c.stderr!]) s.on('data', (d: Buffer) => { log.write(d); output.push(d.toString()); if (output.length > 50) output.shift(); });
      let gone = false;
      exited = new Promise((resolve) => c.once('exit', () => { gone = true; log.end(); resolve(); }));
      const until = Date.now() + 90_000;
      for (;;) {
        if (gone) throw new Error(`RabbitMQ node ${nodeName} exited during start-up:\n${output.join('').slice(-3000)}`);
        try {
          const conn = await amqp.connect(url);
          await conn.close();
          return;
        } catch {
          if (Date.now() > until) throw new Error(`RabbitMQ node ${nodeName} did not accept AMQP on ${port} within 90 s:\n${output.join('').slice(-3000)}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await self.ctl(['stop']).catch(() => child?.kill('SIGTERM'));
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref());
      if ((await Promise.race([exited, timeout])) === 'timeout') kill();
      await exited;
    },
    async ctl(args) {
      const { stdout } = await run(join(scripts, 'rabbitmqctl'), ['-n', nodeName, ...args], { env, timeout: 60_000 });
      return stdout;
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await self.stop().catch(() => undefined);
      process.off('exit', killAndRemove);
      killAndRemove();
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
