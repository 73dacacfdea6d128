/**
 * Closes AMQP connections from the broker's side, as an operator's `rabbitmqctl close_connection`
 * or a broker shutting a client out would: the client sees a server-initiated connection.close
 * (320 CONNECTION_FORCED). Connections are found by the `connection_name` client property that
 * iga-stream's connectors set. Needs `rabbitmqctl` of the local broker (installed with
 * rabbitmq-server), or in the containers mode the broker's container (IGA_TEST_RABBITMQ_CONTAINER,
 * reached with `docker exec`); fails loudly without it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const container = process.env.IGA_TEST_RABBITMQ_CONTAINER;

/** rabbitmqctl of the broker the tests use: the local one, or the one in the containers mode's container. */
function rabbitmqctl(args: string[], opts: { timeout: number }) {
  return container ? execFileAsync('docker', ['exec', container, 'rabbitmqctl', ...args], opts) : execFileAsync('rabbitmqctl', args, opts);
}

/** Broker pids of the open connections whose connection_name starts with `prefix`. */
export async function amqpConnectionsNamed(prefix: string): Promise<string[]> {
  // Tab-separated lines `<pid>\t[{"connection_name","…"},…]`; the JSON formatter's pids cannot be passed back.
  const { stdout } = await rabbitmqctl(['list_connections', 'pid', 'client_properties', '-q', '--no-table-headers'], { timeout: 20_000 });
  const needle = `{"connection_name","${prefix}`;
  return stdout.split('\n').filter((line) => line.includes(needle)).map((line) => line.split('\t')[0]!);
}

/** Closes every connection whose connection_name starts with `prefix`; returns how many. */
export async function closeAmqpConnections(prefix: string, reason = 'closed by a test'): Promise<number> {
  const pids = await amqpConnectionsNamed(prefix);
  // All at once: the connections of one client close together, as when a broker shuts it out.
  const results = await Promise.all(pids.map(async (pid) => {
    try {
      await rabbitmqctl(['close_connection', pid, reason, '-q'], { timeout: 20_000 });
      return 1;
    } catch (err) {
      // It may have closed by itself since it was listed; anything else is a broken test set-up.
      if (!/not_found|noproc|no such/i.test(String((err as { stderr?: string }).stderr ?? err))) throw err;
      return 0;
    }
  }));
  return results.reduce<number>((n, r) => n + r, 0);
}
