// Load on the real service: starts `devops-commander serve` as its own process (SQLite,
// watches in-process; then PostgreSQL + two `worker` processes with the pg-boss queue), drives
// it from this process (autocannon for intake, plain fetch for the rest) and prints what it
// measured:
//   intake       POST /api/deployments, unique deploys, 10 and 50 connections; stored == acknowledged
//   watches      N watches at once: event-loop lag p99 (the service's own monitorEventLoopDelay,
//                from /metrics) and GET /healthz p50/p99 seen by a client, ticks done vs due
//   SIGTERM      time to exit with those watches running; restart: all resumed, ticking again
//   list         GET /api/deployments?limit=500 p50 at M deployments with full timelines
//   audit        GET /api/audit/verify (first = full walk, then from the checkpoint), ?q= search
//
//   npx tsx bench/load.ts [--only sqlite|postgres] [--seconds 20] [--watches 5000]
//                         [--deployments 20000] [--root DIR] [--pg URL] [--phases intake,watches,list]
// --root runs another checkout's service and store code (e.g. the commit before) with the same
// load, for before/after figures. Defaults take about 3 minutes per store on 2 cores.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Store } from '../src/core/store.js';

const { values: opt } = parseArgs({
  options: {
    only: { type: 'string' },
    seconds: { type: 'string', default: '20' },
    watches: { type: 'string', default: '5000' },
    deployments: { type: 'string', default: '20000' },
    root: { type: 'string', default: resolve(import.meta.dirname, '..') },
    pg: { type: 'string', default: process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
    /** which parts to run: intake, watches (with SIGTERM and resume), list (with audit) */
    phases: { type: 'string', default: 'intake,watches,list' },
  },
});
const PHASES = new Set(opt.phases!.split(','));
const SECONDS = Number(opt.seconds);
const WATCHES = Number(opt.watches);
const DEPLOYMENTS = Number(opt.deployments);
const ROOT = resolve(opt.root!);
const STEP_SECONDS = 15;
const T0 = Date.now();

// ---------------------------------------------------------------------------------------------
// the service as a process

interface Proc {
  child: ChildProcess;
  url?: string;
  out: string[];
  exited: Promise<number | null>;
}

// the built service when there is one (what users run; `npm run build` after changing src/),
// else the sources through tsx
const BUILT = join(ROOT, 'dist/src/cli/main.js');
const ENTRY = existsSync(BUILT) ? [BUILT] : ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];

/** every service process started, so none outlives the bench (an error mid-run included) */
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

function startProc(args: string[], ready: RegExp): Promise<Proc> {
  const child = spawn(process.execPath, [...ENTRY, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const p: Proc = { child, out: [], exited: new Promise((r) => child.on('exit', (code) => r(code))) };
  return new Promise((resolveReady, reject) => {
    const onLine = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        p.out.push(line);
        if (p.out.length > 2000) p.out.splice(0, 1000);
        const m = ready.exec(line);
        if (m && !p.url) {
          p.url = m[1];
          resolveReady(p);
        }
      }
    };
    child.stdout!.on('data', onLine);
    child.stderr!.on('data', onLine);
    void p.exited.then((code) => reject(new Error(`${args[0]} exited (${code}) before it was ready:\n${p.out.slice(-20).join('\n')}`)));
    setTimeout(() => reject(new Error(`${args[0]} not ready after 120 s:\n${p.out.slice(-20).join('\n')}`)), 120_000).unref();
  });
}

async function stopProc(p: Proc): Promise<number> {
  const t = performance.now();
  p.child.kill('SIGTERM');
  const hard = setTimeout(() => p.child.kill('SIGKILL'), 60_000);
  await p.exited;
  clearTimeout(hard);
  return performance.now() - t;
}

interface Target {
  name: string;
  config(dir: string, over?: Record<string, unknown>): Record<string, unknown>;
  /** extra processes next to serve (workers) */
  workers: number;
  /** deployments stored, unfinished, and how many of `ids` are stored */
  count(dir: string, ids?: string[]): Promise<{ deployments: number; unfinished: number; acknowledgedStored: number }>;
  openStore(dir: string): Promise<Store>;
  /** after the bulk load: what the database would do by itself soon (statistics) */
  afterLoad?(dir: string): Promise<void>;
  cleanup(): Promise<void>;
}

