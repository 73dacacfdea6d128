/**
 * docker-compose.yml, exercised (in the containers mode only: vitest.config.ts leaves it out of the
 * local mode). The stack comes up as the file describes it, with the images that scripts/images.sh
 * built (or those named by IGA_KAFKA_IMAGE, IGA_RABBITMQ_IMAGE, IGA_STREAM_IMAGE), on free host ports
 * and under a project name of its own; one DFØ notification goes through it — the simulator's
 * control API publishes it to the stack's RabbitMQ, iga-stream makes the account on the stack's
 * Kafka, SCIM answers with it — and the stack goes down again with its volumes, also on failure.
 */
import { afterAll, beforeAll, describe, onTestFailed, test } from 'vitest';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { eventually, uniqueName } from '../support/brokers.ts';
import { composeImages, composeProject, type ComposeProject } from './composeProject.ts';

const execFileAsync = promisify(execFile);
const EMPLOYEE = '90000001';
const POSITION = '39000001';
/** docker-compose.yml's SCIM client. */
const SCIM_TOKEN = 'demo-token';

describe('docker-compose.yml', () => {
  let stack: ComposeProject | undefined;
  const url = (port: 'SCIM' | 'ADMIN' | 'DFO', path: string) => `http://127.0.0.1:${stack!.ports[port]}${path}`;
  const send = async (method: string, path: string, body: unknown) => {
    const res = await fetch(url('DFO', path), { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  };

  beforeAll(async () => {
    for (const image of composeImages()) {
      await execFileAsync('docker', ['image', 'inspect', image], { timeout: 30_000 }).catch(() => {
        throw new Error(`the image ${image} is missing: build it with 'bash scripts/images.sh'`);
      });
    }
    stack = await composeProject(uniqueName('iga-compose-test').toLowerCase());
    try {
      // Compose starts each service once those it depends on are healthy (their health checks).
      await stack.run(['up', '-d', '--no-build'], 300_000);
      await eventually('iga-stream ready (/readyz)', async () => (await fetch(url('ADMIN', '/readyz'))).ok, 180_000, 1000);
    } catch (err) {
      process.stderr.write(`--- ${stack.name} logs ---\n${await stack.logs()}\n`);
      throw err;
    }
  }, 600_000);

  afterAll(async () => {
    await stack?.down();
  }, 200_000);

  test('one DFØ notification becomes a SCIM account', async () => {
    onTestFailed(async () => { process.stderr.write(`--- ${stack!.name} logs ---\n${await stack!.logs()}\n`); });
    const employee = { id: EMPLOYEE, fornavn: 'Kari', etternavn: 'Compose', fnr: '01017012345', startdato: '2020-01-01', sluttdato: '9999-12-31', stillingId: 99999999, eksternbruker: true };
    const position = {
      id: Number(POSITION), stillingsnavn: 'Rådgiver', stillingskode: '20001434', organisasjonId: '10000001',
      innehaver: [{ innehaverAnsattnr: EMPLOYEE, innehaverStartdato: '2020-01-01', innehaverSluttdato: '9999-12-31' }],
    };
    assert.equal((await send('PUT', `/_sim/ansatte/${EMPLOYEE}`, employee)).status, 204);
    assert.equal((await send('PUT', `/_sim/stillinger/${POSITION}`, position)).status, 204);
    const published = await send('POST', '/_sim/publish', { kind: 'stillinger', id: POSITION });
    assert.equal(published.status, 202, published.text);

    const account = await eventually('the account on SCIM', async () => {
      const res = await fetch(url('SCIM', `/Users?employeeNumber=${EMPLOYEE}`), { headers: { authorization: `Bearer ${SCIM_TOKEN}`, accept: 'application/scim+json' } });
      return res.ok ? ((await res.json()) as { Resources?: any[] }).Resources?.[0] : undefined;
    }, 120_000, 500);
    assert.equal(account.displayName, 'Kari Compose');
    assert.equal(account.active, true);
    assert.equal(account.userName, 'karcom@example.no');
    assert.equal(account['no:edu:scim:user'].employeeNumber, EMPLOYEE);
    // The compose file's public SCIM address follows the host port it publishes.
    assert.equal(account.meta.location, `http://localhost:${stack!.ports.SCIM}/Users/${account.id}`);
  });
});
