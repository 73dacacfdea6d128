/**
 * `iga-stream upcoming [--days N] [--json]`: the accounts that the date timers will create, block
 * or reactivate in the next N days (default 7), with the day and the reason, asked of a running
 * instance through its admin API.
 */
import type { UpcomingReport } from '../../features/explain/upcomingReport.ts';
import { AdminClient } from './adminClient.ts';
import { intOption, parseCommandArgs } from './args.ts';
import { renderUpcoming, upcomingSummary } from './explainReport.ts';

const USAGE = 'iga-stream upcoming [--days N] [--json] [--admin-url URL] [--token TOKEN]';

export async function upcomingCommand(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, {
    days: { type: 'string' }, json: { type: 'boolean' }, 'admin-url': { type: 'string' }, token: { type: 'string' },
  }, USAGE);
  const days = intOption('days', values.days, 7, 0, 366);
  const client = new AdminClient({ url: values['admin-url'], token: values.token });
  const r = await client.get<UpcomingReport>(`/upcoming?days=${days}`);
  process.stdout.write(values.json ? `${JSON.stringify(r, null, 2)}\n` : renderUpcoming(r));
  if (values.json) process.stderr.write(`${upcomingSummary(r)}\n`);
}
