/**
 * fast-check arbitraries for the SCIM fuzz: whole HTTP requests with random methods, paths
 * (traversal, encoded junk, over-long), query parameters (filters from the RFC 7644 grammar plus
 * mutations, paging and projection junk), headers (huge and garbage credentials, content types,
 * Accept, conditional headers) and bodies of random size and shape. A request is marked
 * `wellFormed` when it is valid HTTP: then the server must answer it.
 */
import fc from 'fast-check';
import type { RawRequest } from './rawHttp.ts';

export interface FuzzRequest extends RawRequest { wellFormed: boolean }

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const EDU = 'no:edu:scim:user';

export interface FuzzContext {
  /** Valid SCIM tokens (each a client with its own rate limit). */
  tokens: string[];
  /** Ids and usernames of accounts that exist, so some requests hit them. */
  accountIds: string[];
  userNames: string[];
}

const pct = (bytes: Uint8Array) => [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');

/** A filter expression from the RFC 7644 grammar (§3.4.2.2), over real and unknown attributes. */
export function filterArb(ctx: FuzzContext): fc.Arbitrary<string> {
  const path = fc.oneof(
    fc.constantFrom('userName', 'UserName', 'id', 'active', 'displayName', 'name.givenName', 'name.familyName', 'name.formatted', 'emails', 'emails.value', 'emails.type',
      'emails.primary', 'meta.created', 'meta.lastModified', 'meta.version', 'meta.resourceType', 'schemas', `${CORE}:userName`, `${CORE}:name.givenName`, `${EDU}:employeeNumber`,
      `${EDU}:accountType`, `${EDU}:eduPersonPrincipalName`, 'groups', 'name.nope', 'nope', 'urn:x:y:z:w', `${EDU}:nope`, 'a.b.c', 'emails[type eq "work"].value'),
    fc.stringMatching(/^[A-Za-z][A-Za-z0-9_$-]{0,12}(\.[A-Za-z][A-Za-z0-9]{0,6})?$/),
  );
  const op = fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le', 'EQ', 'Co', 'xx', '==');
  const value = fc.oneof(
    fc.string({ maxLength: 20 }).map((s) => JSON.stringify(s)),
    fc.constantFrom(...ctx.userNames.slice(0, 5)).map((u) => JSON.stringify(u)),
    fc.constantFrom('true', 'false', 'null', '"2024-01-01T00:00:00Z"', '"2024-13-45T99:99:99Z"', '1', '-1', '1e309', '0.5', '"\\u0000"', '"\\uD800"', '"unterminated', 'bare', '""'),
    fc.double().map(String),
    fc.bigInt().map(String),
  );
  const { expr } = fc.letrec<{ expr: string; leaf: string }>((tie) => ({
    leaf: fc.oneof(
      fc.tuple(path, op, value).map(([p, o, v]) => `${p} ${o} ${v}`),
      path.map((p) => `${p} pr`),
      fc.tuple(fc.constantFrom('emails', 'name', 'meta', 'nope'), tie('expr')).map(([p, e]) => `${p}[${e}]`),
    ),
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      tie('leaf'),
      fc.tuple(tie('expr'), fc.constantFrom('and', 'or', 'AND', 'Or'), tie('expr')).map(([a, l, b]) => `${a} ${l} ${b}`),
      tie('expr').map((e) => `not (${e})`),
      tie('expr').map((e) => `(${e})`),
    ),
  }));
  return expr;
}

/** A filter, or a filter broken by a mutation (cut, junk inserted, parts repeated, deep nesting). */
export function mutatedFilterArb(ctx: FuzzContext): fc.Arbitrary<string> {
  const junk = fc.constantFrom('(', ')', '[', ']', '"', '\\', ' ', '\u0000', '\uffff', '🦄', '%', '\n', 'and', 'not', 'pr', '""', '.', ':');
  const mutation = fc.oneof(
    fc.nat().map((n) => (f: string) => f.slice(0, n % (f.length + 1))),
    fc.tuple(fc.nat(), junk).map(([n, j]) => (f: string) => { const i = n % (f.length + 1); return f.slice(0, i) + j + f.slice(i); }),
    fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => (f: string) => f.slice(0, a % (f.length + 1)) + f.slice(b % (f.length + 1))),
    fc.integer({ min: 2, max: 200 }).map((n) => (f: string) => `${'('.repeat(n)}${f}${')'.repeat(n)}`),
    fc.integer({ min: 2, max: 300 }).map((n) => (f: string) => `${'not ('.repeat(n)}${f}${')'.repeat(n)}`),
    fc.integer({ min: 2, max: 400 }).map((n) => (f: string) => Array.from({ length: n }, () => f.slice(0, 200)).join(' or ')),
  );
  return fc.oneof(
    { weight: 2, arbitrary: filterArb(ctx) },
    { weight: 3, arbitrary: fc.tuple(filterArb(ctx), fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([f, ms]) => ms.reduce((acc, m) => m(acc).slice(0, 12_000), f)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60, unit: 'binary' }) },
  );
}

