/**
 * Runs the DFØ simulator standalone and prints its base URL on stdout:
 *   node tools/dfo-simulator/main.ts --port 8090 --employees 300 --positions 250 \
 *     [--seed 1] [--today YYYY-MM-DD] [--prefix /dfo] [--api-key KEY] [--auth-header NAME] \
 *     [--amqp-url amqp://guest:guest@127.0.0.1:5672] [--exchange ex_from_dfo] [--quirks 0.3]
 * `--quirks p` turns every quirk on with probability p per response (0 = none, the default).
 * Stops cleanly on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { rootLogger } from '../../src/common/log.ts';
import { generateUniversity } from './dataset.ts';
import { randomQuirks } from './quirks.ts';
import { osloToday, systemClock } from '../../src/iga/clock.ts';
import { startDfoSimulator } from './server.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8090' },
    host: { type: 'string', default: '127.0.0.1' },
    prefix: { type: 'string', default: '/dfo' },
    employees: { type: 'string', default: '300' },
    positions: { type: 'string' },
    seed: { type: 'string', default: '1' },
    today: { type: 'string' },
    'api-key': { type: 'string' },
    'auth-header': { type: 'string', default: 'X-Gravitee-Api-Key' },
    'amqp-url': { type: 'string' },
    exchange: { type: 'string', default: 'ex_from_dfo' },
    quirks: { type: 'string', default: '0' },
  },
  strict: true,
});

function int(name: string, text: string | undefined, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${text}`);
  return n;
}

const employees = int('employees', values.employees, 0);
const positions = values.positions === undefined ? Math.max(1, Math.ceil(employees * 0.8)) : int('positions', values.positions, 1);
const seed = int('seed', values.seed, 0);
const today = values.today ?? osloToday(systemClock);
const quirkShare = Number(values.quirks);
if (!(quirkShare >= 0 && quirkShare <= 1)) throw new Error(`--quirks must be a probability in [0, 1], got ${values.quirks}`);

const sim = await startDfoSimulator({
  port: int('port', values.port, 0),
  host: values.host,
  pathPrefix: values.prefix,
  ...(values['api-key'] ? { apiKey: values['api-key'] } : {}),
  authHeader: values['auth-header'],
  ...(values['amqp-url'] ? { amqp: { url: values['amqp-url'], exchange: values.exchange } } : {}),
  seed,
  dataset: generateUniversity({ seed, employees, positions, today }),
  ...(quirkShare > 0 ? { quirks: randomQuirks(quirkShare) } : {}),
});
process.stdout.write(`${sim.url}\n`);

const stop = (signal: string) => {
  rootLogger.info({ signal }, 'stopping DFØ simulator');
  sim.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', () => stop('SIGINT'));
process.once('SIGTERM', () => stop('SIGTERM'));
