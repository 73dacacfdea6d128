/**
 * Sub-topology E, the validation step (CIS's "validate changes and syntax, add tag back to queue"):
 * each raw profile (profiles.raw) is judged by validateProfile.ts and tagged on the change-status
 * topic, destination `validation`: `valid` goes on to profiles.valid for the steps that match it to a
 * person; `invalid` carries every reason and the profile goes to the dead-letter topic with its
 * original bytes. Nothing is dropped: a record that is not even a raw profile is dead-lettered by the
 * runtime with the reason. Stateless; keyed like its input. The matching keys (nin) are never logged.
 */
import { record, type Processor, type ProcessorContext } from '../../runtime/api/index.ts';
import type { IgaDeps } from '../ports.ts';
import { changeStatusKey, profileChangeId, VALIDATION_DESTINATION, type ValidationTag } from '../contracts/changeStatus.ts';
import { deadLetterRecord } from '../contracts/deadLetter.ts';
import { PROFILE_HEADERS, rawProfileSchema, validProfileKey, type ValidProfile } from '../contracts/profiles.ts';
import type { PublishersConfig } from '../contracts/publishers.ts';
import { validateProfile } from './validateProfile.ts';

export const VALIDATION_OUTPUTS = { tags: 'validation-tags-sink', valid: 'valid-profiles-sink', dlq: 'validation-dlq-sink' } as const;

export function profileValidationProcessor(deps: IgaDeps & { publishers: PublishersConfig }): Processor<unknown> {
  let ctx: ProcessorContext;
  return {
    init(c) {
      ctx = c;
    },
    async process(r) {
      const parsed = rawProfileSchema.safeParse(r.value);
      if (!parsed.success) throw new Error(`invalid raw profile record: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const raw = parsed.data;
      const cfg = deps.publishers;
      const origin = ctx.recordOrigin();
      const rawAt = origin ? `${origin.topic}[${origin.partition}]@${origin.offset}` : null;
      const at = new Date(ctx.currentWallClockTime()).toISOString();
      const verdict = validateProfile(raw.publisher, raw.item, cfg);
      const headers = { [PROFILE_HEADERS.messageId]: raw.messageId, [PROFILE_HEADERS.publisher]: raw.publisher };
      const tag: ValidationTag = {
        changeId: profileChangeId(raw.messageId), destination: VALIDATION_DESTINATION, state: verdict.ok ? 'valid' : 'invalid',
        reasons: verdict.ok ? [] : verdict.reasons, publisher: raw.publisher, messageId: raw.messageId, policyVersion: cfg.version, raw: rawAt, at,
      };
      ctx.forward(record(changeStatusKey(tag.changeId, VALIDATION_DESTINATION), tag, r.timestamp, headers), VALIDATION_OUTPUTS.tags);
      if (verdict.ok) {
        const valid: ValidProfile = {
          publisher: raw.publisher, messageId: raw.messageId, receivedAt: raw.receivedAt, sourceId: verdict.profile.sourceId, profile: verdict.profile,
          signedBy: verdict.signedBy, policyVersion: cfg.version, validatedAt: at, raw: rawAt,
        };
        ctx.forward(record(validProfileKey(valid), valid, r.timestamp, headers), VALIDATION_OUTPUTS.valid);
        return;
      }
      ctx.log.info({ publisher: raw.publisher, messageId: raw.messageId, reasons: verdict.reasons, policyVersion: cfg.version }, 'profile refused by validation; tagged invalid and dead-lettered');
      const source = raw.source as { exchange?: string | null; routingKey?: string | null; contentType?: string | null };
      const dead = deadLetterRecord({
        reason: `invalid profile from ${raw.publisher}: ${verdict.reasons.join('; ')}`, source: 'validation', publisher: raw.publisher, reasons: verdict.reasons,
        exchange: source.exchange ?? null, routingKey: source.routingKey ?? null, messageId: raw.messageId, contentType: source.contentType ?? null, receivedAt: raw.receivedAt,
      }, Buffer.from(raw.bytesBase64, 'base64'));
      ctx.forward(record(raw.messageId, dead, r.timestamp, headers), VALIDATION_OUTPUTS.dlq);
    },
  };
}
