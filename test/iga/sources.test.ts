/**
 * A person's facts from the publishers (src/iga/sources.ts) and the account decider with them: which
 * affiliations a source gives and when they count, the names merged by authority over DFØ and the
 * sources, and accounts for persons first known from a publisher (property tests where the rule is
 * a rule over all inputs).
 */
import { describe, test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decideAccount, evolve, onUsernameGranted } from '../../src/iga/accountDecision.ts';
import { isAffiliationActive } from '../../src/iga/affiliations.ts';
import { addDays } from '../../src/iga/dates.ts';
import { makePolicy } from '../../src/iga/policy.ts';
import {
  activeSourceAffiliations, countsForAccount, governedAttributes, mergedNames, sourceAffiliations, sourceBoundaries, sponsorOf, whyNotCounting, type SourceFacts, type SourcesOfPerson,
} from '../../src/iga/sources.ts';
import { ACCOUNT_ID, aff, employee, input, TODAY } from './accountFixtures.ts';
import { parsePublishersFile } from '../../src/topology/contracts/publishers.ts';
import { publishersFile } from '../support/publishers.ts';

/** The sample university's authority rules, as the publishers file gives them. */
const SAMPLE_AUTHORITY = parsePublishersFile(publishersFile()).authority;

const facts = (attributes: SourceFacts['attributes'], sourceId = 's-1'): SourceFacts => ({ sourceId, messageId: `m-${sourceId}`, receivedAt: '2020-09-01T00:00:00Z', attributes });
const student = (start: string, end: string | null, program = 'BAMAT') => ({ fs: facts({ givenName: 'Sara', familyName: 'Student', studentNumber: '500001', studyRights: [{ program, start, end }] }) });
const day = fc.integer({ min: -800, max: 800 }).map((n) => addDays(TODAY, n));
const P = 'p-0b6c1a7e-1111-5222-8333-444455556666';

