/**
 * The brake store (`brake`, owned by the mass-change brake, sub-topology D; its changelog is read
 * by the brake's admin API): six families of records under one key prefix each, set out in
 * stores.ts. Typed access, one accessor per family; every value is checked with its family's
 * schema as it is read, so a value written by a bug or by hand is refused by key and field
 * instead of being acted on. The schemas accept what every earlier version wrote (unknown fields
 * are kept).
 */
import { z } from 'zod';
import { prefixRange, type KeyValueStore, type ReadOnlyKeyValueStore } from '../../stores/keyValueStore.ts';
import type { AccountCensus } from './brake.ts';
import { causeSchema, dfoResponseLinkSchema } from './messages.ts';
import type { BrakeGroup, BrakeMember } from './stores.ts';

/** Keys of the brake store, one family per prefix. */
const K = {
  group: (id: string) => `group:${id}`,
  member: (id: string, employeeId: string) => `member:${id}|${employeeId}`,
  open: (causeKey: string) => `open:${causeKey}`,
  census: (partition: number) => `census:${String(partition).padStart(5, '0')}`,
  approved: (atMs: number, id: string) => `approved:${String(atMs).padStart(15, '0')}|${id}`,
  seq: 'seq',
} as const;

const brakeGroupSchema: z.ZodType<BrakeGroup> = z.looseObject({
  id: z.string().min(1), causeKey: z.string(), cause: causeSchema, status: z.enum(['collecting', 'pending']),
  size: z.number().int().nonnegative(), openedAt: z.string(), heldAt: z.string().optional(), reason: z.string().optional(),
});
const brakeMemberSchema: z.ZodType<BrakeMember> = z.looseObject({
  employeeId: z.string().min(1), accountId: z.string(), userName: z.string(), cause: causeSchema, dfoResponses: z.array(dfoResponseLinkSchema), at: z.string(),
});
const censusSchema: z.ZodType<AccountCensus> = z.looseObject({ type: z.literal('census'), partition: z.number().int().nonnegative(), active: z.number().int().nonnegative(), at: z.string() });
const groupIdSchema = z.string().min(1);
const countSchema = z.number().int().nonnegative();

/** A brake store value that is not what its key's family holds (a store written by a bug, or by hand). */
export class InvalidBrakeStoreValue extends Error {
  readonly retriable = false;
  constructor(key: string, error: z.ZodError) {
    super(`brake store: ${key}: ${error.issues.map((i) => `${i.path.join('.') || '(value)'}: ${i.message}`).join('; ')}`);
    this.name = 'InvalidBrakeStoreValue';
  }
}

function read<T>(schema: z.ZodType<T>, key: string, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new InvalidBrakeStoreValue(key, r.error);
  return r.data;
}

/**
 * The brake store, read: one typed accessor per key family, each value validated.
 * @throws InvalidBrakeStoreValue from any read whose value does not fit its family.
 */
export class BrakeStoreReader {
  private readonly store: ReadOnlyKeyValueStore<unknown>;

  constructor(store: ReadOnlyKeyValueStore<unknown>) {
    this.store = store;
  }

  async group(id: string): Promise<BrakeGroup | undefined> {
    return this.get(brakeGroupSchema, K.group(id));
  }

  /** Every group, collecting or pending, in key order. */
  async groups(): Promise<BrakeGroup[]> {
    return this.family(brakeGroupSchema, 'group:');
  }

  /** The members of group `id`. */
  async members(id: string): Promise<BrakeMember[]> {
    return this.family(brakeMemberSchema, K.member(id, ''));
  }

  async hasMember(id: string, employeeId: string): Promise<boolean> {
    return (await this.store.get(K.member(id, employeeId))) !== undefined;
  }

  /** The id of the collecting or pending group of `causeKey`. */
  async openGroup(causeKey: string): Promise<string | undefined> {
    return this.get(groupIdSchema, K.open(causeKey));
  }

  /** Active accounts after the latest census of every account task (null before any). */
  async activeAccounts(): Promise<number | null> {
    const census = await this.family(censusSchema, 'census:');
    return census.length === 0 ? null : census.reduce((n, c) => n + c.active, 0);
  }

  /** Blocks approved at or after `sinceMs` (the sliding window). */
  async approvedSince(sinceMs: number): Promise<number> {
    let n = 0;
    for await (const [k, v] of this.store.range({ gte: K.approved(sinceMs, ''), lt: 'approved:\uffff' })) n += read(countSchema, k, v);
    return n;
  }

  /** The id of the last group opened (0 before any). */
  async lastGroupId(): Promise<number> {
    return (await this.get(countSchema, K.seq)) ?? 0;
  }

  protected async keysBefore(prefix: string, below: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const [k] of this.store.range({ gte: prefix, lt: below })) keys.push(k);
    return keys;
  }

  private async get<T>(schema: z.ZodType<T>, key: string): Promise<T | undefined> {
    const v = await this.store.get(key);
    return v === undefined ? undefined : read(schema, key, v);
  }

  private async family<T>(schema: z.ZodType<T>, prefix: string): Promise<T[]> {
    const out: T[] = [];
    for await (const [k, v] of this.store.range(prefixRange(prefix))) out.push(read(schema, k, v));
    return out;
  }
}

/** The brake store, read and written by the brake (sub-topology D). */
export class BrakeStore extends BrakeStoreReader {
  private readonly rw: KeyValueStore<unknown>;

  constructor(store: KeyValueStore<unknown>) {
    super(store);
    this.rw = store;
  }

  putGroup(g: BrakeGroup): void {
    this.rw.put(K.group(g.id), g);
  }

  /** Removes group `id` with its members. */
  async deleteGroup(id: string): Promise<void> {
    for (const k of await this.keysBefore(K.member(id, ''), K.member(id, '\uffff'))) this.rw.delete(k);
    this.rw.delete(K.group(id));
  }

  putMember(id: string, m: BrakeMember): void {
    this.rw.put(K.member(id, m.employeeId), m);
  }

  setOpenGroup(causeKey: string, id: string): void {
    this.rw.put(K.open(causeKey), id);
  }

  deleteOpenGroup(causeKey: string): void {
    this.rw.delete(K.open(causeKey));
  }

  putCensus(c: AccountCensus): void {
    this.rw.put(K.census(c.partition), c);
  }

  /** Records `blocks` approved in group `id` at `atMs`. */
  addApproved(atMs: number, id: string, blocks: number): void {
    this.rw.put(K.approved(atMs, id), blocks);
  }

  /** Forgets the approvals before `ms` (they left the window). */
  async forgetApprovedBefore(ms: number): Promise<void> {
    for (const k of await this.keysBefore('approved:', K.approved(ms, ''))) this.rw.delete(k);
  }

  setLastGroupId(n: number): void {
    this.rw.put(K.seq, n);
  }
}
