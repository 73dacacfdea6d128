/**
 * The notify record's resourceUri (src/topology/contracts/notify.ts) is the SCIM API's
 * `meta.location` of the same account (src/scim/render.ts): a client that follows a notify event
 * lands on the resource the SCIM API serves.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { resourceUri } from '../../src/topology/contracts/notify.ts';
import { userLocation } from '../../src/scim/render.ts';

test('resourceUri and userLocation give the same string for any prefix and account id', () => {
  const prefix = fc.tuple(fc.constantFrom('https://gw-uib.intark.uh-it.no/iga/scim/v2', 'http://127.0.0.1:8080', 'https://x'), fc.constantFrom('', '/', '//'))
    .map(([base, slash]) => base + slash);
  fc.assert(fc.property(prefix, fc.oneof(fc.uuid(), fc.string()), (p, id) => {
    assert.equal(resourceUri(p, id), userLocation(p, id));
  }));
  assert.equal(resourceUri('https://x/scim/v2/', 'a b'), 'https://x/scim/v2/Users/a%20b');
});
