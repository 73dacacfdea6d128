/**
 * `iga-stream matches [list | show <messageId> | release <messageId> (--to <person> | --new)] [--json]`:
 * published profiles the person directory holds for an operator (their match is ambiguous), asked of
 * a running instance through its admin API. `release` sends the profile to the chosen person (one of
 * the candidates, or any person key) or to a new person; the operator's client is recorded.
 */
import type { HeldMatchView } from '../../features/matches/matchesAdmin.ts';
import type { MatchesList, MatchReleaseResult } from '../../features/matches/routes.ts';
import { AdminClient } from './adminClient.ts';
import { parseCommandArgs } from './args.ts';
import { CliError } from './cliError.ts';

const USAGE = 'iga-stream matches [list | show <messageId> | release <messageId> (--to <person> | --new)] [--json] [--admin-url URL] [--token TOKEN]';

export async function matchesCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, {
    json: { type: 'boolean' }, to: { type: 'string' }, new: { type: 'boolean' }, 'admin-url': { type: 'string' }, token: { type: 'string' },
  }, USAGE, true);
  const [action = 'list', messageId, ...rest] = positionals;
  if (rest.length > 0) throw new CliError(`too many arguments\nusage: ${USAGE}`, 2);
  if (!['list', 'show', 'release'].includes(action)) throw new CliError(`unknown matches action '${action}'\nusage: ${USAGE}`, 2);
  if (action !== 'list' && messageId === undefined) throw new CliError(`matches ${action} needs a message id (see iga-stream matches list)\nusage: ${USAGE}`, 2);
  if (action === 'list' && messageId !== undefined) throw new CliError(`matches list takes no message id\nusage: ${USAGE}`, 2);
  if (action === 'release' && (values.to === undefined) === (values.new !== true)) throw new CliError(`matches release needs exactly one of --to <person> and --new\nusage: ${USAGE}`, 2);
  const client = new AdminClient({ url: values['admin-url'], token: values.token });
  const out = (text: string, json: unknown) => process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : text);
  if (action === 'list') {
    const list = await client.get<MatchesList>('/matches');
    out(renderMatches(list), list);
    return;
  }
  const path = `/matches/${encodeURIComponent(messageId!)}`;
  if (action === 'show') {
    const h = await client.get<HeldMatchView>(path);
    out(renderHeld(h), h);
    return;
  }
  const r = await client.post<MatchReleaseResult>(`${path}/release`, values.new ? { newPerson: true } : { person: values.to });
  const who = r.newPerson ? 'a new person' : `person ${r.person}`;
  out(r.applied ? `matches: ${r.messageId} released to ${who}\n` : `matches: release of ${r.messageId} to ${who} sent, but the directory has not taken it yet; check again with iga-stream matches list\n`, r);
}

/** The held profiles as text, and a summary line. */
export function renderMatches(l: MatchesList): string {
  const lines = l.held.length === 0 ? ['No profiles are held.'] : l.held.map((h) => renderHeld(h).trimEnd());
  lines.push('', `matches: ${l.held.length} profile${l.held.length === 1 ? '' : 's'} held${l.held.length ? '; release with iga-stream matches release <messageId> --to <person> | --new' : ''}`);
  return `${lines.join('\n')}\n`;
}

function renderHeld(h: HeldMatchView): string {
  return [
    `${h.messageId}  HELD since ${h.heldAt}  from ${h.publisher} (source id ${h.sourceId}, matched by ${h.by})`,
    `  why         ${h.reason}`,
    `  candidates  ${h.candidates.length ? h.candidates.join(', ') : 'none (release to a person, or as a new person)'}`,
  ].join('\n') + '\n';
}
