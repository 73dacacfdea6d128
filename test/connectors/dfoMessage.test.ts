import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDfoMessage, yyyymmddToIsoDate, type DfoMessageMeta } from '../../connectors/dfo/notification.ts';
import { rawDfoEventSchema, rawEventKey } from '../../src/topology/contracts/raw.ts';

const meta = (routingKey: string, extra: Record<string, string> = {}) => ({ routingKey, exchange: 'ex_from_dfo', receivedAt: '2026-01-02T03:04:05.000Z', ...extra });
const body = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

function ok(b: Buffer, m: DfoMessageMeta) {
  const r = parseDfoMessage(b, m);
  assert.equal(r.ok, true, r.ok ? '' : r.reason);
  return (r as Extract<typeof r, { ok: true }>).event;
}
function bad(b: Buffer, m: DfoMessageMeta): string {
  const r = parseDfoMessage(b, m);
  assert.equal(r.ok, false, 'expected a rejection');
  return (r as Extract<typeof r, { ok: false }>).reason;
}

describe('parseDfoMessage', () => {
  test('the BOTT example with zero padding and octet-stream content type', () => {
    const msg = { id: '00101926', uri: 'dfo:ansatte', gyldigEtter: '20240101', firmakode: '9900' };
    const e = ok(body(msg), meta('ansatte', { contentType: 'application/octet-stream', messageId: 'm-1' }));
    assert.deepEqual(e, {
      kind: 'ansatte', id: '101926', notBefore: '2024-01-01', firmakode: '9900', receivedAt: '2026-01-02T03:04:05.000Z',
      source: { exchange: 'ex_from_dfo', routingKey: 'ansatte', messageId: 'm-1', contentType: 'application/octet-stream' },
      body: msg,
    });
    assert.equal(rawEventKey(e), 'ansatte:101926');
  });

  test('padded and unpadded ids give the same key', () => {
    const a = ok(body({ id: '00101926' }), meta('ansatte'));
    const b = ok(body({ id: '101926' }), meta('ansatte'));
    const c = ok(body({ id: 101926 }), meta('ansatte'));
    assert.equal(rawEventKey(a), rawEventKey(b));
    assert.equal(rawEventKey(b), rawEventKey(c));
  });

  test('every accepted notification, as written to the raw topic, is what the topology reads (contracts/raw.ts)', () => {
    const id = fc.oneof(fc.nat({ max: 99_999_999 }), fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 99_999_999 })).map(([zeros, n]) => '0'.repeat(zeros) + String(n)));
    const day = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10).replaceAll('-', ''));
    fc.assert(fc.property(
      fc.constantFrom('ansatte', 'stillinger', 'no.dfo.stillinger'), id, fc.option(day, { nil: undefined }), fc.option(fc.oneof(fc.string(), fc.nat()), { nil: undefined }), fc.option(fc.string(), { nil: undefined }),
      (routingKey, id, gyldigEtter, firmakode, messageId) => {
        const e = ok(body({ id, ...(gyldigEtter ? { gyldigEtter } : {}), ...(firmakode !== undefined ? { firmakode } : {}) }), meta(routingKey, messageId ? { messageId } : {}));
        const read = rawDfoEventSchema.parse(JSON.parse(JSON.stringify(e)));
        assert.deepEqual([read.kind, read.id, read.notBefore, read.source?.messageId ?? null], [e.kind, e.id, e.notBefore, e.source.messageId]);
        assert.equal(rawEventKey(read), `${routingKey.split('.').pop()}:${BigInt(id)}`);
      },
    ));
  });

  test('numeric ids, a position, and no optional fields', () => {
    const e = ok(body({ id: 30001233 }), meta('stillinger'));
    assert.equal(e.kind, 'stillinger');
    assert.equal(e.id, '30001233');
    assert.equal(e.notBefore, null);
    assert.equal(e.firmakode, null);
    assert.equal(e.source.messageId, null);
    assert.equal(e.source.contentType, null);
  });

  test('an all-zero id normalises to 0, not to the empty string', () => {
    assert.equal(ok(body({ id: '0000' }), meta('ansatte')).id, '0');
  });

  test('kind comes from uri when the routing key does not name one', () => {
    assert.equal(ok(body({ id: '1', uri: 'dfo:stillinger' }), meta('#')).kind, 'stillinger');
    assert.equal(ok(body({ id: '1', uri: 'dfo:ansatte' }), meta('dfo.ansatte')).kind, 'ansatte');
  });

  test('uri that disagrees with the routing key is rejected', () => {
    assert.match(bad(body({ id: '1', uri: 'dfo:stillinger' }), meta('ansatte')), /disagrees/);
  });

  test('no kind at all is rejected', () => {
    assert.match(bad(body({ id: '1' }), meta('other')), /kind/);
  });

  test('unknown uri values are rejected', () => {
    assert.match(bad(body({ id: '1', uri: 'dfo:organisasjoner' }), meta('ansatte')), /uri/);
  });

  test('bad JSON, non-UTF-8 and non-object bodies are rejected', () => {
    assert.match(bad(body('{"id":'), meta('ansatte')), /JSON/);
    assert.match(bad(Buffer.from([0x7b, 0xff, 0x7d]), meta('ansatte')), /UTF-8/);
    assert.match(bad(body('[1,2]'), meta('ansatte')), /object/);
    assert.match(bad(body('null'), meta('ansatte')), /object/);
    assert.match(bad(body(''), meta('ansatte')), /JSON/);
  });

  test('bad ids are rejected', () => {
    for (const id of ['', 'abc', '12a', '-5', '1.5', null, true]) {
      assert.match(bad(body({ id }), meta('ansatte')), /id/, `id ${JSON.stringify(id)}`);
    }
    for (const id of [-1, 1.5, 2 ** 60]) assert.match(bad(body({ id }), meta('ansatte')), /id/, `id ${id}`);
    assert.match(bad(body({ uri: 'dfo:ansatte' }), meta('ansatte')), /id/);
  });

  test('bad gyldigEtter is rejected', () => {
    for (const g of ['2024-01-01', '20240230', '20241301', '2024011', 'soon', '20230229']) {
      assert.match(bad(body({ id: '1', gyldigEtter: g }), meta('ansatte')), /gyldigEtter/, g);
    }
    assert.equal(ok(body({ id: '1', gyldigEtter: '20240229' }), meta('ansatte')).notBefore, '2024-02-29');
  });

  test('extra fields are tolerated and kept in body; numeric firmakode becomes a string', () => {
    const e = ok(body({ id: '7', extra: { a: 1 }, firmakode: 9900 }), meta('ansatte'));
    assert.deepEqual(e.body, { id: '7', extra: { a: 1 }, firmakode: 9900 });
    assert.equal(e.firmakode, '9900');
  });

  test('receivedAt defaults to now', () => {
    const e = ok(body({ id: '7' }), { routingKey: 'ansatte' });
    assert.ok(!Number.isNaN(Date.parse(e.receivedAt)));
    assert.equal(e.source.exchange, '');
  });
});

describe('yyyymmddToIsoDate', () => {
  test('dates', () => {
    assert.equal(yyyymmddToIsoDate('99991231'), '9999-12-31');
    assert.equal(yyyymmddToIsoDate('20240431'), null);
    assert.equal(yyyymmddToIsoDate('00000101'), null);
  });
});
