/**
 * The DFØ simulator in a worker thread, so its HTTP answers do not share an event loop with the
 * benchmark driver. workerData: `{ dataset: 'university', employees, positions, seed, today, names? }` or
 * `{ dataset: 'one-holder', count, today }` (each position held by one current employee: one
 * notification → one account). Posts `{ url }` once listening; stops on the message 'stop'.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startDfoSimulator } from '../../tools/dfo-simulator/index.ts';
import { oneHolderUniversity, type BenchDataset } from './datasets.ts';
import { generateUniversity } from '../../tools/dfo-simulator/dataset.ts';

const spec = workerData as BenchDataset;
const dataset = spec.dataset === 'university'
  ? generateUniversity({ seed: spec.seed, employees: spec.employees, positions: spec.positions, today: spec.today, ...(spec.names ? { names: spec.names } : {}) })
  : oneHolderUniversity(spec.count, spec.today);
const sim = await startDfoSimulator({ dataset });
parentPort!.postMessage({ url: sim.url });
parentPort!.on('message', async (m) => {
  if (m === 'stop') {
    await sim.close();
    parentPort!.postMessage('stopped');
    process.exit(0);
  }
});
