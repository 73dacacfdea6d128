/**
 * Simulators of the other sources than DFØ (tests and demo): the student system FS and the guest
 * portal as publishers of full profiles, with sample data and their quirks, and the sample
 * university's authority rules for them.
 */
export { generatePublisherData, type PlannedSend, type PublisherDataOptions, type Quirk, type SimPublisher } from './dataset.ts';
export { publishAmqp, publishHttp, type PublisherTarget, type SendResult } from './publisher.ts';
export { SAMPLE_AUTHORITY } from './sampleAuthority.ts';