/** Percent-encodes a query value (UTF-8), or leaves it raw (spaces and all: then the request line may be invalid HTTP). */
const encodeValue = (raw: boolean, v: string) => (raw ? v : encodeURIComponent(v.replace(/[\ud800-\udfff]/g, '\ufffd')));

function queryArb(ctx: FuzzContext): fc.Arbitrary<{ query: string; raw: boolean }> {
  const intish = fc.oneof(fc.integer({ min: -5, max: 500 }).map(String), fc.constantFrom('', 'abc', '1e309', '-0', '0x10', '9999999999999999999999', '1.5', 'NaN', ' 3', '%'), fc.bigInt().map(String));
  const names = fc.array(fc.constantFrom('userName', 'name.givenName', 'emails', 'emails.value', 'id', 'meta', 'nope', `${EDU}:employeeNumber`, `${CORE}:name`, '', ' ', '..', '[]', 'a'.repeat(300)), { maxLength: 6 }).map((a) => a.join(','));
  const param = fc.oneof(
    { weight: 5, arbitrary: mutatedFilterArb(ctx).map((f) => ['filter', f] as const) },
    { weight: 1, arbitrary: intish.map((v) => ['startIndex', v] as const) },
    { weight: 1, arbitrary: intish.map((v) => ['count', v] as const) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom('userName', 'name.familyName', 'meta.created', 'emails', 'nope', '', '(', 'a[b]'), fc.string({ maxLength: 20 })).map((v) => ['sortBy', v] as const) },
    { weight: 1, arbitrary: fc.constantFrom('ascending', 'descending', 'DESCENDING', 'sideways', '').map((v) => ['sortOrder', v] as const) },
    { weight: 1, arbitrary: names.map((v) => ['attributes', v] as const) },
    { weight: 1, arbitrary: names.map((v) => ['excludedAttributes', v] as const) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom(...ctx.userNames.slice(0, 3)), fc.string({ maxLength: 30 })).map((v) => ['userName', v] as const) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom('100001', '00100001', '', '-1', 'x'), fc.string({ maxLength: 12 })).map((v) => ['employeeNumber', v] as const) },
    { weight: 1, arbitrary: fc.tuple(fc.stringMatching(/^[a-zA-Z_[\]]{1,10}$/), fc.string({ maxLength: 20 })).map(([k, v]) => [k, v] as const) },
  );
  return fc.tuple(fc.array(param, { maxLength: 4 }), fc.nat(19)).map(([params, r]) => {
    const raw = r === 0; // 1 in 20 queries is sent without encoding
    return { raw, query: params.map(([k, v]) => `${k}=${encodeValue(raw, v)}`).join('&') };
  });
}

