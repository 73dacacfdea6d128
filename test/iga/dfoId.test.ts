/**
 * The one DFØ id rule (src/iga/dfoId.ts) and the callers that decide what a value that is no id
 * means for them: the DFØ connector throws InvalidDfoId, the ingress dead-letters the message, the
 * SCIM index keys it as itself. They must agree on every id, whatever its spelling.
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normaliseDfoId } from '../../src/iga/dfoId.ts';
import { InvalidDfoId } from '../../connectors/dfo/errors.ts';
import { requireDfoId } from '../../connectors/dfo/ids.ts';
import { parseDfoMessage } from '../../connectors/dfo/notification.ts';
import { employeeNumberKey } from '../../src/scim/accountIndex.ts';

const spaces = fc.constantFrom('', ' ', '  ', '\t', '\n');
/** Any spelling of an id: digits with leading zeros and whitespace around them. */
const spelling = fc.tuple(spaces, fc.nat(4), fc.stringMatching(/^[0-9]{1,20}$/), spaces).map(([a, zeros, digits, b]) => a + '0'.repeat(zeros) + digits + b);
const exact = (text: string) => BigInt(text.trim()).toString();
const ingressId = (id: unknown) => {
  const r = parseDfoMessage(Buffer.from(JSON.stringify({ id })), { routingKey: 'ansatte', receivedAt: '2026-01-01T00:00:00.000Z' });
  return r.ok ? r.event.id : null;
};

describe('normaliseDfoId', () => {
  test('every spelling of an id gives its digits without leading zeros, exactly, however long', () => {
    fc.assert(fc.property(spelling, (s) => {
      const id = normaliseDfoId(s);
      assert.equal(id, exact(s));
      assert.equal(normaliseDfoId(id), id, 'idempotent');
    }));
    assert.equal(normaliseDfoId('0000'), '0');
    assert.equal(normaliseDfoId('00101926'), '101926');
    assert.equal(normaliseDfoId('123456789012345678901234567890'), '123456789012345678901234567890');
  });

  test('numbers: a safe non-negative integer is its decimal digits; any other number is no id', () => {
    fc.assert(fc.property(fc.maxSafeNat(), (n) => assert.equal(normaliseDfoId(n), String(n))));
    for (const n of [-1, 1.5, Number.NaN, Infinity, 2 ** 53, 2 ** 60, 1e21]) assert.equal(normaliseDfoId(n), null, String(n));
    assert.equal(normaliseDfoId(-0), '0');
  });

  test('anything else is no id', () => {
    for (const bad of ['', '  ', 'OLA', '12a', '-1', '+12', '1.5', '1e3', '12 34', '٣', '１２', null, undefined, true, {}, [1], 12n]) {
      assert.equal(normaliseDfoId(bad), null, JSON.stringify(String(bad)));
    }
  });
});

describe('every caller uses the one rule', () => {
  test('on an id they agree; on a value that is no id each does what it says', () => {
    const value = fc.oneof(spelling, fc.maxSafeNat(), fc.string(), fc.double(), fc.integer());
    fc.assert(fc.property(value, (v) => {
      const id = normaliseDfoId(v);
      assert.equal(ingressId(v), id, 'the ingress keys the raw event by it, or dead-letters the message');
      if (id === null) assert.throws(() => requireDfoId(v), InvalidDfoId);
      else assert.equal(requireDfoId(v), id);
      if (typeof v === 'string') assert.equal(employeeNumberKey(v), id ?? v.trim());
    }));
  });
});
