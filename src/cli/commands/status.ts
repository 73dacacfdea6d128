/**
 * `iga-stream status [--json]`: each instance's status (GET /admin/status) in a few lines, and an
 * exit code for scripts and probes: 0 when every instance asked is ready, 1 when one is not.
 */
import type { GroupProgress, InstanceStatus } from '../../features/status/status.ts';
import { adminClients } from './adminClient.ts';
import { parseCommandArgs } from './args.ts';
import { CliError } from './cliError.ts';

const USAGE = 'iga-stream status [--json] [--admin-url URL[,URL...]] [--token TOKEN]';

export async function statusCommand(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, { json: { type: 'boolean' }, 'admin-url': { type: 'string' }, token: { type: 'string' } }, USAGE);
  const answers: Array<InstanceStatus & { url: string }> = [];
  for (const c of adminClients(values['admin-url'], values.token)) answers.push({ url: c.url, ...(await c.get<InstanceStatus>('/status')) });
  process.stdout.write(values.json ? `${JSON.stringify(answers, null, 2)}\n` : answers.map(renderStatus).join('\n'));
  const notReady = answers.filter((a) => !a.ready);
  if (notReady.length > 0) throw new CliError(`status: not ready: ${notReady.map((a) => `${a.instance} (${Object.entries(a.parts).filter(([, ok]) => !ok).map(([p]) => p).join(', ')})`).join('; ')}`);
}

const duration = (s: number) => (s < 120 ? `${s} s` : s < 7200 ? `${Math.floor(s / 60)} min` : s < 172_800 ? `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min` : `${Math.floor(s / 86_400)} days`);

function progress(p: GroupProgress | null): string {
  if (!p) return 'not running here';
  if (p.caughtUp) return `caught up (group ${p.group})`;
  return `${p.behind} offsets behind (group ${p.group}): ${p.lagging.map((l) => `${l.topic} ${l.behind}`).join(', ')}`;
}

const counts = (o: Record<string, number | boolean | string | null> | null, keys: string[]) =>
  o === null ? 'off' : `${o.connected === false ? 'DISCONNECTED' : 'connected'}${o.stalled === true ? ` but STALLED (${String(o.stalledReason)})` : ''}: ${keys.map((k) => `${o[k] ?? 0} ${k.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)}`).join(', ')}`;

/** A few lines per instance, the worst news first on its line. */
export function renderStatus(s: InstanceStatus & { url?: string }): string {
  const out: string[] = [];
  const notReady = Object.entries(s.parts).filter(([, ok]) => !ok).map(([p]) => p);
  out.push(`Instance ${s.instance}${s.url ? ` (${s.url})` : ''}, app ${s.app}, up ${duration(s.uptimeSeconds)}: ${s.ready ? 'READY' : `NOT READY (${notReady.join(', ')})`}`);
  out.push(`  streams     ${s.streams.state}, ${s.streams.tasks.length} tasks${s.streams.tasks.length > 0 ? `: ${s.streams.tasks.join(' ')}` : ''}`);
  out.push(`  topology    ${progress(s.progress.topology)}`);
  out.push(`  notify      ${progress(s.progress.egress)}`);
  out.push(`  replicas    ${Object.entries(s.replicas).map(([name, r]) => `${name} ${r.ready ? 'ready' : 'CATCHING UP'}${r.records !== undefined ? ` (${r.records} records)` : ''}${r.lag ? `, ${r.lag} behind` : ''}`).join('; ')}`);
  out.push(`  ingress     ${counts(s.ingress, ['received', 'accepted', 'deadLettered', 'requeued'])}`);
  out.push(`  egress      ${counts(s.egress, ['published', 'deadLettered'])}`);
  if (s.brake) {
    out.push(`  brake       ${s.brake.heldGroups > 0 ? `${s.brake.heldGroups} group(s) HELD (${s.brake.heldBlocks} blocks): iga-stream brake list` : 'nothing held'}${s.brake.collectingGroups > 0 ? `, ${s.brake.collectingGroups} collecting` : ''}`);
  }
  if (s.drivers && Object.keys(s.drivers).length > 0) {
    const each = Object.entries(s.drivers).map(([name, d]) => `${name} ${d.retrying > 0 ? `WAITING for its destination (${d.lastError ?? 'unavailable'})` : 'flowing'}: ${d.applied} applied, ${d.unchanged} unchanged, ${d.failed} failed`);
    out.push(`  drivers     ${each.join('; ')}${Object.values(s.drivers).some((d) => d.failed > 0) ? ' (iga-stream drivers)' : ''}`);
  }
  if (s.reconcile) {
    const l = s.reconcile.last;
    out.push(`  reconcile   ${l ? `last run ${l.runId} (${l.trigger}) ended ${l.endedAt}: ${l.outcome}, ${l.drift} drift(s)` : 'no run yet'}${s.reconcile.running ? `; run ${s.reconcile.running} in progress here` : ''}`);
  }
  if (s.schemaRegistry) out.push(`  schemas     ${s.schemaRegistry.subjects.length} subjects at ${s.schemaRegistry.url} (${s.schemaRegistry.compatibility}): ${s.schemaRegistry.subjects.map((x) => `${x.subject} id ${x.schemaId}`).join(', ')}`);
  out.push(`  dead letters ${s.deadLetterOffsets === 0 ? 'none' : `${s.deadLetterOffsets} offsets in the dead-letter topic: look at them`}`);
  return `${out.join('\n')}\n`;
}
