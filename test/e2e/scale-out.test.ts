// Scale-out for real: PostgreSQL store + pg-boss queue, one `serve` process and two `worker`
// processes (the compiled CLI). A deployment is posted to the API; the worker that took its
// watch is killed with SIGKILL after the rollback, while verifying; its job expires and the
// other worker resumes the watch from the timeline and finishes it. The action ran exactly
// once, the API (which ran no watch itself) shows the final status, and its live event stream
// carried the events both workers appended.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeploymentDetailResponse } from '../../src/core/api.js';
import { BUILT, startCommander, startWorker, stop, until, type Commander, type Worker, deployOnConceptPath } from './spawn-commander.js';
import { PG_URL, dropSchema, pgAvailable, uniqueSchema } from '../store/pg-helpers.js';

const available = await pgAvailable();
if (!available) console.warn(`scale-out e2e skipped: PostgreSQL unreachable at ${PG_URL} (set TEST_PG_URL)`);

/** Reads GET /api/events into a list until aborted. */
function collectStream(url: string): { events: Array<{ seq: number; type: string; deploymentId: string | null }>; close: () => void } {
  const events: Array<{ seq: number; type: string; deploymentId: string | null }> = [];
  const ac = new AbortController();
  void (async () => {
    const res = await fetch(`${url}/api/events`, { signal: ac.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)) as (typeof events)[number]);
      }
    }
  })().catch(() => undefined);
  return { events, close: () => ac.abort() };
}

const dir = mkdtempSync(join(tmpdir(), 'commander-scale-'));
const storeSchema = uniqueSchema('scale_store');
const queueSchema = uniqueSchema('scale_queue');
const storeUrl = new URL(PG_URL);
storeUrl.searchParams.set('schema', storeSchema);
const config = join(dir, 'config.yaml');
writeFileSync(
  config,
  [
    'server: {port: 0}',
    `store: {kind: postgres, url: ${JSON.stringify(storeUrl.toString())}}`,
    // the watch takes (300 + 150) / 40 ≈ 11 s real; jobs expire after 15 s
    `queue: {kind: pgboss, url: ${JSON.stringify(PG_URL)}, schema: ${queueSchema}, concurrency: 2, expireInSeconds: 15, retryDelaySeconds: 0, pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1, eventsPollMs: 100}`,
    'watch: {windowSeconds: 300, baselineSeconds: 900, stepSeconds: 15, verifySeconds: 150, approvalTimeoutSeconds: 0}',
    'clock: {speed: 40}',
    'guardrails: {cooldownSeconds: 0}',
  ].join('\n'),
);

let api: Commander | undefined;
const workers: Worker[] = [];
let stream: ReturnType<typeof collectStream> | undefined;

afterAll(async () => {
  stream?.close();
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await stop(api, 'SIGKILL');
  if (available) {
    await dropSchema(storeSchema);
    await dropSchema(queueSchema);
  }
  rmSync(dir, { recursive: true, force: true });
});

const detail = async (id: string) => (await (await fetch(`${api!.url}/api/deployments/${id}?series=0`)).json()) as DeploymentDetailResponse;

