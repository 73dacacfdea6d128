/**
 * Sub-topology F, the profile-keys step: re-keys each valid profile (profiles.valid, key
 * `<publisher>:<sourceId>`) by the key it is matched by (contracts/directory.ts: the nin's keyed hash,
 * else the publisher's link, in the publishers file's matching order), so that every profile and
 * registration of one nin meets in one task of the person directory (G), one at a time: two
 * profiles with one nin arriving at once can never make two persons. The nin leaves here only as
 * its keyed hash; the value carries the governed attributes, never the nin or the link. Stateless.
 */
import { z } from 'zod';
import { record, type Processor, type ProcessorContext } from '../../runtime/api/index.ts';
import { governedAttributes } from '../../iga/sources.ts';
import type { IgaDeps } from '../ports.ts';
import { profileDirectoryKey, type DirectoryProfile } from '../contracts/directory.ts';
import type { ValidProfile } from '../contracts/profiles.ts';
import type { PublishersConfig } from '../contracts/publishers.ts';

const validProfileSchema = z.object({
  publisher: z.string().min(1), messageId: z.string().min(1), receivedAt: z.string(), sourceId: z.string().min(1),
  profile: z.record(z.string(), z.unknown()),
}).passthrough();

export function profileKeysProcessor(deps: IgaDeps & { publishers: PublishersConfig; ninHashKey: string }): Processor<unknown> {
  let ctx: ProcessorContext;
  return {
    init(c) {
      ctx = c;
    },
    async process(r) {
      const parsed = validProfileSchema.safeParse(r.value);
      if (!parsed.success) throw new Error(`invalid valid-profile record: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const v = parsed.data as unknown as ValidProfile;
      const { key, by } = profileDirectoryKey(deps.ninHashKey, { publisher: v.publisher, ...v.profile }, deps.publishers.matchOrder);
      const value: DirectoryProfile = {
        type: 'profile', publisher: v.publisher, by, ...(v.profile.link ? { link: v.profile.link } : {}),
        facts: { sourceId: v.sourceId, messageId: v.messageId, receivedAt: v.receivedAt, attributes: governedAttributes(v.profile) },
        cause: { kind: 'profile', id: v.messageId, amqpMessageId: null, raw: ctx.recordOrigin() },
      };
      ctx.forward(record(key, value, r.timestamp, r.headers));
    },
  };
}
