/**
 * `iga-stream run`: the service against the configured brokers and DFØ gateway (production mode).
 * SIGTERM/SIGINT: finish the batch, commit, close; a second signal exits at once.
 */
import { loadConfig } from '../../app/config.ts';
import { policyFromEnv } from '../../app/policyConfig.ts';
import { rootLogger, setLogFormat } from '../../common/log.ts';
import { startService } from '../../app/service.ts';

export async function runCommand(): Promise<void> {
  const config = loadConfig();
  const policy = policyFromEnv(process.env);
  rootLogger.level = config.logLevel;
  setLogFormat(config.logFormat);
  // Signals are handled from the first moment: one that arrives during start-up closes the service
  // as soon as it is up (the default action would kill it without committing or closing).
  const starting = startService({ config, policy });
  installShutdown(async () => (await starting).close());
  const service = await starting;
  await service.ready;
}

/** First signal: graceful close; second: exit now. */
export function installShutdown(close: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (sig: string) => {
    if (stopping) {
      rootLogger.warn({ signal: sig }, 'second signal: exiting at once');
      process.exit(130);
    }
    stopping = true;
    rootLogger.info({ signal: sig }, 'shutting down (send the signal again to exit at once)');
    close().then(() => process.exit(0), (err) => { rootLogger.error({ err: String(err) }, 'shutdown failed'); process.exit(1); });
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}
