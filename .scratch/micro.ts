import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../src/store/sqlite.js';
const dir = mkdtempSync(join(tmpdir(), 'micro-'));
const store = createSqliteStore(join(dir, 'c.db'));
let u = 0;
async function createMany(n: number, withLookup: boolean): Promise<void> {
  await Promise.all(Array.from({ length: n }, async () => {
    u++;
    const spec = { service: `s-${u}`, environment: 'production', version: `v1.${u}`, at: Date.now() };
    if (withLookup) await store.listDeployments({ service: spec.service, environment: spec.environment, limit: 1 });
    const id = `dep${u.toString(36)}x`;
    await store.createDeployment(spec, { id, source: 'api', receivedAt: Date.now(), idempotencyKey: `k${u}`, firstEvent: { type: 'deployment.received', at: Date.now(), actor: 'system', payload: { deployment: spec, source: 'api', idempotencyKey: `k${u}` }, dedupeKey: `${id}:received` } });
  }));
}
for (let i = 0; i < 100; i++) await createMany(20, false);
for (const lookup of [false, true, false, true]) {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < 500; i++) await createMany(20, lookup);
  const c = process.cpuUsage(c0);
  console.log(`lookup=${lookup}: ${((c.user + c.system) / 10000).toFixed(1)} us CPU per create, wall ${((performance.now() - t0) * 1000 / 10000).toFixed(1)} us`);
}
const c0 = process.cpuUsage();
for (let i = 0; i < 10000; i++) await store.listDeployments({ service: `s-${i}`, environment: 'production', limit: 1 });
const c = process.cpuUsage(c0); console.log('lookup alone us', (c.user + c.system) / 10000);
await store.close();
