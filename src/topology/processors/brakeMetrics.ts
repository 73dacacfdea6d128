/** Prometheus metrics of the mass-change brake (default prom-client registry), labelled by app. */
import { counter as anyCounter, gauge as anyGauge } from '../../common/metrics.ts';

const counter = (name: string, help: string) => anyCounter(name, help, ['app']);
const gauge = (name: string, help: string) => anyGauge(name, help, ['app']);

/** Counted by the instance that runs the brake task (a retried transaction may count twice). */
export const brakeMetrics = {
  pendingGroups: gauge('iga_brake_pending_groups', 'Groups of blocks held by the mass-change brake, awaiting an operator'),
  pendingBlocks: gauge('iga_brake_pending_blocks', 'Blocks in held groups, awaiting an operator'),
  approved: counter('iga_brake_approved_blocks_total', 'Blocks the brake let through without holding them'),
  held: counter('iga_brake_held_blocks_total', 'Blocks the brake held (including later members of a held group)'),
  released: counter('iga_brake_released_blocks_total', 'Held blocks released by an operator'),
  discarded: counter('iga_brake_discarded_blocks_total', 'Held blocks discarded by an operator'),
};
