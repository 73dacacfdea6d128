/**
 * The benches' reading of the service's /metrics (bench/lib/serviceMetrics.ts): Prometheus text
 * parsed into series, and two snapshots turned into records by topic, changelog records by store
 * transactions and store writes dropped as unchanged per 1,000 notifications — of the app asked about only.
 */
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parsePrometheusText, producedPer1000, shortTopic } from '../../bench/lib/serviceMetrics.ts';

const app = 'bench-x-e2e';

test('short topic names drop the app id, the iga. and -repartition parts; the raw topic is raw', () => {
  assert.equal(shortTopic(app, `${app}.dfo.events`), 'raw');
  assert.equal(shortTopic(app, `${app}-person-events-repartition`), 'person-events');
  assert.equal(shortTopic(app, `${app}.iga.accounts`), 'accounts');
  assert.equal(shortTopic(app, 'elsewhere'), 'elsewhere');
});

test('records and transactions per 1,000 notifications between two scrapes', () => {
  const before = parsePrometheusText([
    '# HELP iga_streams_records_produced_total Records',
    '# TYPE iga_streams_records_produced_total counter',
    `iga_streams_records_produced_total{app="${app}",topic="${app}.iga.notify"} 10`,
    'iga_ingress_messages_total{outcome="accepted"} 5',
    `iga_streams_transactions_total{app="${app}"} 3`,
  ].join('\n'));
  const after = parsePrometheusText([
    `iga_streams_records_produced_total{app="${app}",topic="${app}.iga.notify"} 2010`,
    `iga_streams_records_produced_total{app="${app}",topic="${app}.iga.audit"} 4000`,
    `iga_streams_records_produced_total{app="${app}",topic="${app}-person-events-repartition"} 2000`,
    `iga_streams_records_produced_total{app="${app}",topic="${app}-accounts-changelog"} 2000`,
    `iga_streams_records_produced_total{app="${app}",topic="${app}-usernames-changelog"} 6000`,
    `iga_streams_records_produced_total{app="other",topic="other.iga.notify"} 99999`,
    'iga_ingress_messages_total{outcome="accepted"} 2005',
    'iga_ingress_messages_total{outcome="dead_lettered"} 7',
    `iga_streams_transactions_total{app="${app}"} 503`,
    `iga_streams_commits_total{app="${app}"} 1000`,
    `iga_streams_store_unchanged_writes_total{app="${app}",store="persons"} 600`,
    `iga_streams_store_unchanged_writes_total{app="${app}",store="timers"} 0`,
  ].join('\n'));
  assert.deepEqual(producedPer1000(app, 2000, before, after), {
    notifications: 2000,
    recordsByTopic: { raw: 1000, notify: 1000, audit: 2000, 'person-events': 1000, changelogs: 4000 },
    changelogsByStore: { accounts: 1000, usernames: 3000 },
    unchangedWritesByStore: { persons: 300 },
    records: 9000,
    transactions: 250,
    taskCommits: 500,
  });
});
