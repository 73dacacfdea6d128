/**
 * Waits for a line in a container's log (from its start), failing with the last lines when the
 * container stops first or the time runs out.
 */
import { createInterface } from 'node:readline';
import type { StartedTestContainer } from 'testcontainers';

export async function waitForLogLine(container: StartedTestContainer, text: string, timeoutMs: number): Promise<void> {
  const stream = await container.logs();
  const recent: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${text}" in the log of ${container.getName()} within ${timeoutMs} ms:\n${recent.join('\n')}`)), timeoutMs);
      const lines = createInterface({ input: stream });
      lines.on('line', (line) => {
        recent.push(line);
        if (recent.length > 30) recent.shift();
        if (line.includes(text)) { clearTimeout(timer); resolve(); }
      });
      lines.on('close', () => { clearTimeout(timer); reject(new Error(`${container.getName()} stopped before "${text}":\n${recent.join('\n')}`)); });
    });
  } finally {
    stream.destroy();
  }
}
