/**
 * Renders the admin API's explain and upcoming answers as plain text for a terminal: short
 * sections, aligned tables, and one summary line at the end. Pure (string in, string out).
 */
import type { PersonExplanation, HistoryEntry, SourcesExplanation } from '../../features/explain/explainPerson.ts';
import type { UpcomingReport } from '../../features/explain/upcomingReport.ts';
import type { DfoResponseLink } from '../../topology/contracts/messages.ts';
import type { RawEventLink } from '../../features/explain/rawEvent.ts';

/** Left-aligned columns, two spaces apart; the last column is not padded. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The full explain report, ending with one summary line. */
export function renderExplanation(x: PersonExplanation): string {
  const out: string[] = [];
  const p = x.person;
  const dfo = p.knownToDfo ? `known to DFØ, eksternbruker ${p.externalUser ? 'yes' : 'no'}` : 'not known to DFØ';
  out.push(`Person    ${p.employeeId} ${p.displayName ?? '(no name)'} (${dfo}; found by ${x.resolvedBy})`);
  const a = x.account;
  out.push(a
    ? `Account   ${a.userName}  ${a.active ? 'active' : 'BLOCKED'}  id ${a.id}  version ${a.version}  employeeNumber ${a.employeeNumber ?? '-'}`
    : 'Account   none');
  out.push(`Policy    ${describePolicy(x.policy)}`);
  out.push('');
  const onDay = x.at === x.today ? `${x.at} (today)` : `${x.at} (asked for; today is ${x.today})`;
  const countsCol = x.at === x.today ? 'COUNTS TODAY' : `COUNTS ${x.at}`;
  out.push(`Affiliations on ${onDay}`);
  if (x.evaluation.affiliations.length === 0) out.push('  none stored');
  else {
    const rows = x.evaluation.affiliations.map((f) => [f.positionId, f.startDate ?? 'open', f.endDate ?? 'open', f.countsFrom ?? 'open', f.countsUntil ?? 'open', f.counts ? 'yes' : `no (${f.standing})`]);
    out.push(...table(['POSITION', 'START', 'END', 'COUNTS FROM', 'COUNTS UNTIL', countsCol], rows).map((l) => `  ${l}`));
    for (const f of x.evaluation.affiliations) out.push(`  - ${f.why}`);
  }
  if (x.sources) out.push('', ...renderSources(x.sources, onDay));
  out.push('');
  const verb = x.at === x.today ? 'the rules say' : 'the rules would say';
  out.push(`Decision on ${x.at}: ${verb} ${x.evaluation.outcome} (rule ${x.evaluation.rule}, policy ${x.evaluation.policyVersion})`);
  out.push(`  ${x.evaluation.detail}`);
  out.push('');
  const c = x.current;
  out.push(c ? `Current decision (${c.at}): ${c.decision} (rule ${c.rule}, policy ${c.policyVersion})` : 'Current decision: none on record');
  if (c) out.push(`  ${c.detail}`);
  out.push('');
  out.push(`History (${x.history.length} of ${x.historyTotal} decisions, newest first)`);
  for (const h of x.history) out.push(...renderHistoryEntry(h).map((l) => `  ${l}`));
  if (x.unreadableAuditRecords > 0) out.push(`  (${x.unreadableAuditRecords} unreadable audit records skipped)`);
  if (x.upcoming.length > 0) {
    out.push('');
    out.push('Upcoming');
    for (const u of x.upcoming) out.push(`  ${u.day}  ${u.change}  (${u.rule}) ${u.why}`);
  }
  out.push('');
  out.push(explainSummary(x));
  return `${out.join('\n')}\n`;
}

/** One decision and its links, several lines. */
/** Which source gave which affiliation, the profiles behind them, the sponsor and the directory standing. */
export function renderSources(s: SourcesExplanation, onDay: string): string[] {
  const out = [`From publishers on ${onDay}`];
  if (s.affiliations.length === 0) out.push('  no affiliation');
  for (const a of s.affiliations) out.push(`  ${a.kind.padEnd(8)} ${a.id.padEnd(10)} ${a.startDate ?? 'open'}..${a.endDate ?? 'open'}  from ${a.source}  ${a.counts ? 'counts' : `does not count: ${a.why}`}`);
  for (const p of s.profiles) out.push(`  profile  ${p.publisher} ${p.sourceId}, message ${p.messageId}, received ${p.receivedAt}`);
  if (s.sponsor) out.push(`  sponsor  ${s.sponsor.employeeId} (${s.sponsor.active ? 'an active employee' : 'not an active employee'})`);
  if (s.sponsoring.length) out.push(`  sponsors ${s.sponsoring.join(', ')}`);
  if (s.directory) out.push(`  directory ${s.directory.status === 'owner' ? 'owns its nin' : s.directory.status === 'merged' ? `the DFØ side of ${s.directory.into}` : `its nin belongs to ${s.directory.with} (kept apart)`}`);
  if (s.dfoSide) out.push(`  DFØ side ${s.dfoSide}`);
  out.push('  (the decision below weighs DFØ\'s affiliations; the account step weighs these too: see the current decision)');
  return out;
}

