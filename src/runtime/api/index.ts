/**
 * What a topology may use of the stream runtime: the processor API (records, processors and their
 * context), the topology builder, serdes, the key-value store interface and the error tree. The size
 * of Kafka Streams' own processor API. Processors import from here and nowhere else in the runtime
 * (test/architecture.test.ts checks it).
 */
export { TopologyBuilder, changelogTopic, type BuiltTopology, type SubTopology, type TopicSpec } from './topologyBuilder.ts';
export { record, withKey, withValue, type Processor, type ProcessorContext, type ProcessorSupplier, type StreamRecord, type RecordOrigin } from './processor.ts';
export { jsonSerde, type Serde } from './serde.ts';
export { prefixRange, type KeyValueStore } from '../../stores/keyValueStore.ts';
export { StreamsError, TaskMigratedError, describeError, isRetriable } from './errors.ts';
