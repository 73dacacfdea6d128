/**
 * Sub-topology G, the person directory, keyed by a directory key (contracts/directory.ts). Every
 * profile and every DFØ registration of one nin meets here, in one task, one at a time, so one nin is
 * one person however the records race: the first to arrive owns the key. Stores `person-directory`
 * (directory key → DirectoryEntry) and `held-matches` (message id → HeldMatch).
 *   profile       matched by the key it came under (src/iga/matching.ts): a nin or a source id nobody
 *                 owns yet makes a new person `p-<uuid v5 of the key>`; a link (`emp:`/`acct:`) leads
 *                 to the person an issued account registered. Never guessed: a link to no one, or a
 *                 nin whose person has another employee number than the profile's link, is held for
 *                 an operator with the reason and the candidates (never the nin), and tagged `held`
 *                 on the change-status topic (destination `matching`). Otherwise the person gets a
 *                 `source-profile` event with the profile's governed attributes.
 *   dfo           a DFØ person registers its nin: free → it owns it; owned by a person first known
 *                 from a publisher and the DFØ person has no account → it becomes that person's DFØ
 *                 side (`merged`); otherwise `conflict` (two accounts already; they stay apart).
 *   link          an issued account's id or employee number: recorded, no answer.
 *   release       an operator's choice for a held profile (sent to every partition; the task that
 *                 holds it acts): the profile goes to that person, or to a new one; tagged `released`.
 */
import { z } from 'zod';
import { record, type KeyValueStore, type Processor, type ProcessorContext } from '../../runtime/api/index.ts';
import { matchPerson, type MatchVerdict } from '../../iga/matching.ts';
import type { IgaDeps } from '../ports.ts';
import { changeStatusKey, MATCHING_DESTINATION, profileChangeId, type MatchingTag } from '../contracts/changeStatus.ts';
import { isProfilePerson, profilePersonKey, releasedPersonKey, type DirectoryProfile, type DirectoryRecord, type HeldMatch } from '../contracts/directory.ts';
import type { PersonEvent } from '../contracts/messages.ts';
import { STORE, type DirectoryEntry } from '../contracts/stores.ts';

export const DIRECTORY_OUTPUTS = { persons: 'directory-answers-sink', tags: 'directory-tags-sink' } as const;

const cause = z.object({ kind: z.string(), id: z.string() }).passthrough();
const directoryRecordSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('profile'), publisher: z.string().min(1), by: z.enum(['nin', 'accountId', 'employeeNumber', 'source']),
    link: z.object({ accountId: z.string().optional(), employeeNumber: z.string().optional() }).optional(),
    facts: z.object({ sourceId: z.string(), messageId: z.string(), receivedAt: z.string(), attributes: z.record(z.string(), z.unknown()) }), cause,
  }),
  z.object({ type: z.literal('dfo'), employeeId: z.string().min(1), hasAccount: z.boolean(), cause }),
  z.object({ type: z.literal('link'), person: z.string().min(1) }),
  z.object({ type: z.literal('release'), messageId: z.string().min(1), to: z.union([z.object({ person: z.string().min(1) }), z.object({ newPerson: z.literal(true) })]), by: z.string().min(1), at: z.string() }),
]);

