/**
 * The real DFØ client and datasource against the real simulator over loopback HTTP: every quirk,
 * gone vs routing 404, retries and giving up, auth, `dato`, collections. No broker needed.
 */
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { register } from 'prom-client';
import { createDfoSource, SourceInvalid, SourceRequestRejected, SourceUnavailable, type DfoDatasource } from '../../../connectors/dfo/index.ts';
import { startDfoSimulator, type DfoSimulator } from '../../../tools/dfo-simulator/server.ts';
import { randomQuirks, type Quirks } from '../../../tools/dfo-simulator/quirks.ts';
import { generateUniversity } from '../../../tools/dfo-simulator/dataset.ts';
import { parseAnsatt, parseStilling, toEmployee, toPosition } from '../../../connectors/dfo/index.ts';

const fast = { attempts: 4, baseDelayMs: 1, maxDelayMs: 50 };
const kari = {
  id: '00100001', fornavn: 'Kari', etternavn: 'Ødegård', fnr: '01017012345', startdato: '2020-01-01', sluttdato: '9999-12-31',
  stillingId: 30000001, organisasjonId: 10000001, eksternbruker: true, annenId: [],
  tilleggsstilling: [{ stillingId: '30000002', startdato: '2021-01-01', sluttdato: '2027-12-31', dellonnsprosent: '20.00' }],
};
const radgiver = {
  id: 30000001, stillingsnavn: 'Rådgiver', stillingskode: '20001434', organisasjonId: '10000001',
  innehaver: [
    { innehaverAnsattnr: '00100001', innehaverStartdato: '2020-01-01', innehaverSluttdato: '9999-12-31' },
    { innehaverAnsattnr: '00100002', innehaverStartdato: '2018-01-01', innehaverSluttdato: '2019-12-31' },
  ],
  stillingskat: [{ stillingskatId: '50078118', stillingskatStartdato: '2020-01-01', stillingskatSluttdato: '9999-12-31', stillingskatBetegn: 'Administrativt personale' }],
};
const expectedKari = {
  id: '100001', givenName: 'Kari', familyName: 'Ødegård', nin: '01017012345', externalUser: true, mainPositionId: '30000001',
  startDate: '2020-01-01', endDate: null, secondaryPositions: [{ positionId: '30000002', startDate: '2021-01-01', endDate: '2027-12-31' }],
};
const expectedRadgiver = {
  id: '30000001', name: 'Rådgiver', orgId: '10000001',
  holders: [
    { employeeId: '100001', startDate: '2020-01-01', endDate: null },
    { employeeId: '100002', startDate: '2018-01-01', endDate: '2019-12-31' },
  ],
};

let sim: DfoSimulator;
let dfo: DfoDatasource;

beforeAll(async () => {
  sim = await startDfoSimulator();
  await sim.upsertEmployee(kari);
  await sim.upsertPosition(radgiver);
  await sim.upsertPosition({ id: '30000009', stillingsnavn: 'Ledig', innehaver: null });
  dfo = createDfoSource({ baseUrl: sim.url, timeoutMs: 300, retry: fast });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.setFaults({});
  sim.setQuirks({});
});

describe('quirks', () => {
  const cases: Array<[string, Quirks]> = [
    ['plain', {}],
    ['wrapped in a list', { wrapInList: true }],
    ['one-element lists unwrapped', { unwrapSingletons: true }],
    ['empty lists as null', { nullEmptyLists: true }],
    ['empty lists missing', { omitEmptyLists: true }],
    ['numbers as strings', { numbersAsStrings: true }],
    ['strings as numbers', { stringsAsNumbers: true }],
    ['ISO datetimes', { isoDatetimes: true }],
    ['open ends as 9999-12-31', { openEndAsNines: true }],
    ['zero-padded ids', { padIds: true }],
    ['org field orgenhet', { orgField: 'orgenhet' }],
    ['org field organisasjon_id', { orgField: 'organisasjon_id' }],
    ['all at once', { wrapInList: true, unwrapSingletons: true, nullEmptyLists: true, numbersAsStrings: true, isoDatetimes: true, padIds: true, orgField: 'orgenhet' }],
  ];
  for (const [name, quirks] of cases) {
    test(`${name}: same Employee and Position`, async () => {
      sim.setQuirks(quirks);
      const e = await dfo.getEmployee('100001');
      assert.equal(e.kind, 'found');
      assert.deepEqual(e.kind === 'found' && e.value, expectedKari);
      const p = await dfo.getPosition('00030000001');
      assert.deepEqual(p.kind === 'found' && p.value, expectedRadgiver);
    });
  }

  test('raw keeps the unwrapped object as DFØ sent it', async () => {
    sim.setQuirks({ wrapInList: true, padIds: true, orgField: 'orgenhet' });
    const e = await dfo.getEmployee('100001');
    assert.ok(e.kind === 'found');
    const raw = e.raw as Record<string, unknown>;
    assert.equal(raw['id'], '00100001');
    assert.equal(raw['orgenhet'], 10000001);
    assert.equal(Array.isArray(raw), false);
  });

  test('the simulator accepts padded and unpadded ids in the path', async () => {
    for (const id of ['00100001', '100001']) {
      const res = await fetch(`${sim.url}/ansatte/${id}`);
      assert.equal(res.status, 200, id);
      assert.equal(((await res.json()) as { ansatt: { fornavn: string } }).ansatt.fornavn, 'Kari');
    }
  });
});

