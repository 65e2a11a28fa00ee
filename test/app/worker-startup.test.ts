// A worker whose start-up fails after its configured world began scraping must stop that world
// again: its scrape timers would otherwise keep scraping, and keep the `worker` process from
// exiting with the start-up error.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { startWorker } from '../../src/app-worker.js';
import { dropSchema, PG_URL, pgAvailable, uniqueSchema } from '../store/pg-helpers.js';

const available = await pgAvailable();
let target: Server;
let targetUrl = '';
let scrapes = 0;

beforeAll(async () => {
  target = createServer((req, res) => {
    scrapes++;
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end('# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 1000\n');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/metrics`;
});
afterAll(async () => new Promise((r) => target.close(r)));

describe.skipIf(!available)('worker start-up failure', () => {
  it('stops the world it started before the queue failed to open', async () => {
    const missing = new URL(PG_URL);
    missing.pathname = '/devops_commander_no_such_database';
    // a throwaway schema: the shared database's public schema may hold another build's tables
    const schema = uniqueSchema('worker_startup');
    const store = new URL(PG_URL);
    store.searchParams.set('schema', schema);
    onTestFinished(() => dropSchema(schema));
    const config = configSchema.parse({
      store: { kind: 'postgres', url: store.toString() },
      queue: { kind: 'pgboss', url: missing.toString() },
      sources: { scrape: { intervalSeconds: 0.2, targets: [{ service: 'checkout', url: targetUrl }] } },
    });
    await expect(startWorker({ config, log: () => undefined })).rejects.toThrow(/devops_commander_no_such_database|does not exist/);
    expect(scrapes).toBeGreaterThan(0); // the world had started: the failure came after it
    await new Promise((r) => setTimeout(r, 300)); // a scrape already on the wire may still land
    const after = scrapes;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(scrapes).toBe(after);
  }, 30_000);
});
