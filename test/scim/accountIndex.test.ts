import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { AccountIndex, employeeNumberKey } from '../../src/scim/accountIndex.ts';
import { account } from './fixtures.ts';

describe('AccountIndex', () => {
  test('upsert, get, size and remove', () => {
    const index = new AccountIndex();
    index.upsert(account(1));
    index.upsert(account(2));
    assert.equal(index.size, 2);
    assert.equal(index.get(account(1).id)?.userName, 'user1@uib.no');
    index.remove(account(1).id);
    index.remove('unknown');
    assert.equal(index.size, 1);
    assert.equal(index.get(account(1).id), undefined);
  });

  test('secondary indexes follow changed values', () => {
    const index = new AccountIndex();
    const a = account(1, { active: true, employeeNumber: '00101926' });
    index.upsert(a);
    assert.deepEqual([...index.idsByUserName('USER1@UIB.NO')], [a.id]);
    assert.deepEqual([...index.idsByEmployeeNumber('101926')], [a.id]);
    assert.deepEqual([...index.idsByPersonId(a.personId)], [a.id]);
    assert.ok(index.idsByActive(true).has(a.id));
    index.upsert({ ...a, userName: 'renamed@uib.no', employeeNumber: null, active: false, personId: 'p2' });
    assert.equal(index.idsByUserName('user1@uib.no').size, 0);
    assert.equal(index.idsByEmployeeNumber('101926').size, 0);
    assert.equal(index.idsByPersonId(a.personId).size, 0);
    assert.deepEqual([...index.idsByPersonId('p2')], [a.id]);
    assert.ok(!index.idsByActive(true).has(a.id) && index.idsByActive(false).has(a.id));
    assert.equal(index.size, 1);
    index.remove(a.id);
    assert.equal(index.idsByUserName('renamed@uib.no').size, 0);
    assert.equal(index.idsByActive(false).size, 0);
  });

  test('a key held by several accounts, then by one again, then by none', () => {
    const index = new AccountIndex();
    const a = account(1, { personId: 'p1', employeeNumber: '101926' });
    const b = account(2, { personId: 'p1', employeeNumber: '00101926' });
    const c = account(3, { personId: 'p1', employeeNumber: null });
    for (const x of [a, b, c]) index.upsert(x);
    assert.deepEqual([...index.idsByPersonId('p1')].sort(), [a.id, b.id, c.id].sort());
    assert.deepEqual([...index.idsByEmployeeNumber('101926')].sort(), [a.id, b.id].sort());
    index.upsert(a); // the same account again: still counted once
    assert.equal(index.idsByPersonId('p1').size, 3);
    index.remove(b.id);
    assert.deepEqual([...index.idsByEmployeeNumber('101926')], [a.id]);
    index.remove(a.id);
    assert.deepEqual([...index.idsByPersonId('p1')], [c.id]);
    assert.equal(index.idsByEmployeeNumber('101926').size, 0);
    index.upsert({ ...c, personId: 'p2' });
    assert.equal(index.idsByPersonId('p1').size, 0);
    assert.deepEqual([...index.idsByPersonId('p2')], [c.id]);
    index.remove(c.id);
    assert.equal(index.idsByPersonId('p2').size, 0);
  });

  test('orderedIds stays sorted through inserts, replacements and removals', () => {
    const index = new AccountIndex();
    const ids = [7, 3, 9, 1, 5, 3].map((n) => account(n).id);
    for (const n of [7, 3, 9, 1, 5, 3]) index.upsert(account(n));
    index.remove(account(9).id);
    assert.deepEqual([...index.orderedIds()], [...new Set(ids)].filter((id) => id !== account(9).id).sort());
  });

  test('orderedIds is right after bulk loads, single inserts and removals between reads', () => {
    const index = new AccountIndex();
    const expected = new Set<string>();
    const add = (n: number) => {
      index.upsert(account(n));
      expected.add(account(n).id);
    };
    const drop = (n: number) => {
      index.remove(account(n).id);
      expected.delete(account(n).id);
    };
    for (let i = 0; i < 1000; i++) add((i * 7919) % 5000);
    assert.deepEqual([...index.orderedIds()], [...expected].sort());
    add(4999); add(1); drop(7919 % 5000); drop(4999);
    assert.deepEqual([...index.orderedIds()], [...expected].sort());
    for (let i = 0; i < 300; i++) add(6000 + i);
    drop(6001);
    assert.deepEqual([...index.orderedIds()], [...expected].sort());
    assert.equal(index.orderedIds().length, index.size);
  });

  test('stored accounts are frozen copies', () => {
    const index = new AccountIndex();
    const a = account(1);
    index.upsert(a);
    a.userName = 'changed@uib.no';
    assert.equal(index.get(a.id)?.userName, 'user1@uib.no');
    assert.ok(Object.isFrozen(index.get(a.id)));
  });

  test('mutationCount grows on every change', () => {
    const index = new AccountIndex();
    const before = index.mutationCount;
    index.upsert(account(1));
    index.upsert(account(1));
    index.remove(account(1).id);
    assert.equal(index.mutationCount, before + 3);
  });

  test('employeeNumberKey is the normalised DFØ id; a value that is no id is its own key (and finds nothing)', () => {
    assert.equal(employeeNumberKey('00101926'), '101926');
    assert.equal(employeeNumberKey('101926'), '101926');
    assert.equal(employeeNumberKey('000'), '0');
    assert.equal(employeeNumberKey(' 0042 '), '42');
    assert.equal(employeeNumberKey(' 00ab '), '00ab');
    assert.equal(employeeNumberKey(''), '');
  });
});