function writeConfig(dir: string, cfg: Record<string, unknown>): string {
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  // YAML is a superset of JSON
  writeFileSync(file, JSON.stringify(cfg, null, 1));
  return file;
}

interface Service {
  serve: Proc;
  workers: Proc[];
  workerMetrics: string[];
}

async function startService(t: Target, dir: string, over: Record<string, unknown> = {}): Promise<Service> {
  const file = writeConfig(dir, t.config(dir, over));
  const serve = await startProc(['serve', '--config', file], /listening on (http:\/\/\S+)/);
  const workers = await Promise.all(
    Array.from({ length: t.workers }, () => startProc(['worker', '--config', file, '--metrics-port', '0'], /ready: .*metrics on (http:\/\/\S+)/)),
  );
  // a worker prints its metrics URL ending in /metrics; metrics() adds that itself
  return { serve, workers, workerMetrics: workers.map((w) => w.url!.replace(/\/metrics$/, '')).filter(Boolean) };
}

async function stopService(s: Service): Promise<number> {
  const t = performance.now();
  await Promise.all([stopProc(s.serve), ...s.workers.map(stopProc)]);
  return performance.now() - t;
}

// ---------------------------------------------------------------------------------------------
// measurements

const pct = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};
const ms = (x: number): string => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '-');

async function timedGet(url: string): Promise<[number, Response]> {
  const t = performance.now();
  const r = await fetch(url);
  await r.arrayBuffer();
  return [performance.now() - t, r];
}

/** values of several metrics from one scrape (the service's lag histogram resets on each) */
async function metrics(url: string, ...names: string[]): Promise<number[]> {
  const lines = (await (await fetch(`${url}/metrics`)).text()).split('\n');
  return names.map((name) => {
    const line = lines.find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
    return line ? Number(line.split(' ').pop()) : NaN;
  });
}
const metric = async (url: string, name: string): Promise<number> => (await metrics(url, name))[0];

let unique = 0;
function deployBody(prefix: string): string {
  unique += 1;
  return JSON.stringify({ service: `${prefix}-${unique.toString(36)}`, environment: 'production', version: `v1.${unique % 1000}.0-good` });
}

async function intake(url: string, connections: number, prefix: string): Promise<{ rps: number; p50: number; p99: number; acked: string[]; errors: number }> {
  const acked: string[] = [];
  const r = await autocannon({
    // the ids the service acknowledged (201), to look each one up in the store afterwards
    setupClient: (client) => {
      client.on('body', (buf: Buffer) => {
        const m = /^\{"id":"([^"]+)","created":true/.exec(buf.toString());
        if (m) acked.push(m[1]);
      });
    },
    url: `${url}/api/deployments`,
    connections,
    duration: SECONDS,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: deployBody(prefix) }) }],
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, acked, errors: r.errors + r.timeouts + (r.non2xx ?? 0) };
}

