// Store speed at scale: 5,000+ deployments with a timeline each, then the queries the API and
// the loop run on every request / tick. Prints figures; run with `npx tsx bench/store.ts`
// (PostgreSQL part runs when TEST_PG_URL or the local server at 127.0.0.1:5432 answers).
// The bulk load goes through the Store API but with per-commit fsync off (it would only time
// the disk); durable write latency is then measured on the real settings, on the full tables.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Store } from '../src/core/store.js';
import type { DeploymentStatus } from '../src/core/types.js';
import { createPostgresStore } from '../src/store/postgres.js';
import { createSqliteStore } from '../src/store/sqlite.js';

const DEPLOYMENTS = Number(process.env.BENCH_DEPLOYMENTS ?? 5_000);
const EVENTS_PER = 4;
const PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const STATUSES: DeploymentStatus[] = ['healthy', 'rolled_back', 'scaled_up', 'escalated'];

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await fn();
  return [out, performance.now() - t];
}

async function median(fn: () => Promise<unknown>, runs = 30): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push((await timed(fn))[1]);
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
}

const t0 = 1_767_225_600_000;

async function load(store: Store): Promise<number> {
  // 8 loaders at once: PostgreSQL overlaps their round trips (appends still serialize on the head)
  const loader = async (from: number) => {
    for (let n = from; n < DEPLOYMENTS; n += 8) {
      const id = `dep-${n}`;
      await store.createDeployment(
        { service: `svc-${n % 25}`, environment: n % 3 ? 'prod' : 'staging', version: `v${n}`, at: t0 + n * 1000 },
        { id, source: 'bench', receivedAt: t0 + n * 1000, idempotencyKey: `k-${n}` },
      );
      for (let i = 0; i < EVENTS_PER; i++) {
        await store.append({ deploymentId: id, type: 'signals.collected', at: t0 + n * 1000 + i, actor: 'system', payload: { n, i, v: Math.sin(n + i) } });
      }
      if (n % 50 !== 0) {
        await store.setStatus(id, STATUSES[n % STATUSES.length]);
        await store.append({ deploymentId: id, type: 'watch.completed', at: t0 + n * 1000 + 9, actor: 'system', payload: {} });
      }
    }
  };
  const [, ms] = await timed(() => Promise.all(Array.from({ length: 8 }, (_, i) => loader(i))));
  return ms;
}

async function bench(name: string, store: Store, loadMs: number): Promise<void> {
  const events = (await store.verifyAudit()).checked;
  console.log(`${name}: ${DEPLOYMENTS} deployments + ${events} events (bulk load ${(loadMs / 1000).toFixed(1)} s, fsync off)`);
  const writeMs = await median(
    () => store.append({ deploymentId: 'dep-0', type: 'notification.sent', at: t0, actor: 'system', payload: { bench: true } }),
    200,
  );
  console.log(`  ${'append() durable, on the full table'.padEnd(46)} ${writeMs.toFixed(2).padStart(7)} ms median`);
  const q = async (label: string, fn: () => Promise<unknown[]>) => {
    const n = (await fn()).length;
    console.log(`  ${label.padEnd(46)} ${(await median(fn)).toFixed(2).padStart(7)} ms median (${n} rows)`);
  };
  await q('listDeployments() newest 100', () => store.listDeployments());
  await q('listDeployments({service, limit 50})', () => store.listDeployments({ service: 'svc-7', limit: 50 }));
  await q('listDeployments({status: rolled_back})', () => store.listDeployments({ status: 'rolled_back' }));
  await q('listDeployments({environment, before}) page', () =>
    store.listDeployments({ environment: 'prod', before: t0 + 2_000_000, limit: 50 }),
  );
  await q('unfinishedDeployments()', () => store.unfinishedDeployments());
  await q('events(one deployment)', () => store.events('dep-4321'));
  await q('audit({type: watch.completed, limit 100})', () => store.audit({ type: 'watch.completed', limit: 100 }));
  const [v, verifyMs] = await timed(() => store.verifyAudit());
  console.log(`  verifyAudit() over ${v.checked} events: ${verifyMs.toFixed(0)} ms (ok=${v.ok})`);
  await q('audit({afterSeq: tail-100})', () => store.audit({ afterSeq: v.checked - 100 }));
}

const dir = mkdtempSync(join(tmpdir(), 'bench-store-'));
try {
  const file = join(dir, 'bench.db');
  const fast = createSqliteStore(file, { synchronous: 'NORMAL' });
  const loadMs = await load(fast);
  await fast.close();
  const s = createSqliteStore(file);
  await bench('sqlite (WAL, synchronous=FULL)', s, loadMs);
  await s.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const schema = `bench_store_${process.pid}`;
const admin = new pg.Client({ connectionString: PG_URL });
try {
  await admin.connect();
} catch {
  console.log(`postgres: skipped (no server at ${PG_URL})`);
  process.exit(0);
}
try {
  const sep = PG_URL.includes('?') ? '&' : '?';
  const fast = await createPostgresStore(`${PG_URL}${sep}options=${encodeURIComponent('-c synchronous_commit=off')}`, { schema, max: 4 });
  const loadMs = await load(fast);
  await fast.close();
  await admin.query(`ANALYZE "${schema}".deployments, "${schema}".events`); // as autovacuum would after a bulk load
  const s = await createPostgresStore(PG_URL, { schema, max: 4 });
  await bench('postgres (synchronous_commit=on)', s, loadMs);
  await s.close();
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}
