/**
 * Hostile DFØ notifications for the ingress fuzz: bodies the ingress must dead-letter (invalid
 * UTF-8, not JSON, not an object, too large, too deep, too wide, every field of a notification
 * mangled in turn, random JSON and random bytes), and good notifications with absurd AMQP
 * properties (message ids, headers, content types) that it must accept. Each hostile body is made
 * so that it is invalid by construction, independently of the parser under test.
 */
import fc from 'fast-check';

export interface Hostile { label: string; routingKey: 'ansatte' | 'stillinger'; body: Buffer }

/** A real DFØ notification body, as the simulator and DFØ write it. */
export function dfoBody(kind: 'ansatte' | 'stillinger', id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { firmakode: '9900', gyldigEtter: '20200101', id: id.padStart(8, '0'), uri: `dfo:${kind}`, ...extra };
}

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

/** Wrong values for each field of `{ firmakode, gyldigEtter, id, uri }`; each alone makes a notification invalid. */
const MANGLED: Record<string, unknown[]> = {
  id: ['', ' ', '-1', '+1', '1.5', '1e3', '0x1F', '12 34', 'abc', '３０００', '30000001\u0000', null, true, false, [], ['30000001'], {}, { id: '30000001' }, -1, 1.5, 2 ** 60, -0.5],
  uri: ['dfo:foo', 'DFO:STILLINGER', 'dfo:ansatte ', '', 5, null, true, ['dfo:stillinger'], { uri: 'dfo:stillinger' }],
  gyldigEtter: ['2024-01-01', '20241301', '20240230', '2024010', '202401011', '', 'i morgen', 20240101, true, [], {}, ['20240101']],
  firmakode: [true, false, [], ['9900'], {}, { kode: 9900 }],
};