describe('gone vs unavailable', () => {
  test('IKKE ANSATT and UBESATT STILLING are facts', async () => {
    assert.deepEqual(await dfo.getEmployee('999'), { kind: 'gone', reason: 'IKKE ANSATT' });
    assert.deepEqual(await dfo.getPosition('30000009'), { kind: 'gone', reason: 'UBESATT STILLING' });
    assert.deepEqual(await dfo.getPosition('31111111'), { kind: 'gone', reason: 'UBESATT STILLING' });
  });

  test('a gateway 404 without a DFØ body is a routing error, not gone, and is not retried', async () => {
    sim.setFaults({ gateway404: { count: 1 } });
    const before = sim.requestCount();
    await assert.rejects(dfo.getEmployee('100001'), (e: unknown) => e instanceof SourceUnavailable && e.retriable && e.status === 404 && /route/.test(e.message));
    assert.equal(sim.requestCount() - before, 1);
  });

  test('a wrong path prefix is a routing error too', async () => {
    const wrong = createDfoSource({ baseUrl: `${sim.url}/v9`, retry: fast });
    await assert.rejects(wrong.getEmployee('100001'), (e: unknown) => e instanceof SourceUnavailable && e.status === 404);
  });

  test('invalid data is SourceInvalid naming the field, never retried', async () => {
    await sim.upsertEmployee({ id: '100003', fornavn: 'Ola', startdato: '2019-02-30' });
    const before = sim.requestCount();
    await assert.rejects(dfo.getEmployee('100003'), (e: unknown) => e instanceof SourceInvalid && !e.retriable && e.field === 'ansatt.startdato');
    assert.equal(sim.requestCount() - before, 1);
    await sim.removeEmployee('100003');
  });

  test('an answer past the response limits is refused as invalid data, never retried: too large, too deep', async () => {
    // 300 KiB of extra fields: an employee is a few KiB; this could not even fit an audit record.
    const padding = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`x${i}`, 'p'.repeat(10 * 1024)]));
    await sim.upsertEmployee({ id: '100004', fornavn: 'Stor', etternavn: 'Svar', ...padding });
    let before = sim.requestCount();
    await assert.rejects(dfo.getEmployee('100004'), (e: unknown) => e instanceof SourceInvalid && !e.retriable && /larger than 262144 bytes/.test(e.message));
    assert.equal(sim.requestCount() - before, 1);
    let deep: unknown = 'bunn';
    for (let i = 0; i < 40; i++) deep = [deep];
    await sim.upsertEmployee({ id: '100004', fornavn: 'Dyp', etternavn: 'Svar', x: deep });
    before = sim.requestCount();
    await assert.rejects(dfo.getEmployee('100004'), (e: unknown) => e instanceof SourceInvalid && !e.retriable && /nested deeper than 32 levels/.test(e.message));
    assert.equal(sim.requestCount() - before, 1);
    await sim.removeEmployee('100004');
  });
});

