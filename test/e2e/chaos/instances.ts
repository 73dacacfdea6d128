/**
 * Service instances as real child processes (`node src/cli/main.ts run`), so SIGKILL kills them the
 * way an orchestrator does: no close, no commit, sockets cut. Each keeps its own state folder
 * across restarts (a restarted member finds its RocksDB and checkpoint as the kill left them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const CLI = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts');

export interface Instance {
  readonly name: string;
  /** SCIM base URL of the running process (changes on restart: port 0). */
  scimUrl: string;
  adminUrl: string;
  readonly alive: boolean;
  /** Starts the process; resolves once it logged 'iga-stream started'. */
  start(): Promise<void>;
  /** Sends `signal` and resolves with the exit code/signal once the process is gone. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves at the first log line (from now on) that contains `text`. */
  nextLine(text: string): Promise<string>;
  /** Sends a signal without waiting. */
  signal(signal: NodeJS.Signals): void;
  /** The last log lines (for failure messages). */
  tail(n?: number): string;
}

export function instance(name: string, env: Record<string, string>, logDir: string): Instance {
  let child: ChildProcess | null = null;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;
  let log: WriteStream | null = null;
  const recent: string[] = [];
  let starts = 0;
  const waiters: Array<{ text: string; resolve: (line: string) => void }> = [];
  const self: Instance = {
    name, scimUrl: '', adminUrl: '',
    get alive() { return child !== null && child.exitCode === null && child.signalCode === null; },
    async start() {
      starts++;
      log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
      const c = spawn(process.execPath, [CLI, 'run'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      exited = new Promise((resolve) => c.once('exit', (code, signal) => resolve({ code, signal })));
      const out = log;
      out.write(`--- start ${starts} pid ${c.pid} ---\n`);
      const started = new Promise<void>((resolve, reject) => {
        const lines = createInterface({ input: c.stdout! });
        lines.on('line', (line) => {
          out.write(`${line}\n`);
          recent.push(line);
          if (recent.length > 200) recent.shift();
          for (const w of [...waiters]) if (line.includes(w.text)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
          if (line.includes('"iga-stream started"')) {
            const parsed = JSON.parse(line) as { scim: string; admin: string };
            self.scimUrl = parsed.scim;
            self.adminUrl = parsed.admin;
            resolve();
          }
        });
        c.stderr!.on('data', (d: Buffer) => { out.write(d); recent.push(d.toString()); });
        void exited!.then(({ code, signal }) => reject(new Error(`${name} exited during start-up (code ${code}, signal ${signal}):\n${self.tail(30)}`)));
      });
      await started;
    },
    async stop(signal) {
      if (!child || !self.alive) return (await exited) ?? { code: null, signal: null };
      child.kill(signal);
      const r = await exited!;
      log?.end();
      return r;
    },
    signal(signal) { child?.kill(signal); },
    nextLine(text) { return new Promise((resolve) => waiters.push({ text, resolve })); },
    tail(n = 40) { return recent.slice(-n).join('\n'); },
  };
  return self;
}