describe('facts from the publishers', () => {
  test('only the governed attributes are kept: the nin, the link and the source id never', () => {
    const kept = governedAttributes({ sourceId: 'fs-1', nin: '01019912345', link: { employeeNumber: '1' }, givenName: 'Sara', mobile: null, studentNumber: '5' });
    assert.deepEqual(kept, { givenName: 'Sara', studentNumber: '5' });
  });

  test('a study right is a student affiliation with its dates; a guest stay counts only while its sponsor is an active employee', () => {
    const sources: SourcesOfPerson = { ...student('2020-08-15', '2023-06-30'), 'guest-portal': facts({ guest: { sponsor: '100001', start: '2020-09-01', end: '2020-12-31' } }) };
    const affs = sourceAffiliations(sources);
    assert.deepEqual(affs, [
      { kind: 'student', source: 'fs', id: 'BAMAT', startDate: '2020-08-15', endDate: '2023-06-30' },
      { kind: 'guest', source: 'guest-portal', id: 'guest', startDate: '2020-09-01', endDate: '2020-12-31' },
    ]);
    assert.equal(sponsorOf(sources), '100001');
    const policy = makePolicy({});
    assert.deepEqual(activeSourceAffiliations(affs, TODAY, policy).map((a) => a.kind), ['student'], 'the sponsor has not answered');
    assert.deepEqual(activeSourceAffiliations(affs, TODAY, policy, { employeeId: '100001', active: false }).map((a) => a.kind), ['student']);
    assert.deepEqual(activeSourceAffiliations(affs, TODAY, policy, { employeeId: '100001', active: true }).map((a) => a.kind), ['student', 'guest']);
    assert.equal(whyNotCounting(affs[1]!, TODAY, policy, { employeeId: '100001', active: false }), 'guest guest [2020-09-01..2020-12-31] from guest-portal: sponsor 100001 holds no active employee affiliation');
  });

  test('property: a guest stay counts iff active by its dates, its end at most guestMaxDays ahead, and its sponsor active; the timers cover the day it comes within reach', () => {
    fc.assert(fc.property(day, fc.integer({ min: 0, max: 400 }), day, fc.integer({ min: 0, max: 200 }), fc.boolean(), (start, length, today, guestMaxDays, active) => {
      const end = addDays(start, length);
      const policy = makePolicy({ guestMaxDays });
      const [guest] = sourceAffiliations({ gp: facts({ guest: { sponsor: '1', start, end } }) });
      const expected = start <= today && today <= end && end <= addDays(today, guestMaxDays) && active;
      assert.equal(countsForAccount(guest!, today, policy, { employeeId: '1', active }), expected);
      const reach = addDays(end, -guestMaxDays);
      if (reach > today) assert.ok(sourceBoundaries([guest!], today, policy).includes(reach));
    }));
  });

  test('property: a study right counts exactly when a DFØ affiliation with the same dates would, under any offsets', () => {
    fc.assert(fc.property(day, fc.option(day, { nil: null }), day, fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), (start, end, today, startOffsetDays, endGraceDays) => {
      fc.pre(end === null || start <= end);
      const policy = makePolicy({ startOffsetDays, endGraceDays });
      const affs = sourceAffiliations(student(start, end));
      assert.equal(activeSourceAffiliations(affs, today, policy).length === 1, isAffiliationActive({ startDate: start, endDate: end }, today, policy));
    }));
  });

  test('property: the date timers cover every day a study right starts or stops counting', () => {
    fc.assert(fc.property(day, fc.option(day, { nil: null }), fc.integer({ min: 1, max: 400 }), (start, end, ahead) => {
      fc.pre(end === null || start <= end);
      const policy = makePolicy({ startOffsetDays: 7, endGraceDays: 14 });
      const affs = sourceAffiliations(student(start, end));
      const boundaries = sourceBoundaries(affs, TODAY, policy);
      let before = activeSourceAffiliations(affs, TODAY, policy).length;
      for (let i = 1; i <= ahead; i++) {
        const d = addDays(TODAY, i);
        const now = activeSourceAffiliations(affs, d, policy).length;
        if (now !== before) assert.ok(boundaries.includes(d), `a change on ${d} without a timer`);
        before = now;
      }
    }), { numRuns: 200 });
  });

  test('names: without sources the employee\'s; with them by authority, DFØ first for the sample rules; from a source alone when DFØ does not know the person', () => {
    const e = employee({ givenName: 'Gisle', familyName: 'Aas' });
    assert.deepEqual(mergedNames(SAMPLE_AUTHORITY, e, {}), { givenName: 'Gisle', familyName: 'Aas' });
    assert.deepEqual(mergedNames(SAMPLE_AUTHORITY, e, student('2020-01-01', null)), { givenName: 'Gisle', familyName: 'Aas' });
    assert.deepEqual(mergedNames(SAMPLE_AUTHORITY, null, student('2020-01-01', null)), { givenName: 'Sara', familyName: 'Student' });
    const fsFirst = { ...SAMPLE_AUTHORITY, givenName: { writers: ['fs', 'dfo'], requiredFrom: [] as string[] } };
    assert.deepEqual(mergedNames(fsFirst, e, student('2020-01-01', null)), { givenName: 'Sara', familyName: 'Aas' });
    assert.equal(mergedNames(SAMPLE_AUTHORITY, null, { 'self-service': facts({ preferredName: 'Toto' }) }), null);
    assert.deepEqual(mergedNames(SAMPLE_AUTHORITY, e, { 'self-service': facts({ preferredName: 'Gis' }) }), { givenName: 'Gisle', familyName: 'Aas', displayName: 'Gis Aas' }, 'a preferred name with the family name');
    assert.deepEqual(mergedNames(SAMPLE_AUTHORITY, e, { 'self-service': facts({ preferredName: 'Gis', displayName: 'G. Aas' }) })?.displayName, 'G. Aas', 'a display name set outright wins');
    assert.equal(mergedNames(SAMPLE_AUTHORITY, null, {}), null);
  });
});

