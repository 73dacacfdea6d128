/**
 * `iga-stream explain <who> [--at YYYY-MM-DD] [--history N] [--json]`: why a person has (or does
 * not have) an account, asked of a running instance through its admin API. `who` is an employee
 * number (zero padding accepted), an account id or a userName. `--at` evaluates the stored
 * affiliations with the current policy on that day (no DFØ call).
 */
import type { PersonExplanation } from '../../features/explain/explainPerson.ts';
import { osloDate } from '../../iga/clock.ts';
import { AdminClient } from './adminClient.ts';
import { intOption, parseCommandArgs, timeOption } from './args.ts';
import { CliError } from './cliError.ts';
import { explainSummary, renderExplanation } from './explainReport.ts';

const USAGE = 'iga-stream explain <employee number | account id | userName> [--at YYYY-MM-DD] [--history N] [--json] [--admin-url URL] [--token TOKEN]';

export async function explainCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, {
    at: { type: 'string' }, history: { type: 'string' }, json: { type: 'boolean' },
    'admin-url': { type: 'string' }, token: { type: 'string' },
  }, USAGE, true);
  if (positionals.length !== 1) throw new CliError(`expected one person, got ${positionals.length}\nusage: ${USAGE}`, 2);
  const who = positionals[0]!;
  const query = new URLSearchParams();
  if (values.at !== undefined) query.set('at', osloDate(new Date(timeOption('at', values.at))));
  if (values.history !== undefined) query.set('history', String(intOption('history', values.history, 20, 1, 500)));
  const client = new AdminClient({ url: values['admin-url'], token: values.token });
  const qs = query.size > 0 ? `?${query}` : '';
  const x = await client.get<PersonExplanation>(`/explain/${encodeURIComponent(who)}${qs}`);
  process.stdout.write(values.json ? `${JSON.stringify(x, null, 2)}\n` : renderExplanation(x));
  if (values.json) process.stderr.write(`${explainSummary(x)}\n`);
}
