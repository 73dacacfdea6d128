/** The stream runtime's public API. Code outside src/streams never imports ./internals. */
export { TopologyBuilder, changelogTopic, type BuiltTopology, type SubTopology, type TopicSpec } from './topology.ts';
export { record, withKey, withValue, type Processor, type ProcessorContext, type ProcessorSupplier, type StreamRecord, type RecordOrigin } from './processor.ts';
export { jsonSerde, type Serde } from './serde.ts';
export { StreamsApp, type StreamsOptions, type StreamsState } from './streamsApp.ts';
export { StreamsError, TaskMigratedError, isRetriable } from './errors.ts';
export { TopologyTestDriver } from './testDriver.ts';
export { GlobalTable, type GlobalTableOptions } from './globalTable.ts';
export { ReplicaStore, identityMapping, type ReplicaStoreOptions, type ReplicaMapping, type ReplicaRecord, type ReplicaWrite } from './replicaStore.ts';
export { TopicRecordReader, type StoredRecord, type ReadResult } from './recordReader.ts';
export { storeDigests, rebuildLocalStores, digestBytes, type StoreDigest, type RebuildEvent, type RebuildSummary } from './operations.ts';
export { copyTopicSince, type CopyProgress, type CopySummary } from './topicCopy.ts';
export { groupLag, type PartitionLag } from './groupLag.ts';
