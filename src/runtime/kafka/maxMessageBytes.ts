/**
 * Kafka's largest accepted record batch for the topics a connector writes, read at start-up so
 * the connector never sends what the broker must refuse: a record that cannot fit is dead-lettered
 * with a reason instead of being retried forever, and batches are cut to fit. The value is the
 * topic's `max.message.bytes` (its own setting or the broker's `message.max.bytes`).
 */
import kafkajs, { type Kafka } from 'kafkajs';
import type { Logger } from '../../common/log.ts';

/** Kafka's default message.max.bytes (1 MiB + 12 bytes of batch overhead). */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/** The smallest `max.message.bytes` of `topics`; Kafka's default when the broker will not say. */
export async function maxMessageBytes(kafka: Kafka, topics: string[], log: Logger): Promise<number> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name, configNames: ['max.message.bytes'] })),
    });
    const values = resources.flatMap((r) => r.configEntries.filter((e) => e.configName === 'max.message.bytes').map((e) => Number(e.configValue)));
    const valid = values.filter((v) => Number.isSafeInteger(v) && v > 0);
    if (valid.length < topics.length) throw new Error(`no max.message.bytes in the answer for ${topics.join(', ')}`);
    return Math.min(...valid);
  } catch (err) {
    log.warn({ err: String(err), topics, assumed: KAFKA_DEFAULT_MAX_MESSAGE_BYTES }, "could not read the topics' max.message.bytes (DescribeConfigs); assuming Kafka's default");
    return KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