function pathArb(ctx: FuzzContext): fc.Arbitrary<{ path: string; raw: boolean }> {
  const known = fc.constantFrom('/Users', '/Users/', '/Users/.search', '/.search', '/Groups', '/Groups/x', '/Me', '/Bulk', '/ServiceProviderConfig', '/ResourceTypes', '/ResourceTypes/User',
    '/ResourceTypes/Nope', '/Schemas', `/Schemas/${CORE}`, `/Schemas/${EDU}`, '/Schemas/nope', '/openapi.json', '/', '/metrics', '/admin/status', '/healthz', '/v2/Users', '/users', '/USERS');
  const hostile = fc.constantFrom('/../../etc/passwd', '/Users/../../../etc/passwd', '/Users/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '//Users', '/Users%00', '/Users/%00',
    '/Users/%ff%fe', '/Users/%', '/Users/%zz', '/Users;jsessionid=1', '/Users/./x', '/Users\\..\\..\\windows', '/Users/%2e%2e', '/.%2e/.%2e/src/cli.ts', '/node_modules/koa/package.json',
    '/package.json', '/Users/x/y/z', '/Users/' + 'a'.repeat(5000), '/' + '../'.repeat(200), '*', 'http://evil.example/Users', '/Users#frag', '/Users?', '/Users??filter=x', '/Users/&', '/.search/..');
  const byId = fc.constantFrom(...ctx.accountIds.slice(0, 5)).map((id) => `/Users/${id}`);
  const junkSegment = fc.uint8Array({ maxLength: 40 }).map((b) => `/Users/${pct(b)}`);
  const rawSegment = fc.string({ maxLength: 20, unit: 'grapheme' }).map((s) => `/Users/${s}`);
  return fc.oneof(
    { weight: 6, arbitrary: known.map((path) => ({ path, raw: false })) },
    { weight: 3, arbitrary: hostile.map((path) => ({ path, raw: path.includes('\\') || path === '*' || path.startsWith('http') })) },
    { weight: 2, arbitrary: byId.map((path) => ({ path, raw: false })) },
    { weight: 2, arbitrary: junkSegment.map((path) => ({ path, raw: false })) },
    { weight: 1, arbitrary: rawSegment.map((path) => ({ path, raw: !/^[\x21-\x7e]*$/.test(path) })) },
    { weight: 1, arbitrary: fc.webPath().map((path) => ({ path: path || '/', raw: false })) },
  );
}

function headersArb(ctx: FuzzContext): fc.Arbitrary<{ headers: Array<[string, string]>; raw: boolean }> {
  const token = fc.constantFrom(...ctx.tokens);
  const printable = fc.string({ maxLength: 60 }).map((s) => s.replace(/[\x00-\x1f\x7f]/g, ''));
  const auth = fc.oneof(
    { weight: 8, arbitrary: token.map((t) => [['Authorization', `Bearer ${t}`]] as Array<[string, string]>) },
    { weight: 1, arbitrary: token.map((t) => [['X-API-Key', t]] as Array<[string, string]>) },
    { weight: 1, arbitrary: token.map((t) => [['X-Gravitee-Api-Key', t]] as Array<[string, string]>) },
    { weight: 3, arbitrary: fc.oneof(
      fc.constantFrom('', 'Bearer', 'Bearer ', 'bearer  x  y', 'Basic Z3Vlc3Q6Z3Vlc3Q=', 'Digest realm="x"', 'Bearer faults-token-', 'Bearer faults-token-0 faults-token-1', `Bearer ${'a'.repeat(8000)}`, `Bearer ${'b'.repeat(20_000)}`, 'Bearer \u00ff\u00fe'),
      printable.map((s) => `Bearer ${s}`),
    ).map((v) => [['Authorization', v]] as Array<[string, string]>) },
    { weight: 1, arbitrary: fc.tuple(token, printable).map(([t, s]) => [['Authorization', `Bearer ${t}`], ['Authorization', `Bearer ${s}`]] as Array<[string, string]>) },
    { weight: 1, arbitrary: fc.constant([] as Array<[string, string]>) },
  );
  // Mostly absent or acceptable, so most requests get past content negotiation to auth, routing and the query.
  const accept = fc.oneof(
    { weight: 6, arbitrary: fc.constant(null) },
    { weight: 3, arbitrary: fc.constantFrom('application/scim+json', 'application/json', '*/*', 'application/scim+json;q=0.1, text/plain') },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom('text/html', 'application/json;q=0', '', 'garbage/////', 'application/xml', `${'a/b, '.repeat(2000)}*/*`), printable) },
  );
  const contentType = fc.oneof(
    { weight: 5, arbitrary: fc.constant(null) },
    { weight: 3, arbitrary: fc.constantFrom('application/scim+json', 'application/json') },
    { weight: 2, arbitrary: fc.oneof(fc.constantFrom('application/json; charset=utf-16', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', '', ';;;', 'application/vnd.evil+json'), printable) },
  );
  const other = fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/), printable);
  const conditional = fc.constantFrom('*', 'W/"1"', '"1"', 'W/"', 'W/"1", W/"2", *', 'garbage', 'W/"' + '9'.repeat(400) + '"');
  return fc.record({
    auth, accept, contentType, ifNoneMatch: fc.option(conditional, { freq: 4 }), others: fc.array(other, { maxLength: 4 }),
    crlf: fc.nat(49),
  }).map((h) => {
    const headers: Array<[string, string]> = [...h.auth];
    if (h.accept !== null) headers.push(['Accept', h.accept]);
    if (h.contentType !== null) headers.push(['Content-Type', h.contentType]);
    if (h.ifNoneMatch !== null) headers.push(['If-None-Match', h.ifNoneMatch]);
    headers.push(...h.others.filter(([k]) => !/^(content-length|transfer-encoding|connection|host|expect|upgrade)$/i.test(k)));
    // 1 in 50: a header value with a bare line break (invalid HTTP, a classic smuggling attempt).
    if (h.crlf === 0) headers.push(['X-Smuggle', 'a\r\nContent-Length: 5']);
    const tooLarge = headers.reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v) + 4, 0) > 16 * 1024;
    return { headers, raw: h.crlf === 0 || tooLarge };
  });
}