/** The hand-made hostile bodies, a few of each kind; `id` is a real position id (the body is bad for another reason). */
export function handMadeHostile(id: string): Hostile[] {
  const good = dfoBody('stillinger', id);
  const goodText = JSON.stringify(good);
  const out: Hostile[] = [];
  const add = (label: string, body: Buffer, routingKey: Hostile['routingKey'] = 'stillinger') => out.push({ label, routingKey, body });

  // Not UTF-8.
  add('bytes ff fe fd', bytes([0xff, 0xfe, 0xfd]));
  add('Latin-1 ø in a name', bytes(`{"id":"${id}","uri":"dfo:stillinger","navn":"Bj`, [0xf8], 'rn"}'));
  add('invalid 2-byte sequence', bytes(`{"id":"${id}","x":"`, [0xc3, 0x28], '"}'));
  add('overlong encoding of /', bytes(`{"id":"${id}","x":"`, [0xc0, 0xaf], '"}'));
  add('CESU-8 surrogate', bytes(`{"id":"${id}","x":"`, [0xed, 0xa0, 0x80], '"}'));
  add('truncated multi-byte character', bytes(`{"id":"${id}","x":"`, [0xe2, 0x82]));
  add('UTF-16LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(goodText, 'utf16le')]));
  // Not JSON, or not an object.
  for (const text of ['', ' ', '\n\t', 'null', '[]', `[${goodText}]`, `"${id}"`, id, 'true', '{', '{"id":', `{"id":"${id}"`, `${goodText}}`, `${goodText} ${goodText}`,
    '<stilling id="1"/>', `id=${id}&uri=dfo:stillinger`, `{"id":"${id}",}`, `{'id':'${id}'}`, `{"id":NaN}`, `{"id":"${id}"/*c*/}`, `{id:"${id}"}`]) add(`not a JSON object: ${JSON.stringify(text.slice(0, 30))}`, Buffer.from(text));
  // Too large, too deep, too wide.
  add('5 MB with a valid id', json({ ...good, padding: 'x'.repeat(5 * 1024 * 1024) }));
  add('5 MB of spaces before a valid body', Buffer.concat([Buffer.alloc(5 * 1024 * 1024, 0x20), Buffer.from(goodText)]));
  add('5 MB of digits in the id', json({ ...good, id: '1'.repeat(5 * 1024 * 1024) }));
  add('just over 64 KiB', json({ ...good, ...Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`f${i}`, 'p'.repeat(4000)])) }));
  add('10,000 levels of arrays', Buffer.from(`{"id":"${id}","uri":"dfo:stillinger","x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`));
  add('10,000 levels of objects', Buffer.from(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`));
  add('33 levels with a valid id', Buffer.from(`{"id":"${id}","x":${'{"a":'.repeat(32)}1${'}'.repeat(32)}}`));
  add('an array of 1,001 elements', json({ ...good, x: Array.from({ length: 1001 }, (_, i) => i) }));
  add('257 keys', json({ ...good, ...Object.fromEntries(Array.from({ length: 253 }, (_, i) => [`k${i}`, i])) }));
  add('a 5,000-byte string', json({ ...good, kommentar: 'æ'.repeat(2500) }));
  // Every field mangled in turn, the rest as DFØ sends it.
  for (const [field, values] of Object.entries(MANGLED)) for (const v of values) add(`${field} = ${JSON.stringify(v)}`, json({ ...good, [field]: v }));
  add('no id', json({ uri: 'dfo:stillinger', gyldigEtter: '20200101', firmakode: '9900' }));
  add('id given twice, the last one invalid', Buffer.from(`{"id":"${id}","uri":"dfo:stillinger","id":"abc"}`));
  add('uri disagrees with the routing key', json(dfoBody('stillinger', id)), 'ansatte');
  add('an ansatte uri on the stillinger key', json(dfoBody('ansatte', id)), 'stillinger');
  return out;
}

/** `n` random bodies that cannot be a notification: random bytes, and random JSON with no `id` member at the top. */
export function randomHostile(n: number, seed: number): Hostile[] {
  const noIdJson = fc.jsonValue({ maxDepth: 6 }).filter((v) => !(v !== null && typeof v === 'object' && !Array.isArray(v) && 'id' in v));
  const values = fc.sample(noIdJson, { numRuns: Math.ceil(n * 0.7), seed });
  const blobs = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 2048 }), { numRuns: n - values.length, seed: seed + 1 })
    .filter((b) => !looksLikeNotification(Buffer.from(b)));
  return [
    ...values.map((v, i): Hostile => ({ label: `random JSON ${i}`, routingKey: i % 2 ? 'ansatte' : 'stillinger', body: json(v) })),
    ...blobs.map((b, i): Hostile => ({ label: `random bytes ${i}`, routingKey: i % 2 ? 'ansatte' : 'stillinger', body: Buffer.from(b) })),
  ];
}

function looksLikeNotification(b: Buffer): boolean {
  try {
    const v: unknown = JSON.parse(b.toString('utf8'));
    return v !== null && typeof v === 'object' && 'id' in v;
  } catch {
    return false;
  }
}

/** Absurd but legal AMQP properties for good notifications (message ids of at most 255 bytes: AMQP's shortstr). */
export function absurdProperties(): Array<{ label: string; messageId: string; contentType?: string; contentEncoding?: string; headers?: Record<string, unknown>; extra?: Record<string, unknown> }> {
  return [
    { label: '255-byte message id', messageId: 'm'.repeat(255) },
    { label: 'emoji message id', messageId: '🦄'.repeat(63) },
    { label: 'control characters in the message id', messageId: 'ctl-\u0000\u0001\u001b[31m-\r\n' },
    { label: 'path in the message id', messageId: '../../../etc/passwd' },
    { label: 'markup in the message id', messageId: '<script>alert(1)</script>' },
    { label: 'a 30 KB header', messageId: 'big-header', headers: { 'x-note': 'n'.repeat(30_000) } },
    { label: '500 headers', messageId: 'many-headers', headers: Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`x-h${i}`, i])) },
    { label: 'nested header tables', messageId: 'nested-headers', headers: { a: { b: { c: [1, 'two', { d: null }] } } } },
    { label: 'content type text/html', messageId: 'html', contentType: 'text/html' },
    { label: 'content type image/png', messageId: 'png', contentType: 'image/png' },
    { label: 'absurd content type', messageId: 'ebcdic', contentType: 'application/x-garbage; charset=ebcdic' },
    { label: 'gzip content encoding (not gzipped)', messageId: 'gzip', contentEncoding: 'gzip' },
    { label: 'timestamp 0 and odd properties', messageId: 'odd-props', extra: { timestamp: 0, priority: 9, correlationId: '\u0000', type: 'ansatte?', appId: '💥', replyTo: 'amq.nowhere' } },
    { label: 'unknown extra fields in the body', messageId: 'extra-fields' },
  ];
}
