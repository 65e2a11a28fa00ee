import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStore } from '../src/store/sqlite.js';
const dir = mkdtempSync(join(tmpdir(), 'micro-'));
const store = createSqliteStore(join(dir, 'c.db'));
let u = 0;
async function createMany(n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, async () => {
    u++;
    const spec = { service: `s-${u}`, environment: 'production', version: `v1.${u}`, at: Date.now() };
    const id = `dep${u.toString(36)}x`;
    await store.createDeployment(spec, { id, source: 'api', receivedAt: Date.now(), idempotencyKey: `k${u}`, firstEvent: { type: 'deployment.received', at: Date.now(), actor: 'system', payload: { deployment: spec, source: 'api', idempotencyKey: `k${u}` }, dedupeKey: `${id}:received` },
      thenEvents: [{ type: 'watch.started', at: Date.now(), actor: 'system', payload: { windowSeconds: 600, baselineSeconds: 1800, stepSeconds: 15, verifySeconds: 180, approvalTimeoutSeconds: 1800 }, dedupeKey: `${id}:watch.started` }] });
  }));
}
for (let i = 0; i < 100; i++) await createMany(Number(process.env.B ?? 25));
const c0 = process.cpuUsage(); const t0 = performance.now();
for (let i = 0; i < 20000 / Number(process.env.B ?? 25); i++) await createMany(Number(process.env.B ?? 25));
const c = process.cpuUsage(c0);
console.log(`${process.env.NOFTS ? 'no fts' : 'fts'}: ${((c.user + c.system) / 20000).toFixed(1)} us CPU per create, wall ${((performance.now() - t0) * 1000 / 20000).toFixed(1)} us`);
process.kill(process.pid, 'SIGTERM');
