import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { compileFilter } from '../../src/scim/filter/evaluate.ts';
import { parseFilter } from '../../src/scim/filter/parser.ts';
import { renderUser } from '../../src/scim/render.ts';
import { ScimError } from '../../src/scim/errors.ts';
import { account, gisle } from './fixtures.ts';

const user = renderUser(gisle, { resourceUriPrefix: 'https://x' }) as unknown as Record<string, unknown>;
const noEmp = renderUser(account(5), { resourceUriPrefix: 'https://x' }) as unknown as Record<string, unknown>;
const matches = (f: string, r = user) => compileFilter(parseFilter(f))(r);
const invalid = (f: string) =>
  assert.throws(() => compileFilter(parseFilter(f)), (e: unknown) => e instanceof ScimError && e.status === 400 && e.scimType === 'invalidFilter', f);

describe('filter evaluator', () => {
  test('userName is caseExact=false, id is caseExact=true', () => {
    assert.ok(matches('userName eq "GAA041@UIB.NO"'));
    assert.ok(matches('id eq "362ff274-9bfb-11ea-bbd5-600308a4105a"'));
    assert.ok(!matches('id eq "362FF274-9BFB-11EA-BBD5-600308A4105A"'));
  });

  test('co, sw, ew, gt, ge, lt, le on strings', () => {
    assert.ok(matches('displayName co "le a"'));
    assert.ok(matches('userName sw "GAA"'));
    assert.ok(matches('userName ew "@uib.no"'));
    assert.ok(matches('userName gt "gaa040"'));
    assert.ok(!matches('userName lt "gaa040"'));
    assert.ok(matches('userName ge "gaa041@uib.no"') && matches('userName le "GAA041@uib.no"'));
  });

  test('ne is the negation of eq, also for absent attributes', () => {
    assert.ok(!matches('userName ne "gaa041@uib.no"'));
    assert.ok(matches('userName ne "other"'));
    assert.ok(matches('no:edu:scim:user:employeeNumber ne "1"', noEmp));
  });

  test('implied .value: emails co "x" reads emails.value', () => {
    assert.ok(matches('emails co "gaa041"'));
    assert.ok(matches('emails.value co "gaa041"'));
    assert.ok(matches('emails.type eq "WORK"'));
  });

  test('valuePath: conditions must hold on the same element', () => {
    assert.ok(matches('emails[type eq "work" and value co "@uib"]'));
    assert.ok(!matches('emails[type eq "home" and value co "@uib"]'));
    assert.ok(matches('emails[primary eq true]'));
    invalid('emails[primary gt true]');
  });

  test('extension URN paths, with and without the URN', () => {
    assert.ok(matches('no:edu:scim:user:employeeNumber eq "333355"'));
    assert.ok(matches('NO:EDU:SCIM:USER:EMPLOYEENUMBER eq "333355"'));
    assert.ok(matches('employeeNumber eq "333355"'));
    assert.ok(matches('no:edu:scim:user:employeeNumber eq 333355'), 'a number is compared as its JSON text');
    assert.ok(matches('no:edu:scim:user:accountType eq "primary"'));
    assert.ok(!matches('no:edu:scim:user:employeeNumber pr', noEmp));
  });

  test('core URN prefix and case-insensitive attribute names', () => {
    assert.ok(matches('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "gaa041@uib.no"'));
    assert.ok(matches('USERNAME eq "gaa041@uib.no"'));
    assert.ok(matches('Name.GivenName eq "gisle"'));
    assert.ok(!matches('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:userName pr'));
  });

  test('booleans: eq/ne only', () => {
    assert.ok(matches('active eq true'));
    assert.ok(matches('active ne false'));
    for (const op of ['gt', 'ge', 'lt', 'le', 'co', 'sw', 'ew']) invalid(`active ${op} true`);
    invalid('active eq "true"');
  });

  test('DateTime compares by instant', () => {
    assert.ok(matches('meta.lastModified gt "2020-06-22T06:42:33Z"'));
    assert.ok(matches('meta.lastModified eq "2020-06-22T08:42:34+02:00"'));
    assert.ok(matches('meta.created lt "2011-01-01"'));
    assert.ok(!matches('meta.created ge "2010-01-23T04:56:23Z"'));
    invalid('meta.created gt "yesterday"');
    invalid('meta.created gt 5');
  });

  test('unknown attributes have no value', () => {
    assert.ok(!matches('title pr'));
    assert.ok(!matches('externalId eq "333355"'));
    assert.ok(!matches('nickName co "x"'));
    assert.ok(matches('title eq null'));
  });

  test('pr, null, schemas and complex attributes', () => {
    assert.ok(matches('name pr') && matches('meta pr') && matches('displayName ne null'));
    assert.ok(matches('schemas eq "no:edu:scim:user"'));
    invalid('name eq "Gisle Aas"');
    invalid('userName gt null');
    invalid('userName eq true');
  });

  test('and / or / not combine', () => {
    assert.ok(matches('userName pr and (active eq false or displayName sw "Gisle")'));
    assert.ok(matches('not (active eq false)'));
    assert.ok(!matches('not (userName pr) or active eq false'));
  });
});
