import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobQueue, WatchJob } from '../../src/store/job-queue.js';
import { createInProcessQueue } from '../../src/store/inprocess-queue.js';
import { createPgBossQueue } from '../../src/store/pgboss-queue.js';
import { PG_URL, dropSchema, pgAvailable, uniqueSchema } from './pg-helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function until<T>(check: () => T | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const v = check();
      if (v !== undefined) return resolve(v);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 25);
    };
    tick();
  });
}

describe('in-process job queue', () => {
  it('runs each deployment once, up to the concurrency, and dedupes queued jobs', async () => {
    const q = createInProcessQueue({ concurrency: 2 });
    cleanups.push(() => q.close());
    let active = 0;
    let peak = 0;
    const seen: string[] = [];
    const release: Array<() => void> = [];
    await q.work(async (job) => {
      seen.push(job.deploymentId);
      peak = Math.max(peak, ++active);
      await new Promise<void>((r) => release.push(r));
      active--;
    });
    for (const id of ['a', 'b', 'c', 'a', 'c']) await q.enqueueWatch(id);
    await until(() => (release.length === 2 ? true : undefined), 1000, 'two running');
    expect(peak).toBe(2);
    release.splice(0).forEach((r) => r());
    await until(() => (release.length === 1 ? true : undefined), 1000, 'third running');
    release.splice(0).forEach((r) => r());
    await until(() => (active === 0 ? true : undefined), 1000, 'drained');
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('retries a failed watch with the attempt number, then gives up after retryLimit', async () => {
    const errors: unknown[] = [];
    const q = createInProcessQueue({ retryLimit: 2, retryDelaySeconds: 0.01, onError: (e) => errors.push(e) });
    cleanups.push(() => q.close());
    const attempts: WatchJob[] = [];
    await q.work(async (job) => {
      attempts.push(job);
      throw new Error('boom');
    });
    await q.enqueueWatch('x');
    await until(() => (attempts.length === 3 ? true : undefined), 2000, 'three attempts');
    await new Promise((r) => setTimeout(r, 100));
    expect(attempts.map((j) => j.attempt)).toEqual([0, 1, 2]);
    expect(errors).toHaveLength(3);
    await q.enqueueWatch('x'); // given up: a new enqueue starts afresh
    await until(() => (attempts.length === 4 ? true : undefined), 2000, 'fresh attempt');
    expect(attempts[3].attempt).toBe(0);
  });
});

const available = await pgAvailable();
describe.skipIf(!available)('pg-boss job queue', () => {
  it('hands a job whose worker was SIGKILLed to another worker', async () => {
    const schema = uniqueSchema('boss_test');
    cleanups.push(() => dropSchema(schema));
    const producer = await createPgBossQueue(PG_URL, { schema, expireInSeconds: 2, retryDelaySeconds: 0 });
    cleanups.push(() => producer.close());

    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', join(here, 'fixtures', 'pgboss-worker.ts'), PG_URL, schema],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (s: string) => (out += s));
    await until(() => (out.includes('ready') ? true : undefined), 20_000, 'child worker ready');
    await producer.enqueueWatch('dep-1');
    await producer.enqueueWatch('dep-1'); // still waiting: no duplicate job
    await until(() => (/claimed dep-1 0/.test(out) ? true : undefined), 10_000, 'child claims the job');
    child.kill('SIGKILL');

    const got: WatchJob[] = [];
    const survivor: JobQueue = await createPgBossQueue(PG_URL, {
      schema,
      concurrency: 2,
      expireInSeconds: 2,
      retryDelaySeconds: 0,
      maintenanceIntervalSeconds: 1,
      pollingIntervalSeconds: 0.5,
    });
    cleanups.push(() => survivor.close());
    await survivor.work(async (job) => {
      got.push(job);
    });
    await until(() => (got.length ? true : undefined), 20_000, 'the survivor picks the job up');
    expect(got[0]).toMatchObject({ deploymentId: 'dep-1', attempt: 1 });
    // the child saw exactly one job: the repeated enqueue did not make a second
    expect(out.match(/claimed/g)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(got).toHaveLength(1);
  });

  it('does not queue a second job while one runs, and hands a running job back when the lease ends or the queue closes', async () => {
    const schema = uniqueSchema('boss_test');
    cleanups.push(() => dropSchema(schema));
    const fast = { schema, retryDelaySeconds: 0, maintenanceIntervalSeconds: 1, pollingIntervalSeconds: 0.5 };
    // lease: expiry 3 s → the handler is told to let go 0.3 s before
    const a = await createPgBossQueue(PG_URL, { ...fast, concurrency: 1, expireInSeconds: 3 });
    cleanups.push(() => a.close());
    const seen: Array<{ attempt: number; abortedAfterMs?: number; reason?: string }> = [];
    await a.work(async (job) => {
      const t0 = Date.now();
      const entry: (typeof seen)[number] = { attempt: job.attempt };
      seen.push(entry);
      await new Promise<void>((resolve) => job.signal!.addEventListener('abort', () => resolve(), { once: true }));
      entry.abortedAfterMs = Date.now() - t0;
      entry.reason = (job.signal!.reason as Error).message;
      throw new Error('handed back');
    });
    await a.enqueueWatch('dep-2');
    await until(() => (seen.length === 1 ? true : undefined), 10_000, 'first attempt');
    await a.enqueueWatch('dep-2'); // running: no second job
    await until(() => (seen.length === 2 ? true : undefined), 15_000, 'the retry after the lease ended');
    expect(seen[0]).toMatchObject({ attempt: 0, reason: 'job lease ending' });
    expect(seen[0].abortedAfterMs).toBeGreaterThanOrEqual(2_500);
    expect(seen[0].abortedAfterMs).toBeLessThan(3_000);
    expect(seen[1].attempt).toBe(1);

    // closing the queue hands the running job back at once, long before its expiry
    await a.close();
    expect(seen[1].reason).toBe('worker stopping');
    const b = await createPgBossQueue(PG_URL, { ...fast, concurrency: 1, expireInSeconds: 3 });
    cleanups.push(() => b.close());
    const got: number[] = [];
    await b.work(async (job) => {
      got.push(job.attempt);
    });
    await until(() => (got.length ? true : undefined), 10_000, 'the other queue picks the job up');
    expect(got).toEqual([2]);
    expect(seen).toHaveLength(2);
  });

  it('closes within its deadline however many watches run, handing back even those stuck in a step', async () => {
    const schema = uniqueSchema('boss_test');
    cleanups.push(() => dropSchema(schema));
    const fast = { schema, retryDelaySeconds: 0, maintenanceIntervalSeconds: 1, pollingIntervalSeconds: 0.5, expireInSeconds: 3600 };
    const a = await createPgBossQueue(PG_URL, { ...fast, concurrency: 50, closeTimeoutMs: 500 });
    const started = new Set<string>();
    await a.work(async (job) => {
      started.add(job.deploymentId);
      // half stop between steps when told; the other half are stuck in a step (a slow query) and never look
      if (Number(job.deploymentId.split('-')[1]) % 2) await new Promise<void>(() => undefined);
      await new Promise<void>((resolve) => job.signal!.addEventListener('abort', () => resolve(), { once: true }));
      throw new Error('handed back');
    });
    for (let i = 0; i < 40; i++) await a.enqueueWatch(`dep-${i}`);
    await until(() => (started.size === 40 ? true : undefined), 15_000, 'all 40 running');
    const t0 = Date.now();
    await a.close();
    expect(Date.now() - t0).toBeLessThan(5_000);
    // every job is back in the queue (none left active until its hour-long expiry): another worker resumes all
    const b = await createPgBossQueue(PG_URL, { ...fast, concurrency: 50 });
    cleanups.push(() => b.close());
    const resumed = new Map<string, number>();
    await b.work(async (job) => {
      resumed.set(job.deploymentId, job.attempt);
    });
    await until(() => (resumed.size === 40 ? true : undefined), 15_000, 'the other queue resumes all 40');
    expect([...resumed.values()].every((attempt) => attempt === 1)).toBe(true);
  }, 60_000);
});
