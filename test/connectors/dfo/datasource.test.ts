import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import type { DfoClient, DfoResponse } from '../../../connectors/dfo/client.ts';
import { createDfoSource } from '../../../connectors/dfo/datasource.ts';
import { InvalidDfoId, SourceInvalid } from '../../../connectors/dfo/errors.ts';

/** A client that answers every call with one canned response (the HTTP side is tested against the simulator). */
function cannedClient(response: DfoResponse): DfoClient & { calls: string[] } {
  const calls: string[] = [];
  const answer = async (what: string) => {
    calls.push(what);
    return response;
  };
  return {
    calls,
    getEmployee: (id) => answer(`employee ${id}`),
    getPosition: (id) => answer(`position ${id}`),
    listEmployees: () => answer('employees'),
    listPositions: () => answer('positions'),
  };
}
const source = (response: DfoResponse) => {
  const client = cannedClient(response);
  return { client, dfo: createDfoSource({ baseUrl: 'http://unused' }, { client }) };
};

describe('createDfoSource', () => {
  test('asks with the normalised id and picks the matching object out of a list', async () => {
    const { client, dfo } = source({ kind: 'found', body: { ansatt: [{ id: '00000007', fornavn: 'A' }, { id: '00100001', fornavn: 'Kari' }] } });
    const r = await dfo.getEmployee('00100001');
    assert.equal(r.kind === 'found' && r.value.givenName, 'Kari');
    assert.deepEqual(r.kind === 'found' && r.raw, { id: '00100001', fornavn: 'Kari' });
    assert.deepEqual(client.calls, ['employee 100001']);
  });

  test('an answer about somebody else is SourceInvalid, not data', async () => {
    const { dfo } = source({ kind: 'found', body: { ansatt: { id: '555' } } });
    await assert.rejects(dfo.getEmployee('100001'), (e: unknown) => e instanceof SourceInvalid && e.field === 'ansatt.id' && /555/.test(e.message));
  });

  test('an empty wrapper is gone; a DFØ fault is gone with its text', async () => {
    assert.equal((await source({ kind: 'found', body: { stilling: [] } }).dfo.getPosition('1')).kind, 'gone');
    assert.equal((await source({ kind: 'found', body: {} }).dfo.getEmployee('1')).kind, 'gone');
    assert.deepEqual(await source({ kind: 'gone', faultText: 'IKKE ANSATT 1' }).dfo.getEmployee('1'), { kind: 'gone', reason: 'IKKE ANSATT 1' });
  });

  test('collections: gone is an empty list; one bad object fails the call naming its index', async () => {
    assert.deepEqual(await source({ kind: 'gone', faultText: 'IKKE ANSATT' }).dfo.listEmployees(), []);
    const bad = source({ kind: 'found', body: { stilling: [{ id: 1 }, { id: 2, innehaver: { innehaverAnsattnr: 'x' } }] } });
    await assert.rejects(bad.dfo.listPositions(), (e: unknown) => e instanceof SourceInvalid && e.field === 'stilling[1].innehaver[0].innehaverAnsattnr');
  });

  test('a non-id is refused before any request', async () => {
    const { client, dfo } = source({ kind: 'gone', faultText: '' });
    await assert.rejects(dfo.getEmployee('OLA'), InvalidDfoId);
    assert.deepEqual(client.calls, []);
  });
});
