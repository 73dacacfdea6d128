#!/usr/bin/env node
/**
 * iga-stream command line.
 *   run                 the service (production mode; configuration from IGA_* variables)
 *   demo [--employees N] [--serve]   the local demo (see README)
 */
import { ConfigError } from './config.ts';

const [command = 'run', ...args] = process.argv.slice(2);

async function main(): Promise<void> {
  switch (command) {
    case 'run':
      return (await import('./commands/run.ts')).runCommand();
    case 'demo':
      return (await import('./commands/demo.ts')).demoCommand(args);
    case 'help':
    case '--help':
      process.stdout.write('usage: iga-stream run | demo [--employees N] [--serve]\n');
      return;
    default:
      throw new Error(`unknown command '${command}' (try: run, demo)`);
  }
}

main().catch((err) => {
  if (err instanceof ConfigError) process.stderr.write(`iga-stream: ${err.message}\n`);
  else process.stderr.write(`iga-stream: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