describe('the account decider with sources', () => {
  const withSources = (sources: SourcesOfPerson, employeeSide: ReturnType<typeof employee> | null = null, affiliations = employeeSide ? [aff('2020-01-01', null)] : []) => input({
    employee: employeeSide, affiliations, personId: P,
    sources: { affiliations: sourceAffiliations(sources), names: mergedNames(SAMPLE_AUTHORITY, employeeSide, sources) },
  });

  test('a student DFØ does not know: a username from the student\'s names, an account owned by the person key, no employee number', () => {
    const i = withSources(student('2020-08-15', '2023-06-30'));
    const claim = decideAccount({ status: 'none' }, i);
    assert.equal(claim.kind, 'request-username');
    assert.equal(claim.kind === 'request-username' && claim.stem, 'sarstu');
    assert.match(claim.reason.detail, /1 affiliation from publishers active on 2020-09-15: student BAMAT \[2020-08-15..2023-06-30\] from fs/);
    const created = onUsernameGranted(evolve({ status: 'none' }, claim), i, { userName: 'sarstu@uib.no', accountId: ACCOUNT_ID });
    assert.equal(created.kind, 'create');
    const account = created.kind === 'create' ? created.account : null;
    assert.deepEqual([account?.personId, account?.employeeNumber, account?.displayName], [P, null, 'Sara Student']);
    assert.deepEqual(created.reason.activeSourceAffiliations?.map((a) => a.id), ['BAMAT']);
  });

  test('the student hired in DFØ: the DFØ side adds the employee number to the same account (MODIFY); the study right ending keeps it while employed', () => {
    const i = withSources(student('2020-08-15', '2023-06-30'));
    const created = onUsernameGranted({ status: 'pending', stem: 'sarstu', since: TODAY }, i, { userName: 'sarstu@uib.no', accountId: ACCOUNT_ID });
    const state = evolve({ status: 'none' }, created);
    const hired = decideAccount(state, withSources(student('2020-08-15', '2023-06-30'), employee({ id: '100050', givenName: 'Sara', familyName: 'Student' })));
    assert.equal(hired.kind, 'modify');
    assert.deepEqual(hired.kind === 'modify' && [hired.changed, hired.account.id, hired.account.employeeNumber, hired.account.affiliationKinds], [
      ['no:edu:scim:user:employeeNumber', 'no:edu:scim:user:eduPersonAffiliation'], ACCOUNT_ID, '100050', ['employee', 'student'],
    ]);
    assert.deepEqual(created.kind === 'create' && [created.account.affiliationKinds, created.account.studentNumber], [['student'], undefined], 'no student number given to the decider here');
    const graduated = decideAccount(evolve(state, hired), withSources(student('2016-08-15', '2019-06-30'), employee({ id: '100050', givenName: 'Sara', familyName: 'Student' })));
    assert.equal(graduated.kind, 'modify', graduated.reason.detail);
    assert.deepEqual(graduated.kind === 'modify' && [graduated.changed, graduated.account.active, graduated.account.affiliationKinds], [['no:edu:scim:user:eduPersonAffiliation'], true, ['employee']]);
  });

  test('property: with sources, an account should exist iff a DFØ affiliation or a study right counts today', () => {
    fc.assert(fc.property(day, fc.option(day, { nil: null }), fc.boolean(), (start, end, employed) => {
      fc.pre(end === null || start <= end);
      const e = employed ? employee({ id: '100050' }) : null;
      const i = withSources(student(start, end), e);
      const d = decideAccount({ status: 'none' }, i);
      const studying = isAffiliationActive({ startDate: start, endDate: end }, TODAY, i.policy);
      assert.equal(d.kind === 'request-username', employed || studying, d.reason.detail);
    }));
  });

  test('a preferred name from self-service changes displayName alone (a MODIFY); the name and name.formatted stay', () => {
    const e = employee({ id: '100050', givenName: 'Sara', familyName: 'Student' });
    const i = withSources(student('2020-08-15', null), e);
    const created = onUsernameGranted({ status: 'pending', stem: 'sarstu', since: TODAY }, i, { userName: 'sarstu@uib.no', accountId: ACCOUNT_ID });
    const d = decideAccount(evolve({ status: 'none' }, created), withSources({ ...student('2020-08-15', null), 'self-service': facts({ preferredName: 'Sassa' }) }, e));
    assert.equal(d.kind, 'modify');
    assert.deepEqual(d.kind === 'modify' && [d.changed, d.account.displayName, d.account.givenName], [['displayName'], 'Sassa Student', 'Sara']);
  });

  test('a person key the account does not belong to is refused, as with employee ids', () => {
    const i = withSources(student('2020-08-15', null));
    const created = onUsernameGranted({ status: 'pending', stem: 'sarstu', since: TODAY }, i, { userName: 'sarstu@uib.no', accountId: ACCOUNT_ID });
    assert.throws(() => decideAccount(evolve({ status: 'none' }, created), { ...i, personId: 'p-other' }), /belongs to p-0b6c/);
  });
});
