import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SourceInvalid } from '../../../connectors/dfo/errors.ts';
import { toEmployee, toPosition } from '../../../connectors/dfo/mapper.ts';
import { parseAnsatt, parseStilling, unwrap } from '../../../connectors/dfo/schemas.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../connectors/dfo/fixtures/${name}`, import.meta.url), 'utf8'));
const employeeOf = (name: string) => unwrap(fixture(name), 'ansatt').map((raw) => toEmployee(parseAnsatt(raw)));
const positionOf = (name: string) => unwrap(fixture(name), 'stilling').map((raw) => toPosition(parseStilling(raw)));

describe('ansatt fixtures → Employee', () => {
  test('UiB 2020 shape: bare object, padded id, open end', () => {
    assert.deepEqual(employeeOf('ansatt-uib2020.json'), [
      {
        id: '101926', givenName: 'Gisle', familyName: 'Aas', nin: '01017012345', externalUser: true,
        mainPositionId: '30001233', startDate: '2020-01-01', endDate: null, secondaryPositions: [],
      },
    ]);
  });

  test('v2 quirks: list wrapper, numbers as strings and strings as numbers, ISO dates, orgenhet, unwrapped tilleggsstilling', () => {
    const [e] = employeeOf('ansatt-v2-quirky.json');
    assert.deepEqual(e, {
      id: '102098', givenName: 'Åse Ødegård', familyName: 'Sæther-Müller', nin: '24128812345', externalUser: false,
      mainPositionId: '30001225', startDate: '2019-08-01', endDate: '2026-07-31',
      secondaryPositions: [{ positionId: '30001300', startDate: '2021-01-01', endDate: null }],
    });
    const parsed = parseAnsatt(unwrap(fixture('ansatt-v2-quirky.json'), 'ansatt')[0]);
    assert.equal(parsed.organisasjonId, '00012345');
    assert.equal(parsed.medarbeidergruppe, '4');
    assert.equal(parsed.dellonnsprosent, 80);
    assert.equal(parsed.lederflagg, true);
    assert.equal(parsed.fdato, '1988-12-24');
    assert.deepEqual(parsed.annenId.map((a) => [a.idType, a.idNr, a.idLand]), [['02', 'P1234567', 'NO']]);
  });

  test('former employee: placeholder position dropped, DFØ test fnr ignored, eksternbruker defaults to true', () => {
    assert.deepEqual(employeeOf('ansatt-former-testfnr.json'), [
      {
        id: '100555', givenName: 'René', familyName: 'Brødreskift', nin: null, externalUser: true,
        mainPositionId: null, startDate: '2010-01-01', endDate: '2024-06-30',
        secondaryPositions: [{ positionId: '30000077', startDate: '2015-01-01', endDate: '2016-01-01' }],
      },
    ]);
  });

  test('test fnr pattern covers 00000, 00100, 00200 only', () => {
    const nin = (fnr: string) => toEmployee(parseAnsatt({ id: '1', fnr })).nin;
    assert.equal(nin('01017000000'), null);
    assert.equal(nin('01017000200'), null);
    assert.equal(nin('01017000300'), '01017000300');
    assert.equal(toEmployee(parseAnsatt({ id: '1', fnr: '01017000000' }), { ignoreTestNins: false }).nin, '01017000000', 'kept when the policy says so');
  });

  test('an impossible date names the field', () => {
    const raw = unwrap(fixture('ansatt-bad-date.json'), 'ansatt')[0];
    assert.throws(() => parseAnsatt(raw), (e: unknown) => e instanceof SourceInvalid && e.field === 'ansatt.startdato' && !e.retriable);
  });
});

describe('stilling fixtures → Position', () => {
  test('composed example: several holders, unwrapped stillingskat', () => {
    assert.deepEqual(positionOf('stilling-composed.json'), [
      {
        id: '30000001', name: 'Rådgiver', orgId: '10000001',
        holders: [
          { employeeId: '100001', startDate: '2020-01-01', endDate: null },
          { employeeId: '100002', startDate: '2020-08-01', endDate: '2021-07-31' },
        ],
      },
    ]);
    const parsed = parseStilling(unwrap(fixture('stilling-composed.json'), 'stilling')[0]);
    assert.deepEqual(parsed.stillingskat.map((k) => k.stillingskatId), ['50078118']);
  });

  test('ISO datetimes, organisasjon_id, bare innehaver, numeric ids, null stillingskat', () => {
    assert.deepEqual(positionOf('stilling-iso-single.json'), [
      { id: '30001233', name: '1011 Førsteamanuensis', orgId: '10000077', holders: [{ employeeId: '101926', startDate: '2019-01-01', endDate: null }] },
    ]);
  });

  test('one person twice, future holder, empty end, null entries skipped', () => {
    const [p] = positionOf('stilling-five-holders.json');
    assert.equal(p?.orgId, null);
    assert.deepEqual(p?.holders, [
      { employeeId: '100010', startDate: '2018-01-01', endDate: '2019-12-31' },
      { employeeId: '100010', startDate: '2021-01-01', endDate: null },
      { employeeId: '100011', startDate: '2030-01-01', endDate: '2031-12-31' },
      { employeeId: '100012', startDate: '2020-05-01', endDate: null },
      { employeeId: '100013', startDate: null, endDate: null },
    ]);
  });

  test('a bad holder id names the holder', () => {
    const raw = unwrap(fixture('stilling-bad-holder.json'), 'stilling')[0];
    assert.throws(() => parseStilling(raw), (e: unknown) => e instanceof SourceInvalid && e.field === 'stilling.innehaver[1].innehaverAnsattnr');
  });

  test('missing id is invalid; a missing wrapper is an empty list; a non-object body is invalid', () => {
    assert.throws(() => parseStilling({ stillingsnavn: 'x' }), (e: unknown) => e instanceof SourceInvalid && e.field === 'stilling.id');
    assert.deepEqual(unwrap({}, 'stilling'), []);
    assert.deepEqual(unwrap({ stilling: null }, 'stilling'), []);
    assert.throws(() => unwrap([1], 'stilling'), SourceInvalid);
    assert.throws(() => unwrap({ stilling: ['x'] }, 'stilling'), (e: unknown) => e instanceof SourceInvalid && e.field === 'stilling[0]');
  });
});
