/**
 * The IGA topology (README's diagram): four sub-topologies joined by repartition topics. Topic
 * names are in contracts/topics.ts, the stores of each step in contracts/stores.ts.
 *   A  raw and replay (key kind:id) → dfo-events → person-events (key employee id)
 *   B  person-events → person → account → accounts / notify / audit / username-claims (key stem) /
 *      brake (key `brake`: proposed blocks, census); account-inputs → account-inputs → account
 *   C  username-claims → username-registry → account-inputs (grants) / username-claims (passed on, key next stem)
 *   D  brake → mass-change brake → account-inputs (block verdicts)
 *   E  profiles.raw → validation → change-status (tag valid/invalid) / profiles.valid / dlq (invalid, original bytes);
 *      only with a publishers file (deps.publishers). Added last, so A–D keep their sub-topology ids and tasks.
 *   F  profiles.valid → profile-keys → person-directory (key the directory key: the nin's keyed hash, or a link)
 *   G  person-directory → person directory → person-events (source-profile, directory answers) /
 *      change-status (a profile held for an operator, `matching` tags)
 *      F and G only with a publishers file, added after E. B then also writes registrations and links to
 *      person-directory (account) and DFØ sides to person-events (person).
 */
import { TopologyBuilder, type BuiltTopology } from '../runtime/api/index.ts';
import type { IgaDeps } from './ports.ts';
import { topicNames } from './contracts/topics.ts';
import { STEP_STORES } from './contracts/stores.ts';
import { ACCOUNT_OUTPUTS, accountProcessor } from './processors/accountProcessor.ts';
import { accountInputsProcessor } from './processors/accountInputs.ts';
import { dfoEventProcessor } from './processors/dfoEventProcessor.ts';
import { personProcessor } from './processors/personProcessor.ts';
import { REGISTRY_OUTPUTS, usernameRegistry } from './processors/usernameRegistry.ts';
import { brakeProcessor } from './processors/brakeProcessor.ts';
import { profileValidationProcessor, VALIDATION_OUTPUTS } from './processors/profileValidation.ts';
import { PERSON_OUTPUTS } from './processors/personProcessor.ts';
import { profileKeysProcessor } from './processors/profileKeys.ts';
import { DIRECTORY_OUTPUTS, personDirectoryProcessor } from './processors/personDirectory.ts';

const WEEK_MS = 7 * 24 * 3600 * 1000;

