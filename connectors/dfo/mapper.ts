/**
 * Pure translation of validated DFØ objects into the IGA domain model. No I/O, no clock. Rules:
 * - every id is normalised (no leading zeros);
 * - `fnr` matching DFØ's test pattern `.+00[012]00$` is not a real national id → nin null, unless
 *   the policy keeps test numbers (`ignoreTestNins: false`);
 * - `eksternbruker` absent → true (so a record without the flag keeps its account when the policy
 *   requires external users, IGA_POLICY_REQUIRE_EXTERNAL_USER);
 * - main position `99999999` is DFØ's placeholder for former employees → mainPositionId null
 *   (also dropped from `tilleggsstilling`);
 * - org ids that are digits are normalised like other ids, other spellings are kept trimmed.
 */
import type { Employee, Holder, Position } from '../../src/iga/model.ts';
import { usableNin } from '../../src/iga/ninFilter.ts';
import { normaliseDfoId } from '../../src/iga/dfoId.ts';
import { PLACEHOLDER_POSITION_ID } from './ids.ts';
import type { ParsedAnsatt, ParsedStilling } from './schemas.ts';

/**
 * Maps a validated `ansatt` to an Employee. `ignoreTestNins` is the policy's choice (default true):
 * a DFØ test number (not unique) becomes null.
 */
export function toEmployee(a: ParsedAnsatt, opts: { ignoreTestNins?: boolean } = {}): Employee {
  return {
    id: a.id,
    givenName: a.fornavn ?? '',
    familyName: a.etternavn ?? '',
    nin: usableNin(a.fnr, { ignoreTestNins: opts.ignoreTestNins ?? true }),
    externalUser: a.eksternbruker ?? true,
    mainPositionId: a.stillingId !== null && a.stillingId !== PLACEHOLDER_POSITION_ID ? a.stillingId : null,
    startDate: a.startdato,
    endDate: a.sluttdato,
    secondaryPositions: a.tilleggsstilling
      .filter((t) => t.stillingId !== PLACEHOLDER_POSITION_ID)
      .map((t) => ({ positionId: t.stillingId, startDate: t.startdato, endDate: t.sluttdato })),
  };
}

/** Maps a validated `stilling` to a Position. Holders keep DFØ's order. */
export function toPosition(s: ParsedStilling): Position {
  const holders: Holder[] = s.innehaver.map((h) => ({
    employeeId: h.innehaverAnsattnr,
    startDate: h.innehaverStartdato,
    endDate: h.innehaverSluttdato,
  }));
  return {
    id: s.id,
    name: s.stillingsnavn ?? s.stillingstittel,
    // An org id that is no DFØ id is kept as DFØ wrote it.
    orgId: s.organisasjonId === null ? null : (normaliseDfoId(s.organisasjonId) ?? s.organisasjonId),
    holders,
  };
}
