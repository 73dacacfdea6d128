import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { splitItems } from '../../../connectors/publish/split.ts';
import { DEFAULT_PUBLISH_LIMITS, profileRecords, type BodyMeta } from '../../../connectors/publish/records.ts';
import type { RawProfile } from '../../../src/topology/contracts/profiles.ts';
import { sign, studentProfile, testKey } from '../../support/publishers.ts';

const meta = (extra: Partial<BodyMeta> = {}): BodyMeta => ({ publisher: 'fs', transport: 'http', exchange: null, routingKey: null, contentType: 'application/json', messageId: null, receivedAt: '2026-12-01T10:00:00.000Z', ...extra });
const opts = { limits: DEFAULT_PUBLISH_LIMITS, maxRecordBytes: 1_000_000 };
const valueOf = (r: { message: { value?: unknown } }) => JSON.parse(String(r.message.value)) as RawProfile;

describe('splitting a publish body into its profiles, byte for byte', () => {
  test('any JSON array, laid out with any whitespace, splits into elements whose bytes parse to the elements', () => {
    const ws = fc.constantFrom('', ' ', '\n', '\t ', '\r\n  ');
    fc.assert(fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { minLength: 1, maxLength: 8 }), fc.array(ws, { minLength: 20, maxLength: 20 }), (values, spaces) => {
      let i = 0;
      const body = Buffer.from(`${spaces[i++]}[${values.map((v) => `${spaces[i++ % 20]}${JSON.stringify(v)}${spaces[i++ % 20]}`).join(',')}]${spaces[i++ % 20]}`);
      const { batch, items } = splitItems(body);
      assert.equal(batch, true);
      assert.deepEqual(items.map((b) => JSON.parse(b.toString())), JSON.parse(body.toString()));
      for (const b of items) assert.equal(b.toString(), b.toString().trim());
    }), { numRuns: 500 });
  });

  test('strings holding brackets, commas and escaped quotes do not cut an element', () => {
    const body = Buffer.from('[{"a":"x,]\\"[{"}, "b,c" ,[1,[2]]]');
    assert.deepEqual(splitItems(body).items.map(String), ['{"a":"x,]\\"[{"}', '"b,c"', '[1,[2]]']);
  });

  test('a body that is one value is one item, trimmed', () => {
    assert.deepEqual(splitItems(Buffer.from('  {"a":[1,2]}\n')), { batch: false, items: [Buffer.from('{"a":[1,2]}')] });
  });
});

describe('the raw-profile records of a body', () => {
  test('one profile: its message id, its bytes exactly as sent, keyed publisher:sourceId, with the message id header', () => {
    const text = '{ "sourceId": "s-1",  "givenName": "Sara" }';
    const r = profileRecords(Buffer.from(text), meta({ messageId: 'm-1' }), opts);
    assert.ok(r.ok);
    assert.equal(r.records.length, 1);
    const rec = r.records[0]!;
    assert.equal(rec.messageId, 'm-1');
    assert.equal(rec.message.key, 'fs:s-1');
    assert.deepEqual(rec.message.headers, { 'iga-message-id': 'm-1', 'iga-publisher': 'fs' });
    const v = valueOf(rec);
    assert.equal(Buffer.from(v.bytesBase64, 'base64').toString(), text);
    assert.deepEqual(v.item, { sourceId: 's-1', givenName: 'Sara' });
    assert.deepEqual(v.source, { transport: 'http', exchange: null, routingKey: null, contentType: 'application/json' });
  });

  test('a batch: message ids <id>#<index>, each item its own bytes; a signed item is keyed by its payload\'s sourceId', () => {
    const key = testKey('fs-1');
    const jws = sign(studentProfile('s-2'), key);
    const r = profileRecords(Buffer.from(`[{"sourceId":"s-1"}, ${JSON.stringify(jws)}, 42]`), meta({ messageId: 'batch-7' }), opts);
    assert.ok(r.ok);
    assert.deepEqual(r.records.map((x) => x.messageId), ['batch-7#0', 'batch-7#1', 'batch-7#2']);
    assert.deepEqual(r.records.map((x) => x.message.key), ['fs:s-1', 'fs:s-2', 'fs:msg:batch-7#2']);
    assert.equal(valueOf(r.records[1]!).item, jws);
    assert.equal(Buffer.from(valueOf(r.records[2]!).bytesBase64, 'base64').toString(), '42');
  });

  test('without a message id each request gets a fresh UUID', () => {
    const a = profileRecords(Buffer.from('{}'), meta(), opts);
    const b = profileRecords(Buffer.from('{}'), meta(), opts);
    assert.ok(a.ok && b.ok);
    assert.match(a.records[0]!.messageId, /^[0-9a-f-]{36}$/);
    assert.notEqual(a.records[0]!.messageId, b.records[0]!.messageId);
  });

  test('what cannot be stored is refused whole, with the reason: limits, not JSON, not UTF-8, empty batch, bad message id, too large for Kafka', () => {
    const refuse = (body: string | Buffer, m: Partial<BodyMeta> = {}, o = opts) => {
      const r = profileRecords(Buffer.from(body), meta(m), o);
      assert.equal(r.ok, false);
      return r as { reason: string; tooLarge: boolean };
    };
    assert.match(refuse('['.repeat(40)).reason, /nested deeper than 16/);
    assert.equal(refuse('x'.repeat(2_000_000)).tooLarge, true);
    assert.match(refuse('{"a":').reason, /not JSON/);
    assert.match(refuse(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])).reason, /not JSON in UTF-8/);
    assert.match(refuse('[]').reason, /empty batch/);
    assert.match(refuse('{}', { messageId: 'has space' }).reason, /message id/);
    const big = refuse(JSON.stringify({ sourceId: 's', pad: 'x'.repeat(10_000) }), {}, { ...opts, maxRecordBytes: 5_000 });
    assert.equal(big.tooLarge, true);
    assert.match(big.reason, /more than Kafka takes/);
  });
});
