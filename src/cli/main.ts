#!/usr/bin/env node
/**
 * iga-stream command line. Each command lives in src/commands/<name>.ts and is loaded on demand,
 * so `iga-stream help` stays fast. Exit codes: 0 done, 1 the operation failed, 2 bad usage or
 * configuration.
 */
import { ConfigError } from '../app/config.ts';
import { CliError } from './commands/cliError.ts';

interface Command { usage: string; summary: string; run: (args: string[]) => Promise<void> }

const commands: Record<string, Command> = {
  run: {
    usage: 'run',
    summary: 'run the service (configuration from IGA_* variables)',
    run: async () => (await import('./commands/run.ts')).runCommand(),
  },
  demo: {
    usage: 'demo [--employees N] [--positions N] [--serve]',
    summary: 'the whole flow on the local brokers with a sample university',
    run: async (args) => (await import('./commands/demo.ts')).demoCommand(args),
  },
  status: {
    usage: 'status [--json]',
    summary: 'is each instance ready and caught up: tasks, progress, replicas, connectors, brake, reconcile, dead letters',
    run: async (args) => (await import('./commands/status.ts')).statusCommand(args),
  },
  explain: {
    usage: 'explain <who> [--at YYYY-MM-DD] [--history N] [--json]',
    summary: 'why a person has (or lacks) an account: affiliations, decisions and their inputs',
    run: async (args) => (await import('./commands/explain.ts')).explainCommand(args),
  },
  upcoming: {
    usage: 'upcoming [--days N] [--json]',
    summary: 'accounts that will be created, blocked or reactivated in the next N days, and why',
    run: async (args) => (await import('./commands/upcoming.ts')).upcomingCommand(args),
  },
  brake: {
    usage: 'brake [list | show <group> | release <group> | discard <group>] [--json]',
    summary: 'blocks held by the mass-change brake: list them, release or discard a group',
    run: async (args) => (await import('./commands/brake.ts')).brakeCommand(args),
  },
  matches: {
    usage: 'matches [list | show <messageId> | release <messageId> (--to <person> | --new)] [--json]',
    summary: 'published profiles held because their match to a person is ambiguous: list them, release one to a person',
    run: async (args) => (await import('./commands/matches.ts')).matchesCommand(args),
  },
  reconcile: {
    usage: 'reconcile [--dry-run] [--last] [--json]',
    summary: 'compare DFØ (all employees, all positions) with the stores and repair the drift',
    run: async (args) => (await import('./commands/reconcile.ts')).reconcileCommand(args),
  },
  drivers: {
    usage: 'drivers [retry <driver> [--change <id>] | resync <driver> | drift <driver> [--dry-run]] [--json]',
    summary: 'change drivers (LDAP, identity provider): lag, failed and parked changes; re-drive them, push every account again, or find and repair drift',
    run: async (args) => (await import('./commands/drivers.ts')).driversCommand(args),
  },
  stores: {
    usage: 'stores [--json]',
    summary: 'per local task and store: records, SHA-256 of the contents, changelog offset',
    run: async (args) => (await import('./commands/replay.ts')).storesCommand(args),
  },
  rebuild: {
    usage: 'rebuild [--json] | rebuild --offline',
    summary: 'wipe the local state stores of each instance and restore them from the changelogs',
    run: async (args) => (await import('./commands/replay.ts')).rebuildCommand(args),
  },
  reprocess: {
    usage: 'reprocess --from <time> [--json]',
    summary: 'run the raw DFØ events since <time> through the topology again (no new accounts)',
    run: async (args) => (await import('./commands/replay.ts')).reprocessCommand(args),
  },
  login: {
    usage: 'login <username> --password <password> [--json]',
    summary: 'sign a person in to the Keycloak realm and print the ID token\'s claims and the userinfo answer',
    run: async (args) => (await import('./commands/login.ts')).loginCommand(args),
  },
};

const ADMIN_OPTIONS = 'Commands that ask a running instance (all but run, demo and login) also take --admin-url URL and --token TOKEN\n(default: IGA_ADMIN_URL, IGA_ADMIN_TOKEN). `iga-stream <command> --help` shows one command.';

function help(): string {
  const width = Math.max(...Object.values(commands).map((c) => c.usage.length));
  return ['usage: iga-stream <command> [options]', '', ...Object.values(commands).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`), '', ADMIN_OPTIONS, ''].join('\n');
}

/** `--help`/`-h` before any `--`: asks for help, so the command must not run (run and demo would start). */
function wantsHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

function commandHelp(name: string, c: Command): string {
  const urls = name === 'stores' || name === 'rebuild' || name === 'status' ? 'URL[,URL...]  admin API of each instance to act on' : 'URL           admin API of the instance to ask';
  const admin = name === 'run' || name === 'demo' || name === 'login' ? '' : `  --admin-url ${urls} (IGA_ADMIN_URL)\n  --token TOKEN               an admin token of that instance (IGA_ADMIN_TOKEN)`;
  return `usage: iga-stream ${c.usage}\n\n${c.summary}\n${admin ? `\n${admin}\n` : ''}`;
}

async function main(): Promise<void> {
  const [name = 'run', ...args] = process.argv.slice(2);
  if (name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(help());
    return;
  }
  const command = commands[name];
  if (!command) throw new CliError(`unknown command '${name}'\n${help()}`, 2);
  if (wantsHelp(args)) {
    process.stdout.write(commandHelp(name, command));
    return;
  }
  await command.run(args);
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`iga-stream: ${message}\n`);
  process.exit(err instanceof ConfigError ? 2 : err instanceof CliError ? err.exitCode : 1);
});
