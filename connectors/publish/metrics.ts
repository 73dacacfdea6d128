/** The publisher input's metrics: profiles by publisher, transport and outcome. */
import { counter } from '../../src/common/metrics.ts';

/** accepted: durably in Kafka, then answered 201 or acked; refused: answered 4xx/5xx (HTTP); dead_lettered: an AMQP message kept on the DLQ. */
export const publishedProfiles = () => counter('iga_publish_profiles_total', 'Published profiles by publisher, transport (http, amqp) and outcome (accepted, refused, dead_lettered)', ['publisher', 'transport', 'outcome']);