export function renderHistoryEntry(h: HistoryEntry): string[] {
  const lines = [`${h.at}  ${h.decision}  rule ${h.rule}  policy ${h.policyVersion}  (today ${h.today})`, `    ${h.detail}`];
  const cause = h.cause;
  const describe = (c: Pick<HistoryEntry['cause'], 'kind' | 'id' | 'amqpMessageId'>) => `${c.kind} ${c.id}${c.amqpMessageId ? `  AMQP message id ${c.amqpMessageId}` : ''}`;
  lines.push(`    cause       ${describe(cause)}`);
  if (cause.replayOf) lines.push(`    replayed    by reprocess${cause.replayRun ? ` ${cause.replayRun}` : ''}, from ${cause.replayOf.topic}[${cause.replayOf.partition}]@${cause.replayOf.offset}`);
  if (h.rawEvent) lines.push(`    raw event   ${renderRaw(h.rawEvent)}`);
  if (cause.via) {
    lines.push(`    claimed on  ${describe(cause.via)}`);
    if (h.viaRawEvent) lines.push(`    raw event   ${renderRaw(h.viaRawEvent)}`);
  }
  for (const d of h.dfoResponses) lines.push(`    DFØ         ${summariseDfoResponse(d)}`);
  if (h.notify) lines.push(`    notify      ${h.notify.type} ${h.notify.eventId}${h.notify.attributes ? ` [${h.notify.attributes.join(', ')}]` : ''}`);
  return lines;
}

/** The last line of the explain report. */
export function explainSummary(x: PersonExplanation): string {
  const who = `${x.person.employeeId} ${x.person.displayName ?? ''}`.trim();
  const has = x.account ? `has ${x.account.active ? 'an active' : 'a blocked'} account ${x.account.userName}` : 'has no account';
  const day = x.at === x.today ? 'today the rules say' : `on ${x.at} the rules would say`;
  return `explain: ${who} ${has}; ${day} ${x.evaluation.outcome} (${x.evaluation.rule}); ${x.historyTotal} decision${x.historyTotal === 1 ? '' : 's'} on record`;
}

/** 'stillinger 30000001: Stilling 30000001, 3 holders', 'ansatte 100001: Kari Nordmann', or '… gone (IKKE ANSATT)'. */
export function summariseDfoResponse(d: DfoResponseLink): string {
  const r = d.response as Record<string, unknown> | null;
  if (r && typeof r === 'object' && 'gone' in r) return `${d.resource} ${d.id}: gone (${String(r.gone)})`;
  if (!r || typeof r !== 'object') return `${d.resource} ${d.id}: (no response stored)`;
  if (d.resource === 'stillinger') {
    const holders = [r.innehaver ?? []].flat().length;
    const name = r.stillingsnavn ?? r.stillingstittel;
    return `${d.resource} ${d.id}: ${name ? `${String(name)}, ` : ''}${holders} holder${holders === 1 ? '' : 's'}`;
  }
  const name = [r.fornavn, r.etternavn].filter((v) => typeof v === 'string').join(' ');
  const until = typeof r.sluttdato === 'string' ? `, employed until ${r.sluttdato}` : '';
  return `${d.resource} ${d.id}: ${name || '(no name)'}${r.eksternbruker === false ? ', not eksternbruker' : ''}${until}`;
}

function renderRaw(r: RawEventLink): string {
  const at = `${r.topic}[${r.partition}]@${r.offset}`;
  if (!r.found) return `${at}  (not shown: ${r.reason})`;
  return `${at}  key ${r.key ?? '-'}  written ${r.timestamp}`;
}

function describePolicy(p: PersonExplanation['policy']): string {
  const parts = [
    p.startOffsetDays > 0 ? `starts ${p.startOffsetDays} days early` : 'starts on the start date',
    p.endGraceDays > 0 ? `${p.endGraceDays} days' grace` : 'ends on the end date',
    p.requireExternalUser ? 'eksternbruker required' : 'eksternbruker not required',
    `ignores positions ${p.ignoredPositionIds.join(', ') || '(none)'}`,
  ];
  return `${p.version}: ${parts.join(', ')}`;
}

/** The upcoming report as a table, ending with one summary line. */
export function renderUpcoming(r: UpcomingReport): string {
  const out = [`Upcoming account changes ${r.today} .. ${r.until} (${r.days} days, policy ${r.policyVersion})`];
  if (r.changes.length === 0) out.push('  nothing will be created, blocked or reactivated');
  else {
    const rows = r.changes.map((c) => [c.day, c.change, c.employeeId, c.displayName ?? '-', c.userName ?? '-', c.why]);
    out.push(...table(['DAY', 'CHANGE', 'EMPLOYEE', 'NAME', 'ACCOUNT', 'WHY'], rows).map((l) => `  ${l}`));
  }
  out.push('');
  out.push(upcomingSummary(r));
  return `${out.join('\n')}\n`;
}

export function upcomingSummary(r: UpcomingReport): string {
  const s = r.summary;
  return `upcoming: ${s.create} create, ${s.block} block, ${s.reactivate} reactivate in the next ${r.days} days (until ${r.until}; ${r.personsWithTimers} persons with timers)`;
}