/** POST n unique deployments, `parallel` at a time (seeding, not measured) */
async function seed(url: string, n: number, prefix: string, parallel = 32): Promise<number> {
  let ok = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < n) {
        next++;
        try {
          const r = await fetch(`${url}/api/deployments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: deployBody(prefix) });
          await r.arrayBuffer();
          if (r.status === 201) ok++;
        } catch {
          // an overloaded service may drop a connection: that deployment is simply not seeded
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }),
  );
  return ok;
}

async function sampleHealth(url: string, seconds: number): Promise<number[]> {
  const lat: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    lat.push((await timedGet(`${url}/healthz`))[0]);
    await new Promise((r) => setTimeout(r, 20));
  }
  return lat;
}

// ---------------------------------------------------------------------------------------------
// a realistic finished timeline per deployment, loaded through the Store API (list + audit)

async function bulkLoad(store: Store, n: number): Promise<number> {
  let events = 0;
  const one = async (i: number): Promise<void> => {
    const id = `depbench${i.toString(36)}`;
    const at = T0 - (n - i) * 60_000;
    const service = `svc-${i % 200}`;
    await store.createDeployment({ service, environment: i % 4 ? 'production' : 'staging', version: `v2.${i}.0`, previousVersion: `v2.${i - 1}.0`, at }, { id, source: 'bench', receivedAt: at, idempotencyKey: `bench-${i}` });
    const bad = i % 5 === 0;
    const add = (type: string, payload: Record<string, unknown>, dt: number, actor = 'system') =>
      store.append({ deploymentId: id, type: type as never, at: at + dt, actor, payload, dedupeKey: `${id}:${type}:${dt}` });
    const finding = (k: number) => ({
      id: `metric_shift:m${k}`, kind: 'metric_shift', subject: ['error_rate', 'latency_p95_ms', 'memory_bytes'][k % 3], severity: bad ? 0.9 : 0.1, direction: 'up', comparison: 'before_after',
      stats: { before: 0.002, after: bad ? 0.07 : 0.0021, p: bad ? 1e-6 : 0.4, effect: bad ? 35 : 1.05 },
      text: bad ? `error_rate up 35x after deploy of v2.${i}.0 (p<0.001)` : 'error_rate unchanged', evidence: { range: [at, at + 300_000], samples: [`TypeError: Cannot read properties of undefined (reading 'price') request ${i}`] },
    });
    await add('deployment.received', { deployment: { service, version: `v2.${i}.0` }, source: 'bench' }, 0);
    await add('watch.started', { windowSeconds: 600, baselineSeconds: 1800, stepSeconds: 15, verifySeconds: 180, approvalTimeoutSeconds: 1800 }, 1);
    for (let k = 1; k <= 4; k++) await add('signals.collected', { tick: k, from: at - 1_800_000, to: at + k * 15_000, counts: { metrics: { error_rate: 120 + k, latency_p95_ms: 120 + k }, logs: 400 + k, spans: 0 }, problems: [] }, k * 15_000);
    const headline = bad ? `Error rate 7.0% vs 0.2% before v2.${i}.0; new error ×412: TypeError` : `No change since v2.${i}.0`;
    await add('analysis.completed', { tick: 4, analysis: { at: at + 60_000, deployAt: at, findings: [finding(0), finding(1), finding(2)], coverage: { error_rate: 1 }, canary: false }, findingIds: 'a,b,c' }, 60_001);
    await add('summary.written', { tick: 4, summary: { headline, lines: [], text: headline, author: 'deterministic' } }, 60_002);
    const action = bad ? 'rollback' : 'continue';
    await add('decision.made', { decisionId: `${id}-d4`, tick: 4, decision: { action, confidence: bad ? 0.93 : 0.88, reasons: [bad ? 'error_rate up 35x after deploy (p<0.001)' : 'healthy'], policyVersion: 'bench' }, guard: { mode: 'execute', reason: 'confident' }, headline }, 60_003, 'policy:bench');
    if (bad) {
      await add('action.requested', { actionId: `${id}-d4-a`, decisionId: `${id}-d4`, action, actuator: 'simulated', reason: 'confident', automatic: true }, 60_004);
      await add('action.executed', { actionId: `${id}-d4-a`, decisionId: `${id}-d4`, action, detail: `rolled ${service} back`, changes: {} }, 60_005);
    }
    await add('outcome.verified', { outcome: { recovered: true, action, detail: 'healthy', reward: 1 } }, 600_000);
    await add('watch.completed', { status: bad ? 'rolled_back' : 'healthy', reason: 'window ended' }, 600_001);
    await store.setStatus(id, bad ? 'rolled_back' : 'healthy');
    events += bad ? 13 : 11;
  };
  // many at once: a store that batches writes commits them together
  for (let i = 0; i < n; i += 500) await Promise.all(Array.from({ length: Math.min(500, n - i) }, (_, k) => one(i + k)));
  return events;
}

// ---------------------------------------------------------------------------------------------

type Row = [string, string];

async function runTarget(t: Target): Promise<Row[]> {
  const rows: Row[] = [];
  const say = (what: string, value: string): void => {
    rows.push([what, value]);
    console.log(`  ${what.padEnd(48)} ${value}`);
  };
  console.log(`\n== ${t.name} (${ROOT}) ==`);

  // 1. intake: watch.stepSeconds long enough that no watch ticks during the 2 × SECONDS of load,
  // so the figure is the intake's own (deployments still start their watches)
  if (PHASES.has('intake')) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-load-'));
    try {
      const s = await startService(t, dir, { watch: { stepSeconds: 600 } });
      const url = s.serve.url!;
      const acked: string[] = [];
      for (const connections of [10, 50]) {
        const r = await intake(url, connections, `i${connections}`);
        acked.push(...r.acked);
        say(`intake, ${connections} connections, ${SECONDS} s`, `${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms${r.errors ? `, ${r.errors} errors/non-2xx` : ''}`);
      }
      await stopService(s);
      const c = await t.count(dir, acked);
      // requests still in flight when the load stopped may be stored without their answer being read
      say('intake: every acknowledged one stored', `${acked.length} acknowledged (201), ${c.acknowledgedStored} of them stored ${c.acknowledgedStored === acked.length ? '(nothing lost)' : '(LOST SOME)'}; ${c.deployments} stored in all`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // 2. many watches at once, then SIGTERM and resume
  if (PHASES.has('watches')) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-load-'));
    try {
      let s = await startService(t, dir);
      const url = s.serve.url!;
      const t0 = performance.now();
      const created = await seed(url, WATCHES, 'w');
      console.log(`  (seeded ${created} watches in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      // let them all fall due at least once, then measure over two steps
      await new Promise((r) => setTimeout(r, STEP_SECONDS * 1000));
      const lagUrls = [url, ...s.workerMetrics];
      const ticks0 = await Promise.all(lagUrls.map((u) => metric(u, 'commander_tick_duration_seconds_count')));
      await Promise.all(lagUrls.map((u) => metric(u, 'commander_nodejs_eventloop_lag_p99_seconds'))); // resets the window
      const window = 2 * STEP_SECONDS;
      const health = await sampleHealth(url, window);
      const lags = await Promise.all(lagUrls.map((u) => metrics(u, 'commander_nodejs_eventloop_lag_p99_seconds', 'commander_nodejs_eventloop_lag_max_seconds')));
      const lag = lags.map((x) => x[0]);
      const lagMax = lags.map((x) => x[1]);
      const ticks1 = await Promise.all(lagUrls.map((u) => metric(u, 'commander_tick_duration_seconds_count')));
      const done = ticks1.reduce((a, x, i) => a + (Number.isFinite(x - ticks0[i]) ? x - ticks0[i] : 0), 0) / window;
      const who = (xs: number[]) => xs.map((x, i) => `${i === 0 ? 'serve' : `worker ${i}`} ${ms(x * 1000)} ms`).join(', ');
      say(`${created} watches: event-loop lag p99 (max)`, `${who(lag)} (max ${who(lagMax)})`);
      say(`${created} watches: GET /healthz`, `p50 ${ms(pct(health, 0.5))} ms, p99 ${ms(pct(health, 0.99))} ms, max ${ms(Math.max(...health))} ms (${health.length} requests)`);
      say(`${created} watches: ticks done / due per second`, `${done.toFixed(0)} / ${(created / STEP_SECONDS).toFixed(0)}`);
      const before = (await t.count(dir)).unfinished;
      const stopMs = await stopService(s);
      const after = await t.count(dir);
      say(`SIGTERM with ${created} watches`, `${(stopMs / 1000).toFixed(1)} s to exit; ${after.unfinished} unfinished on the timeline (${before} before)`);
      s = await startService(t, dir);
      const resumedLine = s.serve.out.find((l) => /resumed \d+ unfinished/.test(l));
      const resumedInServe = Number(/resumed (\d+)/.exec(resumedLine ?? '')?.[1] ?? 0);
      // ticking again: the tick counter moves in the process that runs the watches
      const runners = s.workerMetrics.length ? s.workerMetrics : [s.serve.url!];
      let ticked = 0;
      const until = performance.now() + 2 * STEP_SECONDS * 1000 + 30_000;
      while (ticked === 0 && performance.now() < until) {
        await new Promise((r) => setTimeout(r, 1000));
        ticked = (await Promise.all(runners.map((u) => metric(u, 'commander_tick_duration_seconds_count')))).reduce((a, x) => a + (x || 0), 0);
      }
      const handedBack = t.workers ? `${after.unfinished} re-queued` : `${resumedInServe} resumed`;
      say('restart after SIGTERM', `${handedBack} of ${after.unfinished}; ${ticked} ticks in the first ${ticked ? 'seconds' : '(none!)'}`);
      await stopService(s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // 3. list and audit on a store with DEPLOYMENTS finished deployments
  if (PHASES.has('list')) {
    const dir = mkdtempSync(join(tmpdir(), 'bench-load-'));
    try {
      const store = await t.openStore(dir);
      const t0 = performance.now();
      const events = await bulkLoad(store, DEPLOYMENTS);
      await store.close();
      await t.afterLoad?.(dir);
      console.log(`  (loaded ${DEPLOYMENTS} deployments, ${events} events, in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      const s = await startService(t, dir);
      const url = s.serve.url!;
      const runs = async (path: string, n: number): Promise<number[]> => {
        const xs: number[] = [];
        for (let i = 0; i < n; i++) {
          const [dt, r] = await timedGet(url + path);
          if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`);
          xs.push(dt);
        }
        return xs;
      };
      const list = await runs('/api/deployments?limit=500', 20);
      say(`GET /api/deployments?limit=500 (${DEPLOYMENTS} deployments)`, `p50 ${ms(pct(list, 0.5))} ms, p99 ${ms(pct(list, 0.99))} ms`);
      const [first] = await runs('/api/audit/verify', 1);
      say(`GET /api/audit/verify, first (${events} events)`, `${ms(first)} ms`);
      await seed(url, 200, 'a', 8);
      const incr = await runs('/api/audit/verify', 10);
      say('GET /api/audit/verify, then (after 200 deploys)', `p50 ${ms(pct(incr, 0.5))} ms, max ${ms(Math.max(...incr))} ms`);
      const full = await runs('/api/audit/verify?full=1', 3);
      say('GET /api/audit/verify?full=1', `p50 ${ms(pct(full, 0.5))} ms`);
      for (const q of [`v2.${Math.floor(DEPLOYMENTS / 2)}.0`, 'rolled', 'TypeError', 'no-such-text']) {
        const xs = await runs(`/api/audit?q=${encodeURIComponent(q)}&limit=200`, 10);
        say(`GET /api/audit?q=${q}`, `p50 ${ms(pct(xs, 0.5))} ms, p99 ${ms(pct(xs, 0.99))} ms`);
      }
      await stopService(s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

const common = (dir: string, over: Record<string, unknown>) => ({
  server: { host: '127.0.0.1', port: 0, rateLimitPerMinute: 100_000_000 },
  ...over,
  watch: { ...(over.watch as object | undefined) },
  dir,
});

const sqlite: Target = {
  name: 'SQLite, watches in serve',
  workers: 0,
  config: (dir, over = {}) => {
    const { dir: _d, ...c } = common(dir, over);
    return { ...c, store: { kind: 'sqlite', path: join(dir, 'commander.db') } };
  },
  async count(dir, ids = []) {
    const db = new Database(join(dir, 'commander.db'), { readonly: true });
    try {
      const d = (db.prepare('SELECT count(*) AS n FROM deployments').get() as { n: number }).n;
      const u = (db.prepare("SELECT count(*) AS n FROM deployments WHERE completed_at IS NULL AND status IN ('watching','awaiting_approval','acting','verifying')").get() as { n: number }).n;
      const one = db.prepare('SELECT 1 FROM deployments WHERE id = ?');
      return { deployments: d, unfinished: u, acknowledgedStored: ids.filter((id) => one.get(id)).length };
    } finally {
      db.close();
    }
  },
  async openStore(dir) {
    const { createSqliteStore } = (await import(join(ROOT, 'src/store/sqlite.ts'))) as typeof import('../src/store/sqlite.js');
    return createSqliteStore(join(dir, 'commander.db'), { synchronous: 'NORMAL' });
  },
  async cleanup() {},
};

function postgresTarget(): Target {
  const schemas: string[] = [];
  const schemaOf = (dir: string): string => {
    const s = `bench_load_${dir.replace(/\W/g, '').slice(-10).toLowerCase()}`;
    if (!schemas.includes(s)) schemas.push(s);
    return s;
  };
  const q = async <T>(sql: string): Promise<T[]> => {
    const c = new pg.Client({ connectionString: opt.pg });
    await c.connect();
    try {
      return (await c.query(sql)).rows as T[];
    } finally {
      await c.end();
    }
  };
  return {
    name: 'PostgreSQL, serve + 2 workers (queue pgboss)',
    workers: 2,
    config: (dir, over = {}) => {
      const { dir: _d, ...c } = common(dir, over);
      const schema = schemaOf(dir);
      const url = `${opt.pg}${opt.pg!.includes('?') ? '&' : '?'}schema=${schema}`;
      return { ...c, store: { kind: 'postgres', url }, queue: { kind: 'pgboss', schema: `${schema}_q`, concurrency: Math.ceil(WATCHES / 2) + 50, pollingIntervalSeconds: 1, eventsPollMs: 250 } };
    },
    async count(dir, ids = []) {
      const s = schemaOf(dir);
      const [r] = await q<{ d: string; u: string }>(
        `SELECT (SELECT count(*) FROM "${s}".deployments) AS d, (SELECT count(*) FROM "${s}".deployments WHERE completed_at IS NULL AND status IN ('watching','awaiting_approval','acting','verifying')) AS u`,
      );
      const c = new pg.Client({ connectionString: opt.pg });
      await c.connect();
      try {
        const found = ids.length ? Number((await c.query(`SELECT count(*) AS n FROM "${s}".deployments WHERE id = ANY($1::text[])`, [ids])).rows[0].n) : 0;
        return { deployments: Number(r.d), unfinished: Number(r.u), acknowledgedStored: found };
      } finally {
        await c.end();
      }
    },
    async openStore(dir) {
      const { createPostgresStore } = (await import(join(ROOT, 'src/store/postgres.ts'))) as typeof import('../src/store/postgres.js');
      return createPostgresStore(opt.pg!, { schema: schemaOf(dir), max: 8 });
    },
    async afterLoad(dir) {
      // as autovacuum would after a bulk load; without statistics the planner guesses the audit search's selectivity
      await q(`ANALYZE "${schemaOf(dir)}".deployments, "${schemaOf(dir)}".events`);
    },
    async cleanup() {
      for (const s of schemas) await q(`DROP SCHEMA IF EXISTS "${s}" CASCADE; DROP SCHEMA IF EXISTS "${s}_q" CASCADE`);
    },
  };
}

async function pgUp(): Promise<boolean> {
  const c = new pg.Client({ connectionString: opt.pg, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

console.log(`service: node ${ENTRY.join(' ')}`);
console.log(`bench/load: ${cpus().length} cores, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} at start; ${SECONDS} s per intake run, ${WATCHES} watches (step ${STEP_SECONDS} s), ${DEPLOYMENTS} deployments for list/audit`);
const targets: Target[] = [];
if (opt.only !== 'postgres') targets.push(sqlite);
if (opt.only !== 'sqlite') {
  if (await pgUp()) targets.push(postgresTarget());
  else console.log(`postgres: skipped (no server at ${opt.pg})`);
}
const results: Array<[string, Row[]]> = [];
for (const t of targets) {
  try {
    results.push([t.name, await runTarget(t)]);
  } catch (e) {
    console.log(`${t.name}: stopped: ${e instanceof Error ? e.message : String(e)}`);
    for (const c of children) c.kill('SIGKILL');
  } finally {
    await t.cleanup();
  }
}
console.log(`\n| what | ${results.map(([n]) => n).join(' | ')} |\n|---|${results.map(() => '---').join('|')}|`);
for (let i = 0; i < (results[0]?.[1].length ?? 0); i++) {
  console.log(`| ${results[0][1][i][0]} | ${results.map(([, r]) => r[i]?.[1] ?? '').join(' | ')} |`);
}
console.log(`load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