export function personDirectoryProcessor(_deps: IgaDeps): Processor<unknown> {
  let ctx: ProcessorContext;
  let entries: KeyValueStore<DirectoryEntry>;
  let held: KeyValueStore<HeldMatch>;
  const now = () => new Date(ctx.currentWallClockTime()).toISOString();

  /** The person a profile is about; a free nin or source id is registered to a new person now. */
  async function match(key: string, v: DirectoryProfile): Promise<MatchVerdict> {
    const entry = await entries.get(key);
    if (v.by === 'nin' || v.by === 'source') {
      if (!entry) {
        const person = profilePersonKey(key);
        entries.put(key, { person, by: 'profile', at: now() });
        return { kind: 'matched', personId: person, by: v.by === 'nin' ? 'nin' : 'accountId' };
      }
      const linked = v.link?.employeeNumber;
      // The nin's person has a known employee number: a link naming another is a disagreement, not a guess.
      if (v.by === 'nin' && linked !== undefined && entry.employeeNumber !== undefined && entry.employeeNumber !== linked) {
        return matchPerson({ nin: 'given', employeeNumber: linked }, { nin: [entry.person], employeeNumber: [linked] });
      }
      return { kind: 'matched', personId: entry.person, by: v.by === 'nin' ? 'nin' : 'accountId' };
    }
    return matchPerson({ [v.by]: 'given' }, { [v.by]: entry ? [entry.person] : [] }, [v.by]);
  }

  function tag(t: Omit<MatchingTag, 'changeId' | 'destination' | 'at'>, timestamp: number): void {
    const value: MatchingTag = { changeId: profileChangeId(t.messageId), destination: MATCHING_DESTINATION, ...t, at: now() };
    ctx.forward(record(changeStatusKey(value.changeId, MATCHING_DESTINATION), value, timestamp), DIRECTORY_OUTPUTS.tags);
  }

  function toPerson(person: string, v: DirectoryProfile, timestamp: number, releasedBy?: string): void {
    const event: PersonEvent = { type: 'source-profile', employeeId: person, publisher: v.publisher, facts: v.facts, cause: { ...v.cause, ...(releasedBy ? { releasedBy } : {}) } };
    ctx.forward(record(person, event, timestamp), DIRECTORY_OUTPUTS.persons);
  }

  return {
    init(c) {
      ctx = c;
      entries = c.getStateStore(STORE.personDirectory);
      held = c.getStateStore(STORE.heldMatches);
    },
    async process(r) {
      const parsed = directoryRecordSchema.safeParse(r.value);
      if (!parsed.success) throw new Error(`invalid directory record: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const v = parsed.data as DirectoryRecord;
      switch (v.type) {
        case 'profile': {
          const verdict = await match(r.key, v);
          const messageId = v.facts.messageId;
          if (verdict.kind !== 'matched') {
            const reason = verdict.kind === 'ambiguous' ? verdict.reason : 'no person';
            const candidates = verdict.kind === 'ambiguous' ? verdict.candidates : [];
            held.put(messageId, { messageId, publisher: v.publisher, sourceId: v.facts.sourceId, directoryKey: r.key, reason, candidates, heldAt: now(), profile: v });
            tag({ state: 'held', reasons: [reason], candidates, publisher: v.publisher, messageId }, r.timestamp);
            ctx.log.info({ publisher: v.publisher, messageId, reason, candidates }, 'profile held for an operator: its match is ambiguous');
            return;
          }
          toPerson(verdict.personId, v, r.timestamp);
          ctx.log.debug({ publisher: v.publisher, messageId, by: v.by, person: verdict.personId }, 'profile matched to a person');
          return;
        }
        case 'dfo': {
          const entry = await entries.get(r.key);
          let result: 'owner' | 'merged' | 'conflict';
          if (!entry) {
            entries.put(r.key, { person: v.employeeId, by: 'dfo', at: now(), employeeNumber: v.employeeId });
            result = 'owner';
          } else if (entry.person === v.employeeId) result = 'owner';
          else if (isProfilePerson(entry.person) && !v.hasAccount && (entry.employeeNumber === undefined || entry.employeeNumber === v.employeeId)) {
            if (entry.employeeNumber === undefined) entries.put(r.key, { ...entry, employeeNumber: v.employeeId });
            result = 'merged';
          } else result = 'conflict';
          const person = entry?.person ?? v.employeeId;
          if (result === 'conflict') ctx.log.warn({ employee: v.employeeId, person }, 'a DFØ person\'s nin belongs to another person and both have accounts (or DFØ sides); they stay apart');
          const event: PersonEvent = { type: 'directory', employeeId: v.employeeId, result, person, cause: v.cause };
          ctx.forward(record(v.employeeId, event, r.timestamp), DIRECTORY_OUTPUTS.persons);
          return;
        }
        case 'link': {
          const entry = await entries.get(r.key);
          if (entry?.person !== v.person) entries.put(r.key, { person: v.person, by: 'account', at: now() });
          return;
        }
        case 'release': {
          const h = await held.get(v.messageId);
          // Sent to every partition: only the task that holds it acts; a second release finds nothing.
          if (!h || h.directoryKey !== r.key) return;
          const person = 'person' in v.to ? v.to.person : releasedPersonKey(v.messageId);
          held.delete(v.messageId);
          toPerson(person, h.profile, r.timestamp, v.by);
          tag({ state: 'released', reasons: [h.reason], candidates: h.candidates, publisher: h.publisher, messageId: h.messageId, person, by: v.by }, r.timestamp);
          ctx.log.info({ publisher: h.publisher, messageId: h.messageId, person, by: v.by }, 'held profile released by an operator');
          return;
        }
      }
    },
  };
}
