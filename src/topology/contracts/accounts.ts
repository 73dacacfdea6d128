/**
 * The accounts topic `<app>.iga.accounts` (compacted). Key the account id; value an Account
 * (src/iga/model.ts) as JSON, the account as of its latest version; a tombstone never (accounts are
 * blocked, not deleted).
 *
 * Writer: the account step (sub-topology B). Readers: the account replica of every instance (SCIM,
 * explain, the drivers' admin routes), and relying parties (with a schema registry, through the
 * subject `<app>.iga.accounts-value`: topicSchemas.ts). The same shape travels inside every notify
 * record (notify.ts).
 */
import { z } from 'zod';
import { AFFILIATION_KINDS, type AffiliationKind } from '../../iga/model.ts';

export const accountSchema = z.object({
  id: z.string().min(1), personId: z.string().min(1), userName: z.string().min(1), active: z.boolean(),
  givenName: z.string(), familyName: z.string(), displayName: z.string(), employeeNumber: z.string().nullable(),
  created: z.string(), lastModified: z.string(), version: z.number().int().positive(),
  // Only on accounts of persons a publisher knows (README "One person across sources").
  affiliationKinds: z.array(z.enum(AFFILIATION_KINDS as [AffiliationKind, ...AffiliationKind[]])).optional(),
  studentNumber: z.string().optional(),
});
