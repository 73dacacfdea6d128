/**
 * Creates topics and waits until the broker serves their metadata with a leader for every
 * partition. KafkaJS's `waitForLeaders` gives up on the first UNKNOWN_TOPIC_OR_PARTITION, which a
 * KRaft broker answers for a short while after creating a topic (seen on a freshly started broker),
 * so we poll ourselves. Topics that already exist (another instance was first) are fine, but may be
 * just as new: `waitForTopics` waits for those too.
 */
import type { Admin, ITopicConfig } from 'kafkajs';

const RETRIABLE = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_CONTROLLER', 'REQUEST_TIMED_OUT']);

export async function createTopicsAndWait(admin: Admin, topics: ITopicConfig[], timeoutMs = 30_000): Promise<void> {
  if (topics.length === 0) return;
  const until = Date.now() + timeoutMs;
  await admin.createTopics({ topics, waitForLeaders: false });
  await waitForTopics(admin, topics.map((t) => t.topic), Math.max(0, until - Date.now()));
}

/** Waits until every topic in `names` has metadata with a leader for each partition. */
export async function waitForTopics(admin: Admin, names: string[], timeoutMs = 30_000): Promise<void> {
  if (names.length === 0) return;
  const until = Date.now() + timeoutMs;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics: names });
      const ready = meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (ready && meta.topics.length === names.length) return;
    } catch (err) {
      const type = (err as { type?: string }).type ?? '';
      if (!RETRIABLE.has(type)) throw err;
    }
    if (Date.now() > until) throw new Error(`topics not ready after ${timeoutMs} ms: ${names.join(', ')}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}
