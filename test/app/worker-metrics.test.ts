// `worker` serves its own GET /metrics when asked (queue.metricsPort or --metrics-port): the same
// registry as `serve` (tick durations, decisions, actions, outcomes, process metrics), on loopback,
// closed with the worker.
import { afterAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { startWorker, type RunningWorker } from '../../src/app-worker.js';
import { dropSchema, PG_URL, pgAvailable, uniqueSchema } from '../store/pg-helpers.js';

const available = await pgAvailable();
const storeSchema = uniqueSchema('worker_metrics');
const queueSchema = uniqueSchema('worker_metrics_q');
let worker: RunningWorker | undefined;
afterAll(async () => {
  await worker?.close();
  if (available) for (const s of [storeSchema, queueSchema]) await dropSchema(s);
});

describe.skipIf(!available)('worker metrics', () => {
  it('serves GET /metrics on loopback while running, and stops with the worker', async () => {
    const url = new URL(PG_URL);
    url.searchParams.set('schema', storeSchema);
    const config = configSchema.parse({
      store: { kind: 'postgres', url: url.toString() },
      queue: { kind: 'pgboss', url: PG_URL, schema: queueSchema, metricsPort: 0 },
    });
    worker = await startWorker({ config, log: () => undefined });
    expect(worker.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const res = await fetch(worker.metricsUrl!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const body = await res.text();
    for (const name of ['commander_tick_duration_seconds', 'commander_outcomes_total', 'commander_watches_active', 'commander_process_cpu_user_seconds_total']) expect(body).toContain(name);
    const other = await fetch(worker.metricsUrl!.replace('/metrics', '/api/deployments'));
    expect(other.status).toBe(404);
    const at = worker.metricsUrl!;
    await worker.close();
    worker = undefined;
    await expect(fetch(at)).rejects.toThrow();
  }, 30_000);
});
