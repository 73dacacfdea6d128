/**
 * `iga-stream demo`: the local demo. Starts the DFØ simulator with a sample university, the
 * service on the local Kafka and RabbitMQ, publishes a DFØ notification for every position,
 * shows progress, then lets some employments end (HR changes) and ends with a summary and a curl
 * line. Keeps serving SCIM until Ctrl-C when run in a terminal (or `--serve`), else exits.
 */
import amqp from 'amqplib';
import { startDfoSimulator } from '../../connectors/dfo-simulator/index.ts';
import { FIRST_EMPLOYEE_ID, generateUniversity } from '../../connectors/dfo-simulator/dataset.ts';
import { loadConfig, topicNames } from '../config.ts';
import { osloDate } from '../iga/clock.ts';
import { rootLogger } from '../log.ts';
import { startService } from '../app/service.ts';
import { installShutdown, loadPolicy } from './run.ts';
import { streamsMetrics } from '../streams/internals/metrics.ts';

const out = (s: string) => process.stdout.write(s);

export async function demoCommand(args: string[]): Promise<void> {
  const employees = Number(argValue(args, '--employees') ?? 300);
  const positions = Number(argValue(args, '--positions') ?? Math.max(1, Math.round(employees * 0.8)));
  rootLogger.level = process.env.IGA_LOG_LEVEL ?? 'warn';
  const today = osloDate(new Date());
  const uni = generateUniversity({ seed: 2026, employees, positions, today });
  const token = 'demo-token-0123456789';
  const adminToken = 'demo-admin-token-0123456789';
  const env = {
    IGA_APP_ID: `iga-demo-${Date.now().toString(36)}`, IGA_STATE_DIR: '.state/demo', IGA_SCIM_TOKENS: `demo:${token}`, IGA_ADMIN_TOKENS: `demo-ops:${adminToken}`,
    IGA_SCIM_HOST: '127.0.0.1', IGA_DFO_API_URL: 'http://127.0.0.1:8090/dfo', IGA_INSTITUTION: 'demo', IGA_EMAIL_DOMAIN: 'demo.uib.no',
    IGA_PUNCTUATE_INTERVAL_MS: '1000', IGA_BRAKE_SETTLE_MS: '1000', ...process.env,
  };
  const config = loadConfig(env);
  const policy = loadPolicy(env);
  const sim = await startDfoSimulator({ port: 8090, dataset: uni, amqp: { url: config.amqp.url, exchange: config.amqp.exchangeIn } });
  out(`DFØ simulator: ${sim.url} — ${uni.employees.length} employees, ${uni.positions.length} positions\n`);
  // A queue of ours on the out exchange, so the demo can count the notify events that leave.
  const conn = await amqp.connect(config.amqp.url);
  const ch = await conn.createChannel();
  await ch.assertExchange(config.amqp.exchangeOut, 'topic', { durable: true });
  const q = await ch.assertQueue(`${config.appId}.demo-notify`, { durable: false, autoDelete: true });
  await ch.bindQueue(q.queue, config.amqp.exchangeOut, '#');
  const counts = { CREATE: 0, MODIFY: 0, blocked: 0 };
  await ch.consume(q.queue, (m) => {
    if (!m) return;
    const e = JSON.parse(m.content.toString()) as { type: 'CREATE' | 'MODIFY'; attributes?: string[] };
    counts[e.type]++;
    ch.ack(m);
  });
  const service = await startService({ config, policy });
  await service.ready;
  // The raw-event step: the sub-topology that reads the raw DFØ topic (its metrics label).
  const rawStep = service.streams.subTopologyOf(topicNames(config.appId).raw);
  if (rawStep === undefined) throw new Error(`no sub-topology reads ${topicNames(config.appId).raw}`);
  const rawProcessed = (appId: string) => processed(appId, String(rawStep));
  out(`iga-stream: SCIM ${service.scimUrl}, admin ${service.adminUrl}\n`);

  out(`publishing ${uni.positions.length} DFØ position notifications to ${config.amqp.exchangeIn}\n`);
  const rawBefore = await rawProcessed(config.appId);
  for (const p of uni.positions) await sim.publish('stillinger', String((p as { id: string | number }).id));
  await waitForQuiet(() => counts.CREATE + counts.MODIFY, service, 'initial load', config.appId, () => rawProcessed(config.appId), rawBefore + uni.positions.length);
  const activeBefore = [...service.index.values()].filter((a) => a.active).length;

  // HR changes: every 10th position loses its holders today; their accounts are blocked if nothing else holds them.
  const yesterday = osloDate(new Date(Date.now() - 86_400_000));
  const ended = uni.positions.filter((_, i) => i % 10 === 0);
  out(`HR change: ending the holders of ${ended.length} positions as of ${yesterday}\n`);
  const rawBeforeHr = await rawProcessed(config.appId);
  for (const p of ended) {
    const raw = p as { id: string | number; innehaver?: Array<Record<string, unknown>> };
    const holders = [raw.innehaver ?? []].flat().map((h) => ({ ...h, innehaverSluttdato: yesterday }));
    await sim.upsertPosition({ ...raw, innehaver: holders }, { notify: true });
  }
  await waitForQuiet(() => counts.CREATE + counts.MODIFY, service, 'HR changes', config.appId, () => rawProcessed(config.appId), rawBeforeHr + ended.length);

  // A hire whose DFØ notification was lost: DFØ has the data, iga-stream never heard of it.
  // `iga-stream reconcile` (printed below) finds it by comparing DFØ's collections with the stores.
  const missed = unannouncedHire(uni, today);
  await sim.upsertEmployee(missed.employee);
  await sim.upsertPosition(missed.position);
  out(`unannounced hire: employee ${missed.employeeId} in position ${missed.positionId} (no notification sent)\n`);
  const accounts = [...service.index.values()];
  const blocked = accounts.filter((a) => !a.active).length;
  const sample = accounts.find((a) => a.active) ?? accounts[0];
  out('\n=== iga-stream demo summary ===\n');
  out(`employees in DFØ:        ${uni.employees.length}\n`);
  out(`positions in DFØ:        ${uni.positions.length}\n`);
  out(`accounts created:        ${accounts.length}\n`);
  out(`accounts active:         ${accounts.length - blocked} (before the HR change: ${activeBefore})\n`);
  out(`accounts blocked:        ${blocked}\n`);
  out(`notify events sent:      ${counts.CREATE + counts.MODIFY} (CREATE ${counts.CREATE}, MODIFY ${counts.MODIFY}) on ${config.amqp.exchangeOut}\n`);
  const brake = await heldByBrake(service.adminUrl, adminToken);
  if (brake) out(`blocks held by the brake: ${brake.blocks} in ${brake.groups} group(s) (mass-change brake; iga-stream brake list)\n`);
  if (sample) {
    out(`\ntry:\n  curl -s -H 'Authorization: Bearer ${token}' '${service.scimUrl}/Users?userName=${sample.userName}'\n`);
    out(`  curl -s -H 'Authorization: Bearer ${token}' '${service.scimUrl}/Users?filter=active%20eq%20false&count=5'\n`);
    // Why does this person have (or not have) an account, and what will change next week?
    const blockedOne = accounts.find((a) => !a.active) ?? sample;
    const cli = `IGA_ADMIN_URL=${service.adminUrl} IGA_ADMIN_TOKEN=${adminToken} node src/cli.ts`;
    out(`\nexplain and upcoming (admin API, while the demo serves):\n`);
    out(`  ${cli} explain ${blockedOne.userName.split('@')[0]}\n`);
    out(`  ${cli} explain ${sample.personId} --at ${osloDate(new Date(Date.now() + 30 * 86_400_000))}\n`);
    out(`  ${cli} upcoming --days 7\n`);
    out(`  ${cli} brake list\n`);
    out(`\ndid we miss an event? (employee ${missed.employeeId} was hired without a notification)\n`);
    out(`  ${cli} reconcile --dry-run\n`);
    out(`  ${cli} reconcile\n`);
    out(`  ${cli} explain ${missed.employeeId}\n`);
    out(`  curl -s -H 'Authorization: Bearer ${adminToken}' '${service.adminUrl}/admin/explain/${blockedOne.userName}'\n`);
  }
  const close = async () => { await service.close(); await ch.close().catch(() => undefined); await conn.close().catch(() => undefined); await sim.close(); };
  if (process.stdin.isTTY || args.includes('--serve')) {
    out('\nserving SCIM and the admin API until Ctrl-C\n');
    installShutdown(close);
    return;
  }
  out('\nstopping: not a terminal and no --serve (run `npm run demo -- --serve` to try the commands above)\n');
  await close();
  process.exit(0);
}

