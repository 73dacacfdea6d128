import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { parseFilter } from '../../src/scim/filter/parser.ts';
import type { Filter } from '../../src/scim/filter/ast.ts';
import { ScimError } from '../../src/scim/errors.ts';

const p = (uri: string | undefined, attr: string, sub?: string) => ({ uri, attr, sub });

function rejects(filter: string, pattern?: RegExp): void {
  assert.throws(() => parseFilter(filter), (e: unknown) => {
    assert.ok(e instanceof ScimError);
    assert.equal(e.status, 400);
    assert.equal(e.scimType, 'invalidFilter');
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

describe('filter parser (RFC 7644 3.4.2.2)', () => {
  test('every RFC Figure 2 example parses', () => {
    const examples = [
      'userName Eq "john"', 'Username eq "john"', 'userName eq "bjensen"', 'name.familyName co "O\'Malley"',
      'userName sw "J"', 'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', 'title pr',
      'meta.lastModified gt "2011-05-13T04:42:34Z"', 'meta.lastModified ge "2011-05-13T04:42:34Z"',
      'meta.lastModified lt "2011-05-13T04:42:34Z"', 'meta.lastModified le "2011-05-13T04:42:34Z"',
      'title pr and userType eq "Employee"', 'title pr or userType eq "Intern"',
      'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      'userType eq "Employee" and (emails.type eq "work")',
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    ];
    for (const f of examples) assert.doesNotThrow(() => parseFilter(f), f);
  });

  test('operators and keywords are case-insensitive; attribute case is kept', () => {
    assert.deepEqual(parseFilter('UserName EQ "x"'), { kind: 'compare', path: p(undefined, 'UserName'), op: 'eq', value: 'x' });
    assert.equal(parseFilter('a pr AND b PR').kind, 'and');
    assert.equal(parseFilter('NOT (a pr)').kind, 'not');
  });

  test('precedence: not > and > or', () => {
    const f = parseFilter('a pr or b pr and not (c pr)');
    assert.deepEqual(f, {
      kind: 'or',
      items: [
        { kind: 'present', path: p(undefined, 'a') },
        { kind: 'and', items: [{ kind: 'present', path: p(undefined, 'b') }, { kind: 'not', item: { kind: 'present', path: p(undefined, 'c') } }] },
      ],
    } satisfies Filter);
  });

  test('grouping overrides precedence', () => {
    const f = parseFilter('(a pr or b pr) and c pr');
    assert.equal(f.kind, 'and');
    assert.equal((f as { items: Filter[] }).items[0]?.kind, 'or');
  });

  test('not( and not ( are both accepted', () => {
    assert.deepEqual(parseFilter('not(a pr)'), parseFilter('not (a pr)'));
  });

  test('extension and core URN paths split at the last colon', () => {
    assert.deepEqual((parseFilter('no:edu:scim:user:employeeNumber eq "1"') as { path: unknown }).path, p('no:edu:scim:user', 'employeeNumber'));
    assert.deepEqual((parseFilter('urn:ietf:params:scim:schemas:core:2.0:User:name.givenName pr') as { path: unknown }).path, p('urn:ietf:params:scim:schemas:core:2.0:User', 'name', 'givenName'));
  });

  test('compValue: JSON strings with escapes, numbers, true/false/null', () => {
    assert.equal((parseFilter('a eq "q\\"uote\\\\ \\u00e6\\n"') as { value: unknown }).value, 'q"uote\\ æ\n');
    assert.equal((parseFilter('a eq -1.5e2') as { value: unknown }).value, -150);
    assert.equal((parseFilter('a eq TRUE') as { value: unknown }).value, true);
    assert.equal((parseFilter('a eq false') as { value: unknown }).value, false);
    assert.equal((parseFilter('a eq null') as { value: unknown }).value, null);
  });

  test('valuePath holds a nested filter over sub-attributes', () => {
    const f = parseFilter('emails[type eq "work" and value co "@uib"]');
    assert.equal(f.kind, 'valuePath');
    assert.equal((f as { item: Filter }).item.kind, 'and');
  });

  test('syntax errors are 400 invalidFilter', () => {
    rejects('userName eq', /Expected a value/);
    rejects('userName', /Expected an operator/);
    rejects('userName xx "a"', /Unknown operator/);
    rejects('userName eq "unterminated', /Unterminated/);
    rejects('userName eq "bad \\x escape"');
    rejects('(userName pr');
    rejects('userName pr)');
    rejects('userName eq bare');
    rejects('emails[value pr');
    rejects('emails[type eq "w"].value eq "x"');
    rejects('emails[value[type pr]]', /Nested/);
    rejects('name.givenName[value pr]');
    rejects('1abc pr', /not an attribute path/);
    rejects('');
    rejects('a pr and');
    rejects('a eq 01');
  });

  test('length and nesting limits give invalidFilter', () => {
    rejects(`userName eq "${'x'.repeat(2100)}"`, /longer than/);
    rejects(`${'('.repeat(20)}a pr${')'.repeat(20)}`, /nesting/);
    assert.doesNotThrow(() => parseFilter(`${'('.repeat(10)}a pr${')'.repeat(10)}`));
    rejects(`${'not ('.repeat(20)}a pr${')'.repeat(20)}`, /nesting/);
  });
});
