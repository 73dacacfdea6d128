/**
 * What the admin API needs of the person directory's held profiles: a read-only local replica of
 * the `held-matches` store's changelog (so any instance can list them) and a producer of release
 * records on the person-directory topic. A release goes to every partition, keyed by the held
 * profile's directory key, so the one directory task that holds it sees it whatever partitioner put
 * it there (as the brake's control records do).
 */
import { join } from 'node:path';
import { CONNECTOR_RETRY, createKafka } from '../../runtime/kafka/client.ts';
import { controlRecordSender } from '../../runtime/kafka/controlRecords.ts';
import type { Logger } from '../../common/log.ts';
import { gauge } from '../../common/metrics.ts';
import { ReplicaStore, changelogTopic } from '../../runtime/index.ts';
import { topicNames } from '../../topology/contracts/topics.ts';
import type { DirectoryRelease, HeldMatch } from '../../topology/contracts/directory.ts';
import { STORE } from '../../topology/contracts/stores.ts';

/** A held profile as the operator sees it: never the profile's attributes, only who sent it and why it waits. */
export type HeldMatchView = Pick<HeldMatch, 'messageId' | 'publisher' | 'sourceId' | 'reason' | 'candidates' | 'heldAt'> & { by: HeldMatch['profile']['by'] };

/** The running instance's admin (the gauge counts its replica on every scrape; a service restarted in one process replaces it). */
let current: MatchesAdmin | null = null;
gauge('iga_matches_held', 'Published profiles the person directory holds for an operator (ambiguous matches), as this instance\'s replica sees them', [], async (g) => {
  if (current?.isReady()) g.set((await current.held()).length);
});

export interface MatchesAdmin {
  /** Every held profile, oldest first. */
  held(): Promise<HeldMatchView[]>;
  get(messageId: string): Promise<HeldMatch | undefined>;
  /** Writes a release of `held` to `to`. */
  release(held: HeldMatch, to: DirectoryRelease['to'], by: string): Promise<void>;
  isReady(): boolean;
  lag(): number;
  close(): Promise<void>;
}

export function heldMatchView(h: HeldMatch): HeldMatchView {
  return { messageId: h.messageId, publisher: h.publisher, sourceId: h.sourceId, reason: h.reason, candidates: h.candidates, heldAt: h.heldAt, by: h.profile.by };
}

export async function startMatchesAdmin(opts: { brokers: string[]; appId: string; stateDir: string; log: Logger; clock: () => number }): Promise<MatchesAdmin> {
  const replica = new ReplicaStore({
    name: 'held-matches', topic: changelogTopic(opts.appId, STORE.heldMatches), brokers: opts.brokers,
    dir: join(opts.stateDir, opts.appId, 'replicas', 'held-matches'), clientId: `${opts.appId}-held-matches-replica`, log: opts.log,
  });
  await replica.start();
  const view = replica.view<HeldMatch>();
  const kafka = createKafka({ brokers: opts.brokers, clientId: `${opts.appId}-matches-control`, retry: CONNECTOR_RETRY, log: opts.log });
  const control = controlRecordSender(kafka, topicNames(opts.appId).personDirectory);

  async function held(): Promise<HeldMatchView[]> {
    const out: HeldMatchView[] = [];
    for await (const [, h] of view.range()) out.push(heldMatchView(h));
    return out.sort((a, b) => a.heldAt.localeCompare(b.heldAt) || a.messageId.localeCompare(b.messageId));
  }

  const admin: MatchesAdmin = {
    held,
    get: (messageId) => view.get(messageId),
    async release(h, to, by) {
      const value: DirectoryRelease = { type: 'release', messageId: h.messageId, to, by, at: new Date(opts.clock()).toISOString() };
      await control.send(h.directoryKey, value);
    },
    isReady: () => replica.isReady(),
    lag: () => replica.lag(),
    async close() {
      if (current === admin) current = null;
      await control.close();
      await replica.close();
    },
  };
  current = admin;
  return admin;
}