export function buildIgaTopology(deps: IgaDeps): BuiltTopology {
  const t = topicNames(deps.appId);
  const b = new TopologyBuilder()
    .addTopic({ name: t.raw, compacted: false, retentionMs: -1 })
    .addTopic({ name: t.accounts, compacted: true })
    .addTopic({ name: t.notify, compacted: false, retentionMs: 4 * WEEK_MS })
    .addTopic({ name: t.audit, compacted: false, retentionMs: -1 })
    .addTopic({ name: t.dlq, compacted: false, retentionMs: -1 })
    .addTopic({ name: t.personEvents, compacted: false, retentionMs: WEEK_MS })
    .addTopic({ name: t.accountInputs, compacted: false, retentionMs: WEEK_MS })
    .addTopic({ name: t.usernameClaims, compacted: false, retentionMs: WEEK_MS })
    // Reprocess copies raw events here (src/features/replay). A second input of the raw step, so it must have
    // raw's partition count (start-up checks it).
    .addTopic({ name: t.replay, compacted: false, retentionMs: WEEK_MS })
    .addTopic({ name: t.brake, compacted: false, retentionMs: WEEK_MS });
  for (const s of Object.values(STEP_STORES).flat()) b.addStateStore(s);

  b.addSource('raw-source', [t.raw, t.replay])
    .addProcessor('dfo-events', () => dfoEventProcessor(deps), ['raw-source'], [...STEP_STORES.dfoEvents])
    .addSink('person-events-sink', t.personEvents, ['dfo-events']);

  b.addSource('person-events-source', [t.personEvents])
    .addProcessor('person', () => personProcessor(deps), ['person-events-source'], [...STEP_STORES.person])
    // Grants and verdicts skip the person step: they change nothing it keeps (accountInputs.ts).
    .addSource('account-inputs-source', [t.accountInputs])
    .addProcessor('account-inputs', () => accountInputsProcessor(deps), ['account-inputs-source'], [...STEP_STORES.accountInputs])
    .addProcessor(PERSON_OUTPUTS.account, () => accountProcessor(deps), ['person', 'account-inputs'], [...STEP_STORES.account])
    .addSink(ACCOUNT_OUTPUTS.claims, t.usernameClaims, ['account'])
    .addSink(ACCOUNT_OUTPUTS.accounts, t.accounts, ['account'])
    .addSink(ACCOUNT_OUTPUTS.notify, t.notify, ['account'])
    .addSink(ACCOUNT_OUTPUTS.audit, t.audit, ['account'])
    .addSink(ACCOUNT_OUTPUTS.brake, t.brake, ['account']);

  b.addSource('username-claims-source', [t.usernameClaims])
    .addProcessor('username-registry', () => usernameRegistry(deps), ['username-claims-source'], [...STEP_STORES.usernameRegistry])
    .addSink(REGISTRY_OUTPUTS.grants, t.accountInputs, ['username-registry'])
    // A claim whose namespace is used up goes on to the owner of the next stem of its chain.
    .addSink(REGISTRY_OUTPUTS.claims, t.usernameClaims, ['username-registry']);

  b.addSource('brake-source', [t.brake])
    .addProcessor('brake', () => brakeProcessor(deps), ['brake-source'], [...STEP_STORES.brake])
    .addSink('brake-verdicts-sink', t.accountInputs, ['brake']);

  const publishers = deps.publishers;
  if (publishers) {
    b.addTopic({ name: t.profilesRaw, compacted: false, retentionMs: -1 })
      .addTopic({ name: t.profilesValid, compacted: false, retentionMs: -1 })
      .addTopic({ name: t.changeStatus, compacted: true });
    b.addSource('profiles-raw-source', [t.profilesRaw])
      .addProcessor('profile-validation', () => profileValidationProcessor({ ...deps, publishers }), ['profiles-raw-source'])
      .addSink(VALIDATION_OUTPUTS.tags, t.changeStatus, ['profile-validation'])
      .addSink(VALIDATION_OUTPUTS.valid, t.profilesValid, ['profile-validation'])
      .addSink(VALIDATION_OUTPUTS.dlq, t.dlq, ['profile-validation']);

    const ninHashKey = deps.ninHashKey;
    if (!ninHashKey) throw new Error('the person directory needs the nin hash key (IGA_NIN_HASH_KEY) with a publishers file');
    b.addTopic({ name: t.personDirectory, compacted: false, retentionMs: WEEK_MS });
    b.addSource('profiles-valid-source', [t.profilesValid])
      .addProcessor('profile-keys', () => profileKeysProcessor({ ...deps, publishers, ninHashKey }), ['profiles-valid-source'])
      .addSink('profile-keys-sink', t.personDirectory, ['profile-keys']);
    b.addSource('person-directory-source', [t.personDirectory])
      .addProcessor('person-directory', () => personDirectoryProcessor(deps), ['person-directory-source'], [...STEP_STORES.personDirectory])
      .addSink(DIRECTORY_OUTPUTS.persons, t.personEvents, ['person-directory'])
      .addSink(DIRECTORY_OUTPUTS.tags, t.changeStatus, ['person-directory']);
    // B's own outputs to the directory and back to person-events (its sub-topology id stays).
    b.addSink(ACCOUNT_OUTPUTS.directory, t.personDirectory, [PERSON_OUTPUTS.account])
      .addSink(PERSON_OUTPUTS.personEvents, t.personEvents, ['person', 'account-inputs']);
  }

  return b.build();
}
