/** What the console's pages read and write through: the services the JSON admin API uses too, and the audit writer. */
import type { BrakeService } from '../../brake/brakeService.ts';
import type { DeadLetterService } from '../../deadLetters/deadLetters.ts';
import type { ExplainService } from '../../explain/explainService.ts';
import type { OperatorAudit } from '../operatorAudit.ts';
import type { OverviewSource } from '../overviewSource.ts';
import type { ReconcileProgress, ReconcileReport, RunAuditRecord } from '../../reconcile/index.ts';

export interface ConsoleSources {
  explain: ExplainService;
  brake: BrakeService;
  overview: OverviewSource;
  deadLetters: Pick<DeadLetterService, 'list' | 'get' | 'redrive'>;
  reconcile: ReconcileFeed;
}

export interface PageDeps extends ConsoleSources {
  audit: Pick<OperatorAudit, 'write'>;
}

/** What the page needs of reconciliation. */
export interface ReconcileFeed {
  run(opts: { dryRun: boolean; trigger: 'admin'; onProgress: (p: ReconcileProgress) => void }): Promise<ReconcileReport>;
  running(): string | null;
  last(): ReconcileReport | null;
  latestRun(): Promise<RunAuditRecord | null>;
  /** The schedule in words (`off`, `every 6h`, `daily@03:30 (Europe/Oslo)`). */
  schedule: string;
}
