import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { changedScimAttributes, notifyAttributePaths } from '../../src/scim/changedAttributes.ts';
import { gisle } from './fixtures.ts';

describe('changedScimAttributes', () => {
  test('nothing SCIM-visible changed → []', () => {
    assert.deepEqual(changedScimAttributes(gisle, { ...gisle, version: 8, lastModified: '2025-01-01T00:00:00Z', personId: 'x' }), []);
  });

  test('active flip', () => {
    assert.deepEqual(changedScimAttributes(gisle, { ...gisle, active: false }), ['active']);
  });

  test('name change lists the name parts and displayName', () => {
    assert.deepEqual(changedScimAttributes(gisle, { ...gisle, givenName: 'Gisle Johan', displayName: 'Gisle Johan Aas' }), [
      'displayName', 'name.givenName', 'name.formatted',
    ]);
    assert.deepEqual(changedScimAttributes(gisle, { ...gisle, familyName: 'Berg' }), ['name.familyName', 'name.formatted']);
  });

  test('employeeNumber hidden and shown again', () => {
    const hidden = { ...gisle, employeeNumber: null };
    assert.deepEqual(changedScimAttributes(gisle, hidden), ['no:edu:scim:user:employeeNumber']);
    assert.deepEqual(changedScimAttributes(hidden, gisle), ['no:edu:scim:user:employeeNumber']);
  });

  test('userName change also changes emails and eduPersonPrincipalName', () => {
    assert.deepEqual(changedScimAttributes(gisle, { ...gisle, userName: 'gaa042@uib.no' }), [
      'emails', 'userName', 'no:edu:scim:user:eduPersonPrincipalName',
    ]);
  });

  test('every path is in notify style', () => {
    for (const p of notifyAttributePaths) assert.match(p, /^(?:no:edu:scim:user:)?[a-zA-Z]+(?:\.[a-zA-Z]+)?$/);
  });
});
