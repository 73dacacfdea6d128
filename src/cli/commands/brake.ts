/**
 * `iga-stream brake [list | show <group> | release <group> | discard <group>] [--json]`: the
 * mass-change brake's held groups of blocks, asked of a running instance through its admin API.
 * `release` applies a held group's blocks (each person is checked again first); `discard` drops
 * them (the accounts stay active, and the same inputs are not proposed again).
 */
import type { BrakeGroupView } from '../../features/brake/brakeAdmin.ts';
import type { BrakeActionResult, BrakeList } from '../../features/brake/routes.ts';
import { AdminClient } from './adminClient.ts';
import { parseCommandArgs } from './args.ts';
import { CliError } from './cliError.ts';

const USAGE = 'iga-stream brake [list | show <group> | release <group> | discard <group>] [--json] [--admin-url URL] [--token TOKEN]';

export async function brakeCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, 'admin-url': { type: 'string' }, token: { type: 'string' } }, USAGE, true);
  const [action = 'list', group, ...rest] = positionals;
  if (rest.length > 0) throw new CliError(`too many arguments\nusage: ${USAGE}`, 2);
  const needsGroup = action === 'show' || action === 'release' || action === 'discard';
  if (action !== 'list' && !needsGroup) throw new CliError(`unknown brake action '${action}'\nusage: ${USAGE}`, 2);
  if (needsGroup && (group === undefined || !/^[1-9]\d*$/.test(group))) throw new CliError(`brake ${action} needs a group number (see iga-stream brake list)\nusage: ${USAGE}`, 2);
  if (!needsGroup && group !== undefined) throw new CliError(`brake list takes no group\nusage: ${USAGE}`, 2);
  const client = new AdminClient({ url: values['admin-url'], token: values.token });
  const out = (text: string, json: unknown) => process.stdout.write(values.json ? `${JSON.stringify(json, null, 2)}\n` : text);
  if (action === 'list') {
    const list = await client.get<BrakeList>('/brake');
    out(renderBrakeList(list), list);
    return;
  }
  if (action === 'show') {
    const g = await client.get<BrakeGroupView>(`/brake/${group}`);
    out(renderGroup(g, true), g);
    return;
  }
  const r = await client.post<BrakeActionResult>(`/brake/${group}/${action}`);
  const text = r.applied
    ? `brake: group ${r.group} ${r.action} (${r.blocks} block${r.blocks === 1 ? '' : 's'}); ${r.action === 'released' ? 'the accounts are blocked as the rules still call for it' : 'the accounts stay as they are'}\n`
    : `brake: ${action} of group ${r.group} sent, but the brake has not taken it yet; check again with iga-stream brake list\n`;
  out(text, r);
}

/** The list as text: limits, held groups with their members, groups still collecting, and a summary line. */
export function renderBrakeList(l: BrakeList): string {
  const lim = l.limits;
  const lines = [
    `Limits    more than ${lim.maxBlocks || 'any'} blocks, or more than ${(lim.maxShare * 100).toFixed(1)}% of active accounts (groups above ${lim.minBlocks}), per cause and per ${Math.round(lim.windowMs / 60_000)} min window; settle ${lim.settleMs} ms`,
    `Accounts  ${l.activeAccounts ?? 'unknown'} active; ${l.approvedInWindow} blocks approved in the window`,
    '',
  ];
  if (l.pending.length === 0) lines.push('No blocks are held.');
  for (const g of l.pending) lines.push(renderGroup(g, false).trimEnd());
  for (const g of l.collecting) lines.push(`Group ${g.id}  collecting  ${g.size} block(s) from ${g.causeKey}`);
  const blocks = l.pending.reduce((n, g) => n + g.size, 0);
  lines.push('', `brake: ${l.pending.length} group${l.pending.length === 1 ? '' : 's'} held (${blocks} block${blocks === 1 ? '' : 's'}), ${l.collecting.length} collecting${l.pending.length ? '; release or discard with iga-stream brake release|discard <group>' : ''}`);
  return `${lines.join('\n')}\n`;
}

function renderGroup(g: BrakeGroupView, all: boolean): string {
  const cause = `${g.cause.kind} ${g.cause.id}${g.cause.amqpMessageId ? `  AMQP message id ${g.cause.amqpMessageId}` : ''}`;
  const lines = [
    `Group ${g.id}  ${g.status === 'pending' ? 'HELD' : 'collecting'}  ${g.size} block${g.size === 1 ? '' : 's'}  since ${g.heldAt ?? g.openedAt}`,
    `  cause   ${cause}  (${g.causeKey})`,
    ...(g.reason ? [`  why     ${g.reason}`] : []),
  ];
  const shown = all ? g.members : g.members.slice(0, 10);
  for (const m of shown) lines.push(`  block   ${m.employeeId.padEnd(8)}  ${m.userName}  ${m.accountId}`);
  if (shown.length < g.members.length) lines.push(`  … and ${g.members.length - shown.length} more (iga-stream brake show ${g.id})`);
  return `${lines.join('\n')}\n`;
}