describe.skipIf(!available || !BUILT)('scale-out: serve + two workers on PostgreSQL and pg-boss', () => {
  it('a worker killed mid-watch is replaced by the other, which finishes the watch without acting twice', async () => {
    api = await startCommander(['serve', '--config', config]);
    workers.push(await startWorker(config), await startWorker(config));
    stream = collectStream(api.url);
    await new Promise((r) => setTimeout(r, 300)); // the stream is connected before the deploy

    const id = await deployOnConceptPath(api.url, { service: 'checkout', version: 'v2.0.0-bug', previousVersion: 'v1.9.0' });

    // the API queued the watch and a worker took it
    await until(async () => workers.find((w) => w.output().includes(`watch ${id} started (attempt 0)`)), 20_000, 'a worker to take the job');

    // kill the worker running it after the action ran, while it verifies
    await until(async () => {
      const d = await detail(id);
      return d.events.some((e) => e.type === 'action.executed') ? d : undefined;
    }, 30_000, 'the action');
    // (normally the one that took attempt 0; under heavy load its lease may have ended first)
    const runningIt = (w: Worker) => /started \(attempt \d+\)$/.test(w.output().split('\n').filter((l) => l.includes(`watch ${id} `)).at(-1) ?? '');
    const first = workers.find(runningIt);
    expect(first, 'one worker is running the watch').toBeDefined();
    const other = workers.find((w) => w !== first)!;
    const otherBefore = other.output().length;
    first!.child.kill('SIGKILL');
    await new Promise<void>((r) => (first!.child.exitCode !== null || first!.child.signalCode !== null ? r() : first!.child.once('exit', () => r())));
    const afterKill = await detail(id);
    expect(afterKill.events.some((e) => e.type === 'watch.completed'), 'the watch must still be running when its worker is killed').toBe(false);
    expect(afterKill.events.filter((e) => e.type === 'action.executed')).toHaveLength(1);
    // the dead worker appends nothing more and the job is handed out only once it expires:
    // every later event is the other worker's
    const killedAt = Math.max(...afterKill.events.map((e) => e.seq));

    // its job expires (15 s) and the other worker resumes the watch from the timeline
    await until(async () => (other.output().includes(`watch ${id} finished:`) ? true : undefined), 60_000, `the other worker to finish the watch:\n${other.output()}`);
    expect(other.output().slice(otherBefore)).toMatch(new RegExp(`watch ${id} started \\(attempt [1-9]`));
    expect(other.output()).toContain(`watch ${id} finished: rolled_back`);
    expect(first!.output()).not.toContain(`watch ${id} finished`);

    const d = await until(async () => {
      const x = await detail(id);
      return x.deployment.status === 'rolled_back' ? x : undefined;
    }, 10_000, 'the API to show the final status');
    const types = d.events.map((e) => e.type);
    const keys = d.events.map((e) => e.dedupeKey);
    expect(new Set(keys).size).toBe(keys.length);
    const ticks = d.events.filter((e) => e.type === 'signals.collected').map((e) => e.payload.tick as number);
    expect(ticks).toEqual(ticks.map((_, i) => i + 1));
    expect(d.decisions.filter((x) => x.action !== 'continue').map((x) => x.action)).toEqual(['rollback']);
    for (const once of ['deployment.received', 'watch.started', 'action.requested', 'action.executed', 'outcome.verified', 'watch.completed']) {
      expect(types.filter((t) => t === once), once).toHaveLength(1);
    }
    // the surviving worker wrote the end of the watch, after the kill
    const late = d.events.filter((e) => e.seq > killedAt).map((e) => e.type);
    expect(late).toContain('signals.collected');
    expect(late).toContain('outcome.verified');
    expect(late).not.toContain('action.executed');
    expect(d.actions).toHaveLength(1);
    expect(d.outcome).toMatchObject({ action: 'rollback', recovered: true });

    const list = (await (await fetch(`${api.url}/api/deployments?service=checkout`)).json()) as { deployments: Array<{ id: string; status: string }> };
    expect(list.deployments.find((x) => x.id === id)?.status).toBe('rolled_back');
    // no watch error on the surviving worker, and it learned from the outcome (under the shared lock)
    expect(other.output()).not.toContain(`watch ${id}: `);
    const learned = (await (await fetch(`${api.url}/api/audit?type=policy.updated`)).json()) as { events: Array<{ payload: Record<string, unknown> }> };
    expect(learned.events.filter((e) => e.payload.fromDeployment === id)).toHaveLength(1);

    // the surviving worker's own metrics: the outcome it verified and its ticks
    const workerMetrics = /metrics on (http:\S+)/.exec(other.output())?.[1];
    expect(workerMetrics, 'the worker prints where its metrics are').toBeDefined();
    const wm = await (await fetch(workerMetrics!)).text();
    expect(wm).toMatch(/^commander_outcomes_total\{action="rollback",recovered="true"\} 1$/m);
    expect(Number(/^commander_tick_duration_seconds_count (\d+)$/m.exec(wm)?.[1] ?? 0)).toBeGreaterThan(0);
    // the API's metrics count the action a worker did, from the timeline
    expect(await (await fetch(`${api.url}/metrics`)).text()).toMatch(/^commander_actions_total\{action="rollback",result="executed"\} 1$/m);
    const verify = (await (await fetch(`${api.url}/api/audit/verify`)).json()) as { ok: boolean };
    expect(verify.ok).toBe(true);

    // the API's live stream carried what both workers appended, once each, in seq order
    const streamed = await until(async () => {
      const mine = stream!.events.filter((e) => e.deploymentId === id);
      return mine.some((e) => e.type === 'watch.completed') ? mine : undefined;
    }, 5_000, 'watch.completed on the live stream');
    expect(streamed.map((e) => e.seq)).toEqual(d.events.map((e) => e.seq));
  }, 120_000);
});