/**
 * Waits until the raw-event step has read at least `rawTarget` records (every notification just
 * published reached the topology), then until the notify events and the records processed stayed
 * the same for 4 s (the person, account and brake steps are done too).
 */
async function waitForQuiet(count: () => number, service: { index: { size: number } }, what: string, appId: string, rawProcessed: () => Promise<number>, rawTarget: number): Promise<void> {
  let last = '';
  let stableFor = 0;
  const started = Date.now();
  while (stableFor < 4000) {
    await new Promise((r) => setTimeout(r, 500));
    const n = count();
    const raw = await rawProcessed();
    const now = `${n}/${await allProcessed(appId)}`;
    stableFor = raw >= rawTarget && now === last ? stableFor + 500 : 0;
    last = now;
    out(`\r  ${what}: ${n} notify events, ${service.index.size} accounts, ${((Date.now() - started) / 1000).toFixed(0)} s   `);
    if (Date.now() - started > 300_000) throw new Error(`${what} did not settle within 5 minutes`);
  }
  out('\n');
}

/** Input records processed by this app's sub-topology `only`, or by all. */
async function processed(appId: string, only?: string): Promise<number> {
  const { values } = await streamsMetrics.processed.get();
  return values.filter((v) => v.labels.app === appId && (only === undefined || String(v.labels.subtopology) === only)).reduce((n, v) => n + v.value, 0);
}
const allProcessed = (appId: string) => processed(appId);

