/**
 * The stream runtime, as the app (src/app, src/cli) and the operator features (src/features) use
 * it. Who imports what of src/runtime:
 * - processors and the topology (src/topology): ./api/index.ts only (records, processors, the
 *   topology builder, stores, serdes, errors);
 * - the app and the features: this file; for more, the public folders ./kafka (clients, security,
 *   member registry), ./replicas and ./ops;
 * - tests: besides the above, ./testing (TopologyTestDriver: a topology without a broker);
 * - nobody outside src/runtime: ./internals (test/architecture.test.ts checks it).
 */

// Running a topology: one member of the app's consumer group.
export { StreamsApp } from './streamsApp.ts';
export { changelogTopic } from './api/topologyBuilder.ts';
export { recordsProcessed } from './internals/metrics.ts';

// Replicas: a whole topic in every instance, and single records by their coordinates.
export { GlobalTable } from './replicas/globalTable.ts';
export { ReplicaStore, identityMapping, type ReplicaMapping } from './replicas/replicaStore.ts';
export { TopicRecordReader } from './replicas/recordReader.ts';
export type { RecordOrigin } from './api/processor.ts';

// Operator operations on a running app and its topics.
export { storeDigests, rebuildLocalStores, type StoreDigest, type RebuildEvent, type RebuildSummary } from './ops/operations.ts';
export { copyTopicSince } from './ops/topicCopy.ts';
export type { PartitionLag } from './ops/groupLag.ts';
