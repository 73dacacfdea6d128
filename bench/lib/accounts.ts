/**
 * Reads an app's accounts topic (`<app>.iga.accounts`, key account id, value the Account JSON that
 * iga-stream and the Kafka Streams peer both write) with read_committed, the latest value per key,
 * and checks it: how many accounts are active, and which usernames were given twice.
 */
import kafkajs from 'kafkajs';
import '../../src/runtime/kafka/kafkajsFixes.ts'; // the runtime's KafkaJS fix (no TimeoutNegativeWarning)

export interface AccountsCheck {
  accounts: number;
  active: number;
  /** Usernames held by more than one account. */
  duplicateUserNames: string[];
  /** Every username of an active account. */
  activeUserNames: Set<string>;
  /** The username of each person's active account, by employee id (personId). */
  activeByPerson: Map<string, string>;
}

/**
 * Consumes the whole topic: done once at least `expectedActive` accounts are active and nothing new
 * arrived for 2 s, or after `timeoutMs` (then the counts say what was there).
 */
export async function checkAccounts(brokers: string[], appId: string, expectedActive: number, timeoutMs = 120_000): Promise<AccountsCheck> {
  const kafka = new kafkajs.Kafka({ brokers, clientId: 'bench-accounts', logLevel: kafkajs.logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${appId}.bench-check-${Date.now().toString(36)}`, readUncommitted: false });
  const latest = new Map<string, { personId: string; userName: string; active: boolean }>();
  let lastArrival = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: `${appId}.iga.accounts`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        lastArrival = Date.now();
        const key = message.key?.toString() ?? '';
        if (message.value === null) latest.delete(key);
        else {
          const a = JSON.parse(message.value.toString()) as { personId: string; userName: string; active: boolean };
          latest.set(key, { personId: a.personId, userName: a.userName, active: a.active });
        }
      },
    });
    const until = Date.now() + timeoutMs;
    const activeCount = () => [...latest.values()].filter((a) => a.active).length;
    while (Date.now() < until && !(activeCount() >= expectedActive && Date.now() - lastArrival > 2_000)) {
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await consumer.disconnect();
  }
  const seen = new Map<string, number>();
  for (const a of latest.values()) seen.set(a.userName, (seen.get(a.userName) ?? 0) + 1);
  return {
    accounts: latest.size,
    active: [...latest.values()].filter((a) => a.active).length,
    duplicateUserNames: [...seen].filter(([, n]) => n > 1).map(([u]) => u),
    activeUserNames: new Set([...latest.values()].filter((a) => a.active).map((a) => a.userName)),
    activeByPerson: new Map([...latest.values()].filter((a) => a.active).map((a) => [a.personId, a.userName])),
  };
}