function bodyArb(ctx: FuzzContext): fc.Arbitrary<Buffer | undefined> {
  const search = fc.record({
    schemas: fc.option(fc.constantFrom(['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], ['nope'], [] as string[]), { nil: undefined }),
    filter: fc.option(mutatedFilterArb(ctx), { nil: undefined }),
    startIndex: fc.option(fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 5 })), { nil: undefined }),
    count: fc.option(fc.oneof(fc.integer(), fc.constant(1e300), fc.constant(null)), { nil: undefined }),
    attributes: fc.option(fc.oneof(fc.constant(['userName']), fc.constant('userName,emails'), fc.constant({}), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 })), { nil: undefined }),
    sortBy: fc.option(fc.constantFrom('userName', 'nope', '', 5 as unknown as string), { nil: undefined }),
  }, { requiredKeys: [] }).map((o) => Buffer.from(JSON.stringify(o)));
  const deep = fc.integer({ min: 10, max: 5000 }).map((n) => Buffer.from(`${'['.repeat(n)}${']'.repeat(n)}`));
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: search },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 5 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: deep },
    { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 300_000 }).map((n) => Buffer.from(JSON.stringify({ filter: `userName eq "${'x'.repeat(n)}"` }))) },
  );
}

/** A whole request: method, target, headers and body, each drawn independently. */
export function requestArb(ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const method = fc.oneof(
    { weight: 10, arbitrary: fc.constant('GET') },
    { weight: 4, arbitrary: fc.constant('POST') },
    { weight: 3, arbitrary: fc.constantFrom('PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS') },
    { weight: 1, arbitrary: fc.constantFrom('PROPFIND', 'TRACE', 'SEARCH', 'QUERY', 'PURGE') },
    { weight: 1, arbitrary: fc.constantFrom('get', 'G ET', 'BREW', '', 'GET\u0000') },
  );
  // 1 in 10 requests with a body announces more than it sends and hangs up.
  const shortBy = fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 100_000 }) });
  // Searches are where a body is read: a third of the requests are POSTs to a search endpoint.
  const search = fc.record({ method: fc.constant('POST'), path: fc.constantFrom('/Users/.search', '/.search').map((path) => ({ path, raw: false })) });
  const anything = fc.record({ method, path: pathArb(ctx) });
  const start = fc.oneof({ weight: 2, arbitrary: anything }, { weight: 1, arbitrary: search });
  return fc.record({ start, query: fc.option(queryArb(ctx)), headers: headersArb(ctx), body: bodyArb(ctx), shortBy }).map(({ start: { method, path }, ...r }) => ({ ...r, method, path })).map((r) => {
    const standard = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND', 'TRACE', 'SEARCH', 'QUERY', 'PURGE'].includes(r.method);
    const target = r.query ? `${r.path.path}?${r.query.query}` : r.path.path;
    const targetOk = /^[\x21-\x7e]+$/.test(target) && !r.path.raw;
    return {
      method: r.method, target, headers: r.headers.headers, ...(r.body ? { body: r.body, shortBy: r.shortBy } : {}),
      wellFormed: standard && targetOk && !r.headers.raw && !(r.query?.raw ?? false) && target.length < 8000 && !(r.body && r.shortBy > 0),
    };
  });
}