describe('retries', () => {
  const attemptsFor = async (fn: () => Promise<unknown>) => {
    const before = sim.requestCount();
    const result = await fn();
    return { result, attempts: sim.requestCount() - before };
  };

  test('429 with Retry-After: 0, then success', async () => {
    sim.setFaults({ rateLimit: { count: 2, retryAfterSeconds: 0 } });
    const { result, attempts } = await attemptsFor(() => dfo.getEmployee('100001'));
    assert.equal((result as { kind: string }).kind, 'found');
    assert.equal(attempts, 3);
  });

  test('5xx twice, then success', async () => {
    sim.setFaults({ serverError: { count: 2, status: 502 } });
    const { result, attempts } = await attemptsFor(() => dfo.getPosition('30000001'));
    assert.deepEqual((result as { value: unknown }).value, expectedRadgiver);
    assert.equal(attempts, 3);
  });

  test('a held socket times out, the next attempt succeeds', async () => {
    sim.setFaults({ timeout: { count: 1 } });
    const { result, attempts } = await attemptsFor(() => dfo.getEmployee('100001'));
    assert.equal((result as { kind: string }).kind, 'found');
    assert.equal(attempts, 2);
  });

  test('after the attempts: SourceUnavailable, retriable, with the last status', async () => {
    sim.setFaults({ serverError: { share: 1 } });
    const before = sim.requestCount();
    await assert.rejects(dfo.getEmployee('100001'), (e: unknown) => e instanceof SourceUnavailable && e.retriable && e.status === 503 && /4 attempts/.test(e.message));
    assert.equal(sim.requestCount() - before, 4);
  });

  test('`attempts: 1` on a call makes one quick try instead of the policy\'s attempts', async () => {
    sim.setFaults({ serverError: { share: 1 } });
    const before = sim.requestCount();
    await assert.rejects(dfo.getPosition('30000001', { attempts: 1 }), (e: unknown) => e instanceof SourceUnavailable && e.retriable && /1 attempts/.test(e.message));
    assert.equal(sim.requestCount() - before, 1);
  });

  test('a fault for one id: only that object fails; the simulator counts requests per object', async () => {
    sim.setFaults({ only: 'ansatte', ids: ['100001'], serverError: { share: 1 } });
    const before = sim.requestCount('ansatte', '00100001');
    const otherBefore = sim.requestCount('ansatte', '999');
    await assert.rejects(dfo.getEmployee('100001'), (e: unknown) => e instanceof SourceUnavailable && e.status === 503);
    assert.deepEqual(await dfo.getEmployee('999'), { kind: 'gone', reason: 'IKKE ANSATT' });
    assert.equal((await dfo.getPosition('30000001')).kind, 'found');
    assert.equal(sim.requestCount('ansatte', '100001') - before, 4);
    assert.equal(sim.requestCount('ansatte', '999') - otherBefore, 1);
  });

  test('timeouts every time: SourceUnavailable without status', async () => {
    sim.setFaults({ timeout: { share: 1 } });
    const quick = createDfoSource({ baseUrl: sim.url, timeoutMs: 100, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 10 } });
    await assert.rejects(quick.getPosition('30000001'), (e: unknown) => e instanceof SourceUnavailable && e.status === null && /no answer within 100 ms/.test(e.message));
  });

  test('a Retry-After longer than the cap ends the attempts at once, handing the wait to the caller', async () => {
    sim.setFaults({ rateLimit: { count: 1, retryAfterSeconds: 30 } });
    const before = sim.requestCount();
    await assert.rejects(dfo.getEmployee('100001'), (e: unknown) => e instanceof SourceUnavailable && e.status === 429 && e.retryAfterMs === 30_000);
    assert.equal(sim.requestCount() - before, 1);
  });

  test('nobody listening: SourceUnavailable after the attempts', async () => {
    const gone = await startDfoSimulator();
    const url = gone.url;
    await gone.close();
    const src = createDfoSource({ baseUrl: url, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    await assert.rejects(src.getEmployee('1'), (e: unknown) => e instanceof SourceUnavailable && /network error/.test(e.message));
  });

  test('attempts are counted in Prometheus by endpoint and outcome', async () => {
    sim.setFaults({ rateLimit: { count: 1, retryAfterSeconds: 0 } });
    await dfo.getEmployee('100001');
    const metric = await register.getSingleMetric('iga_dfo_requests_total')!.get();
    const rateLimited = metric.values.find((v) => v.labels['endpoint'] === 'employee' && v.labels['outcome'] === 'rate_limited');
    assert.ok(rateLimited && rateLimited.value >= 1);
  });
});

describe('auth, dato and collections', () => {
  test('the API key travels in the configured header; a wrong key is rejected, not retried', async () => {
    const locked = await startDfoSimulator({ apiKey: 's3cret', authHeader: 'Ocp-Apim-Subscription-Key' });
    try {
      await locked.upsertEmployee(kari);
      const ok = createDfoSource({ baseUrl: locked.url, apiKey: 's3cret', authHeader: 'Ocp-Apim-Subscription-Key', retry: fast });
      assert.equal((await ok.getEmployee('100001')).kind, 'found');
      const wrong = createDfoSource({ baseUrl: locked.url, apiKey: 'guess', authHeader: 'Ocp-Apim-Subscription-Key', retry: fast });
      const before = locked.requestCount();
      await assert.rejects(wrong.getEmployee('100001'), (e: unknown) => e instanceof SourceRequestRejected && e.status === 401 && !e.retriable);
      assert.equal(locked.requestCount() - before, 1);
      const defaultHeader = createDfoSource({ baseUrl: locked.url, apiKey: 's3cret', retry: fast });
      await assert.rejects(defaultHeader.getEmployee('100001'), SourceRequestRejected);
    } finally {
      await locked.close();
    }
  });

  test('dato: positions list links valid from that day on; people vanish 30 days after leaving', async () => {
    const p = await dfo.getPosition('30000001', { date: '2025-01-01' });
    assert.deepEqual(p.kind === 'found' && p.value.holders.map((h) => h.employeeId), ['100001']);
    await sim.upsertEmployee({ ...kari, id: '100002', sluttdato: '2019-12-31', stillingId: '99999999', tilleggsstilling: null });
    assert.equal((await dfo.getEmployee('100002', { date: '2020-01-15' })).kind, 'found');
    assert.deepEqual(await dfo.getEmployee('100002', { date: '2020-02-15' }), { kind: 'gone', reason: 'IKKE ANSATT' });
    await assert.rejects(dfo.getEmployee('100002', { date: '15.02.2020' }), SourceRequestRejected);
  });

  test('collection endpoints list every object in any quirk mix; vacant positions are left out', async () => {
    const uni = generateUniversity({ seed: 5, employees: 200, positions: 150, today: '2026-03-01' });
    const full = await startDfoSimulator({ dataset: uni, quirks: randomQuirks(0.5), seed: 3 });
    try {
      const src = createDfoSource({ baseUrl: full.url, retry: fast });
      const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
      const employees = await src.listEmployees();
      assert.deepEqual(byId(employees), byId(uni.employees.map((raw) => toEmployee(parseAnsatt(raw)))));
      const positions = await src.listPositions();
      const staffed = uni.positions.map((raw) => toPosition(parseStilling(raw))).filter((p) => p.holders.length > 0);
      assert.ok(staffed.length < uni.positions.length);
      assert.deepEqual(byId(positions), byId(staffed));
    } finally {
      await full.close();
    }
  });
});

describe('control endpoints', () => {
  test('PUT, GET, DELETE objects and POST faults and quirks with curl-style requests', async () => {
    const control = (path: string, init?: RequestInit) => fetch(new URL(`/_sim${path}`, sim.url), init);
    const put = await control('/ansatte/00100077', { method: 'PUT', body: JSON.stringify({ fornavn: 'Bjørn', etternavn: 'Østby' }) });
    assert.equal(put.status, 204);
    const e = await dfo.getEmployee('100077');
    assert.equal(e.kind === 'found' && e.value.familyName, 'Østby');
    assert.equal(((await (await control('/ansatte/100077')).json()) as { fornavn: string }).fornavn, 'Bjørn');
    assert.equal((await control('/ansatte/100077', { method: 'PUT', body: JSON.stringify({ id: '5' }) })).status, 400);

    assert.equal((await control('/faults', { method: 'POST', body: JSON.stringify({ serverError: { count: 1 } }) })).status, 204);
    assert.equal((await fetch(`${sim.url}/ansatte/100077`)).status, 503);
    assert.equal((await control('/faults', { method: 'POST', body: JSON.stringify({ serverError: { count: 'x' } }) })).status, 400);
    assert.equal((await control('/quirks', { method: 'POST', body: JSON.stringify({ wrapInList: true }) })).status, 204);
    assert.ok(Array.isArray(((await (await fetch(`${sim.url}/ansatte/100077`)).json()) as { ansatt: unknown }).ansatt));

    assert.equal((await control('/ansatte/100077', { method: 'DELETE' })).status, 204);
    assert.equal((await control('/ansatte/100077', { method: 'DELETE' })).status, 404);
    assert.equal((await dfo.getEmployee('100077')).kind, 'gone');
    const stats = (await (await control('/stats')).json()) as { employees: number };
    assert.equal(stats.employees, sim.stats().employees);
  });
});
