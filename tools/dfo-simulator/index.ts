/**
 * Public API of the DFØ simulator (demo, integration tests, benchmarks).
 */
export { startDfoSimulator, type DfoSimulator, type DfoSimulatorOptions, type PublishOptions } from './server.ts';
export { generateUniversity, type University, type UniversityOptions, type RawObject } from './dataset.ts';
export { randomQuirks, type Quirks, type Chance } from './quirks.ts';
export type { Faults } from './faults.ts';
