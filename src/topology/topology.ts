/**
 * The IGA topology (DESIGN.md): three sub-topologies joined by repartition topics.
 *   A  raw DFØ events (key kind:id) → dfo-events → person-events (key employee id)
 *   B  person-events → person → account → accounts / notify / audit / username-claims (key stem)
 *   C  username-claims → username-registry → person-events (grants)
 *   D  brake (key `brake`) → mass-change brake → person-events (block verdicts)
 */
import { topicNames } from '../config.ts';
import { TopologyBuilder, type BuiltTopology } from '../streams/index.ts';
import { internalTopics, type IgaDeps } from './deps.ts';
import { replayTopic } from '../replay/replayTopic.ts';
import { ACCOUNT_OUTPUTS, ACCOUNT_STORES, accountProcessor } from './processors/accountProcessor.ts';
import { DFO_EVENT_STORES, dfoEventProcessor } from './processors/dfoEventProcessor.ts';
import { PERSON_STORES, personProcessor } from './processors/personProcessor.ts';
import { USERNAME_STORES, usernameRegistry } from './processors/usernameRegistry.ts';
import { BRAKE_STORES, brakeProcessor } from './processors/brakeProcessor.ts';
import { brakeTopic } from './brakeMessages.ts';

const WEEK_MS = 7 * 24 * 3600 * 1000;

export function buildIgaTopology(deps: IgaDeps): BuiltTopology {
  const t = topicNames(deps.appId);
  const internal = internalTopics(deps.appId);
  const b = new TopologyBuilder()
    .addTopic({ name: t.raw, compacted: false, retentionMs: -1 })
    .addTopic({ name: t.accounts, compacted: true })
    .addTopic({ name: t.notify, compacted: false, retentionMs: 4 * WEEK_MS })
    .addTopic({ name: t.audit, compacted: false, retentionMs: -1 })
    .addTopic({ name: t.dlq, compacted: false, retentionMs: -1 })
    .addTopic({ name: internal.personEvents, compacted: false, retentionMs: WEEK_MS })
    .addTopic({ name: internal.usernameClaims, compacted: false, retentionMs: WEEK_MS })
    // Reprocess copies raw events here (src/replay). A second input of the raw step, so it must have
    // raw's partition count (start-up checks it).
    .addTopic({ name: replayTopic(deps.appId), compacted: false, retentionMs: WEEK_MS });
  b.addTopic({ name: brakeTopic(deps.appId), compacted: false, retentionMs: WEEK_MS });
  for (const s of [...DFO_EVENT_STORES, ...PERSON_STORES, ...ACCOUNT_STORES, ...USERNAME_STORES, ...BRAKE_STORES]) b.addStateStore(s);

  b.addSource('raw-source', [t.raw, replayTopic(deps.appId)])
    .addProcessor('dfo-events', () => dfoEventProcessor(deps), ['raw-source'], [...DFO_EVENT_STORES])
    .addSink('person-events-sink', internal.personEvents, ['dfo-events']);

  b.addSource('person-events-source', [internal.personEvents])
    .addProcessor('person', () => personProcessor(deps), ['person-events-source'], [...PERSON_STORES])
    .addProcessor('account', () => accountProcessor(deps), ['person'], [...ACCOUNT_STORES])
    .addSink(ACCOUNT_OUTPUTS.claims, internal.usernameClaims, ['account'])
    .addSink(ACCOUNT_OUTPUTS.accounts, t.accounts, ['account'])
    .addSink(ACCOUNT_OUTPUTS.notify, t.notify, ['account'])
    .addSink(ACCOUNT_OUTPUTS.audit, t.audit, ['account'])
    .addSink(ACCOUNT_OUTPUTS.brake, brakeTopic(deps.appId), ['account']);

  b.addSource('username-claims-source', [internal.usernameClaims])
    .addProcessor('username-registry', () => usernameRegistry(deps), ['username-claims-source'], [...USERNAME_STORES])
    .addSink('username-grants-sink', internal.personEvents, ['username-registry']);

  b.addSource('brake-source', [brakeTopic(deps.appId)])
    .addProcessor('brake', () => brakeProcessor(deps), ['brake-source'], [...BRAKE_STORES])
    .addSink('brake-verdicts-sink', internal.personEvents, ['brake']);

  return b.build();
}