/** Blocks the mass-change brake holds, from the admin API (null if it does not answer). */
async function heldByBrake(adminUrl: string | null, token: string): Promise<{ groups: number; blocks: number } | null> {
  if (!adminUrl) return null;
  const res = await fetch(`${adminUrl}/admin/brake`, { headers: { authorization: `Bearer ${token}` } }).catch(() => null);
  if (!res?.ok) return null;
  const list = (await res.json()) as { pending: Array<{ size: number }> };
  return { groups: list.pending.length, blocks: list.pending.reduce((n, g) => n + g.size, 0) };
}

/** A new employee holding the second position from today, with DFØ's data only (never announced). */
function unannouncedHire(uni: ReturnType<typeof generateUniversity>, today: string) {
  const employeeId = String(FIRST_EMPLOYEE_ID + uni.employees.length);
  const base = uni.positions[1 % uni.positions.length] as { id: string | number; innehaver?: unknown };
  const positionId = String(base.id);
  const holder = { innehaverAnsattnr: employeeId.padStart(8, '0'), innehaverStartdato: today, innehaverSluttdato: '9999-12-31' };
  const employee = {
    id: employeeId.padStart(8, '0'), fornavn: 'Nora', etternavn: 'Uvarslet', fnr: '01019012345', fdato: '1990-01-01', kjonn: 'F',
    medarbeidergruppe: '1', medarbeiderundergruppe: '01', startdato: today, sluttdato: '9999-12-31', stillingId: Number(positionId), eksternbruker: true,
  };
  return { employeeId, positionId, employee, position: { ...base, innehaver: [base.innehaver ?? []].flat().concat(holder) } };
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
