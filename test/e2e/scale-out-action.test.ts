// The pg-boss worker path: an actuator call that outlives its job's expiry is not run again by the
// next worker. serve + two workers on PostgreSQL; the targets take longer than a job may (jobs
// expire after 15 s): a command that runs 16 s (append-action.mjs) and a webhook whose receiver
// answers after 16 s. pg-boss hands each job to the other worker while the first is still in the
// actuator call; the first holds the action's lease, so the second leaves the action alone, sees
// its result once it lands and finishes the watch. The command started once, the webhook was
// sent once (a second POST, even with the same idempotency key, would mean the lease failed).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeploymentDetailResponse } from '../../src/core/api.js';
import { BUILT, startCommander, startWorker, stop, until, type Commander, type Worker, deployOnConceptPath } from './spawn-commander.js';
import { PG_URL, dropSchema, pgAvailable, uniqueSchema } from '../store/pg-helpers.js';

const available = await pgAvailable();
const APPEND = fileURLToPath(new URL('../fixtures/commands/append-action.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'commander-scale-action-'));
const out = join(dir, 'out');
mkdirSync(out);
const storeSchema = uniqueSchema('scale_act_store');
const queueSchema = uniqueSchema('scale_act_queue');
const storeUrl = new URL(PG_URL);
storeUrl.searchParams.set('schema', storeSchema);
// a receiver that takes 16 s to answer
const posts: string[] = [];
const receiver = createServer((req, res) => {
  posts.push(String(req.headers['idempotency-key']));
  req.resume();
  setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), 16_000);
});
await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
const hook = JSON.stringify({ kind: 'webhook', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/act`, attempts: 1, timeoutMs: 60_000 });
const config = join(dir, 'config.yaml');
const command = JSON.stringify({ kind: 'command', commands: { rollback: [process.execPath, APPEND, out, '{actionId}'] }, env: { SLEEP_MS: '16000' }, timeoutSeconds: 60 });
writeFileSync(
  config,
  [
    'server: {port: 0}',
    `store: {kind: postgres, url: ${JSON.stringify(storeUrl.toString())}}`,
    // the watch itself takes (300 + 150) / 40 ≈ 11 s real; jobs expire after 15 s; the command runs 16 s
    `queue: {kind: pgboss, url: ${JSON.stringify(PG_URL)}, schema: ${queueSchema}, concurrency: 2, expireInSeconds: 15, retryDelaySeconds: 0, pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1, eventsPollMs: 100}`,
    'watch: {windowSeconds: 300, baselineSeconds: 900, stepSeconds: 15, verifySeconds: 150, approvalTimeoutSeconds: 0}',
    'clock: {speed: 40}',
    'guardrails: {cooldownSeconds: 0}',
    'policy: {decide: scoring, learn: false}',
    `services: {checkout: {target: ${command}}, payments: {target: ${hook}}}`,
  ].join('\n'),
);

let api: Commander | undefined;
const workers: Worker[] = [];

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await stop(api, 'SIGKILL');
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
  if (available) {
    await dropSchema(storeSchema);
    await dropSchema(queueSchema);
  }
  rmSync(dir, { recursive: true, force: true });
});

const detail = async (id: string) => (await (await fetch(`${api!.url}/api/deployments/${id}?series=0`)).json()) as DeploymentDetailResponse;
const lines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);

describe.skipIf(!available || !BUILT)('scale-out: an action that outlives its job', () => {
  it('is not run again by the worker the expired job goes to', async () => {
    api = await startCommander(['serve', '--config', config]);
    workers.push(await startWorker(config), await startWorker(config));
    const ids = [
      await deployOnConceptPath(api.url, { service: 'checkout', version: 'v2.0.0-bug', previousVersion: 'v1.9.0' }),
      await deployOnConceptPath(api.url, { service: 'payments', version: 'v2.0.0-bug', previousVersion: 'v1.9.0' }),
    ];
    const outputs = () => workers.map((w) => w.output()).join('\n---\n');

    // both actions start, and while they run their jobs expire and second attempts start
    await until(async () => (lines(join(out, 'started.log')).length > 0 && posts.length > 0 ? true : undefined), 30_000, `both actions to start:\n${outputs()}`);
    for (const id of ids) await until(async () => (new RegExp(`watch ${id} started \\(attempt [1-9]`).test(outputs()) ? true : undefined), 40_000, `a second attempt of ${id}:\n${outputs()}`);
    for (const id of ids) expect((await detail(id)).events.some((e) => e.type === 'action.executed'), 'still in the actuator call when the next attempt starts').toBe(false);

    const done = await Promise.all(
      ids.map((id) => until(async () => {
        const x = await detail(id);
        return x.events.some((e) => e.type === 'watch.completed') ? x : undefined;
      }, 90_000, `the watch of ${id} to complete:\n${outputs()}`)),
    );

    const [cmd, web] = done;
    expect(lines(join(out, 'started.log'))).toEqual([cmd.actions[0].id]);
    expect(lines(join(out, 'effects.log'))).toEqual([cmd.actions[0].id]);
    expect(posts).toEqual([web.actions[0].id]);
    for (const d of done) {
      const types = d.events.map((e) => e.type);
      expect(types.filter((t) => t === 'action.requested')).toHaveLength(1);
      expect(types.filter((t) => t === 'action.executed')).toHaveLength(1);
      expect(types).not.toContain('action.unknown');
      // the result is the first worker's own (it finished its call), not a reconciliation
      expect(d.events.find((e) => e.type === 'action.executed')?.payload.reconciled).toBeUndefined();
      const keys = d.events.map((e) => e.dedupeKey);
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(cmd.events.find((e) => e.type === 'action.executed')?.payload.detail).toMatch(/exited 0 in 1\d{4} ms/);
  }, 150_000);
});
