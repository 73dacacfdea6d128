/**
 * A steady load of DFØ notifications, as DFØ sends them during a busy hour: the university's
 * positions announced one after another at a fixed rate through the simulator. A notification
 * counts as sent once RabbitMQ confirmed it; while the broker is unreachable the same notification
 * is tried again (DFØ would), and afterwards the pace resumes without a catch-up burst.
 */
import type { DfoSimulator } from '../../../tools/dfo-simulator/index.ts';

export interface Sent { positionId: string; messageId: string; at: number }

export interface SteadyLoad {
  /** Every confirmed notification, in order. */
  readonly sent: Sent[];
  /** Publish attempts that failed (broker unreachable) and were tried again. */
  readonly failedAttempts: number;
  /** Stops after the notification in hand; resolves when the loop has ended. */
  stop(): Promise<void>;
  /** Resolves when every position was announced (or the load was stopped). */
  readonly done: Promise<void>;
}

export function startSteadyLoad(sim: DfoSimulator, positionIds: string[], perSecond: number): SteadyLoad {
  const sent: Sent[] = [];
  let failedAttempts = 0;
  let stopped = false;
  const interval = 1000 / perSecond;
  const done = (async () => {
    let next = Date.now();
    for (let i = 0; i < positionIds.length && !stopped;) {
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (stopped) break;
      try {
        const { messageId } = await sim.publish('stillinger', positionIds[i]!);
        sent.push({ positionId: positionIds[i]!, messageId, at: Date.now() });
        i++;
        // Steady: after an outage the pace resumes from now instead of catching up.
        next = Math.max(next + interval, Date.now() - interval);
      } catch {
        failedAttempts++;
        next = Date.now() + 100;
      }
    }
  })();
  return {
    sent,
    get failedAttempts() { return failedAttempts; },
    async stop() {
      stopped = true;
      await done;
    },
    done,
  };
}
