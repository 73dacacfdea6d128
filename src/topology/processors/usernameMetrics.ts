/** Prometheus metrics of the username registry (default prom-client registry), labelled by app. */
import { counter } from '../../common/metrics.ts';

/** Counted by the instance that runs the registry task (a retried transaction may count twice). */
export const usernameMetrics = {
  granted: counter('iga_username_grants_total', 'Username claims answered with a name, by the scheme of the namespace that granted it (counter, employee-id)', ['app', 'scheme']),
  passedOn: counter('iga_username_claims_passed_on_total', 'Username claims passed on to the next namespace of their chain because theirs had no free name left', ['app']),
};
