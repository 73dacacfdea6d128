/**
 * The runtime's decisions on a failure read the kind the library put on the error (KafkaJS's
 * `type`, RocksDB's `code`), through the wrappers both libraries add, and never the message text.
 * The errors here are the libraries' own: KafkaJS's protocol errors as its response decoder makes
 * them, RocksDB's from really opening a folder twice or a broken folder.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { RocksBytesStore } from '../../src/stores/rocksBytesStore.ts';
import { errorKinds, isCoordinatorNotReady, isOffsetOutOfRange, isProducerFenced, isRebalanceInProgress, isStoreLocked } from '../../src/runtime/internals/errorKinds.ts';

const require = createRequire(import.meta.url);
/** KafkaJS's own decoding of a broker error code (what a response carrying that code throws). */
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as { createErrorFromCode(code: number): Error & { type: string } };
const { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, KafkaJSConnectionError, KafkaJSGroupCoordinatorNotFound } = kafkajs;

const REBALANCE_IN_PROGRESS = 27;
const ILLEGAL_GENERATION = 22;
const UNKNOWN_MEMBER_ID = 25;
const INVALID_PRODUCER_EPOCH = 47;
const INVALID_TXN_STATE = 48;
const CONCURRENT_TRANSACTIONS = 51;
const TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53;
const OFFSET_OUT_OF_RANGE = 1;

/** What KafkaJS's retrier makes of an error: retries exhausted, or a non-retriable wrapper. */
const exhausted = (e: Error) => new KafkaJSNumberOfRetriesExceeded(e, { retryCount: 5, retryTime: 1000 });
// KafkaJS's retrier passes the cause as a second argument, which its type declarations leave out.
const nonRetriable = (e: Error): Error => Reflect.construct(KafkaJSNonRetriableError, [e, { cause: e }]);

describe('error kinds of KafkaJS errors', () => {
  test('a cluster without a transaction coordinator yet (a new cluster, a coordinator loading) is not ready; fencing and other errors are not that', () => {
    assert.equal(isCoordinatorNotReady(Reflect.construct(KafkaJSGroupCoordinatorNotFound, ['Failed to find group coordinator'])), true, 'what KafkaJS throws once its lookup retries are spent');
    for (const code of [15 /* COORDINATOR_NOT_AVAILABLE */, 14 /* COORDINATOR_LOAD_IN_PROGRESS */, 16 /* NOT_COORDINATOR */, CONCURRENT_TRANSACTIONS]) {
      assert.equal(isCoordinatorNotReady(createErrorFromCode(code)), true, String(code));
      assert.equal(isCoordinatorNotReady(exhausted(createErrorFromCode(code))), true, `${code}, retries exhausted`);
    }
    for (const code of [INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE, TRANSACTIONAL_ID_AUTHORIZATION_FAILED, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS]) assert.equal(isCoordinatorNotReady(createErrorFromCode(code)), false, String(code));
    assert.equal(isCoordinatorNotReady(new Error('Failed to find group coordinator')), false, 'never the message');
  });


  test('a heartbeat refused because the group rebalances, and nothing else, is a rebalance', () => {
    assert.equal(isRebalanceInProgress(createErrorFromCode(REBALANCE_IN_PROGRESS)), true);
    assert.equal(isRebalanceInProgress(exhausted(createErrorFromCode(REBALANCE_IN_PROGRESS))), true);
    for (const code of [ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, CONCURRENT_TRANSACTIONS]) assert.equal(isRebalanceInProgress(createErrorFromCode(code)), false, String(code));
    // The message text decides nothing: KafkaJS's own wrapper of a join error keeps only the words.
    assert.equal(isRebalanceInProgress(new kafkajs.KafkaJSError('The group is rebalancing, so a rejoin is needed')), false);
    assert.equal(isRebalanceInProgress(new KafkaJSConnectionError('Connection error: rebalancing')), false);
  });

  test('a producer fenced by a newer one with its transactional id is fenced, wrapped or not', () => {
    for (const code of [INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE, TRANSACTIONAL_ID_AUTHORIZATION_FAILED]) {
      assert.equal(isProducerFenced(createErrorFromCode(code)), true, String(code));
      assert.equal(isProducerFenced(nonRetriable(createErrorFromCode(code))), true, `${code} wrapped`);
    }
    assert.equal(isProducerFenced(createErrorFromCode(CONCURRENT_TRANSACTIONS)), false, 'a transaction still finishing is retried, not fenced');
    assert.equal(isProducerFenced(exhausted(new KafkaJSConnectionError('Connection error'))), false);
    assert.equal(isProducerFenced(new Error('producer fenced (INVALID_PRODUCER_EPOCH)')), false, 'words in a message are not a kind');
  });

  test('an offset outside the log is out of range', () => {
    assert.equal(isOffsetOutOfRange(createErrorFromCode(OFFSET_OUT_OF_RANGE)), true);
    assert.equal(isOffsetOutOfRange(createErrorFromCode(CONCURRENT_TRANSACTIONS)), false);
  });

  test('kinds are collected through cause and originalError, and anything else has none', () => {
    const inner = createErrorFromCode(INVALID_PRODUCER_EPOCH);
    assert.deepEqual(errorKinds(exhausted(inner)), ['INVALID_PRODUCER_EPOCH']);
    assert.deepEqual(errorKinds(Object.assign(new Error('outer'), { originalError: inner })), ['INVALID_PRODUCER_EPOCH']);
    for (const e of [new Error('x'), 'text', null, undefined, 42, { type: 7 }]) assert.deepEqual(errorKinds(e), [], String(e));
  });
});

describe('error kinds of RocksDB errors', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'iga-error-kinds-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  const openError = async (path: string): Promise<unknown> => {
    try {
      const db = await RocksBytesStore.open('probe', path);
      await db.close();
    } catch (err) {
      return err;
    }
    throw new Error(`${path} opened`);
  };

  test('a folder another open database holds is locked', async () => {
    const held = await RocksBytesStore.open('held', join(dir, 'held'));
    try {
      const err = await openError(join(dir, 'held'));
      assert.equal(isStoreLocked(err), true);
      assert.ok(errorKinds(err).includes('LEVEL_LOCKED'), errorKinds(err).join(','));
    } finally {
      await held.close();
    }
  });

  test('a broken database is not locked, even in a folder whose path spells "lock"', async () => {
    const broken = join(dir, 'blocklist', 'replica');
    await mkdir(broken, { recursive: true });
    await writeFile(join(broken, 'CURRENT'), 'MANIFEST-000404\n'); // names a manifest that is not there
    const err = await openError(broken);
    assert.match(String((err as { cause?: unknown }).cause), /lock/i, 'the message mentions the path');
    assert.equal(isStoreLocked(err), false);
  });
});
