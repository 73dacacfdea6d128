/**
 * Worker side of bench/scim.bench.ts: loads 50,000 accounts, starts the SCIM server and a bare Koa
 * server (fixed JSON body) on free ports, and reports their URLs to the parent thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { Account } from '../src/iga/model.ts';
import { AccountIndex } from '../src/scim/accountIndex.ts';
import { startScimServer } from '../src/scim/server.ts';
import { renderUser } from '../src/scim/render.ts';

const { accounts: n, token } = workerData as { accounts: number; token: string };

function makeAccount(i: number): Account {
  const hex = i.toString(16).padStart(12, '0');
  return {
    id: `${hex.slice(4, 12)}-0000-4000-8000-${hex}`, personId: String(100000 + i), userName: `u${i}@uib.no`, active: i % 10 !== 0,
    givenName: `Given${i}`, familyName: `Family${i}`, displayName: `Given${i} Family${i}`,
    employeeNumber: i % 7 === 0 ? null : String(100000 + i), created: '2020-01-01T00:00:00Z', lastModified: '2024-01-01T00:00:00Z', version: 1,
  };
}

const index = new AccountIndex();
const ids: string[] = [];
const userNames: string[] = [];
const t0 = performance.now();
for (let i = 1; i <= n; i++) {
  const a = makeAccount(i);
  index.upsert(a);
  if (i % 97 === 0) {
    ids.push(a.id);
    userNames.push(a.userName);
  }
}
const loadMs = performance.now() - t0;

const scim = await startScimServer({
  index, port: 0, resourceUriPrefix: 'https://gw-uib.intark.uh-it.no/iga/scim/v2',
  auth: { tokens: () => [{ name: 'bench', token }] }, rateLimit: false,
});

const fixed = renderUser(makeAccount(1), { resourceUriPrefix: 'https://gw-uib.intark.uh-it.no/iga/scim/v2' });
const bare = new Koa();
bare.use((ctx) => {
  ctx.body = fixed;
});
const bareServer = createServer({ keepAliveTimeout: 5000 }, bare.callback());
await new Promise<void>((r) => bareServer.listen(0, '127.0.0.1', r));
const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}`;

parentPort?.postMessage({ scimUrl: scim.url, bareUrl, ids, userNames, loadMs });
parentPort?.on('message', async (m) => {
  if (m === 'stop') {
    await scim.close();
    bareServer.close();
    bareServer.closeIdleConnections();
    parentPort?.close();
  }
});
