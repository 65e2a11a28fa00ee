// `serve` with `sources:` in the config watches those sources, not the simulated world: a local
// HTTP target exposes Prometheus metrics, the scrape source reads them, and the deployment's
// timeline and series carry that target's numbers.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { startApp, type RunningApp } from '../../src/app.js';

const RSS = 123_456_789;
const RPS = 50;
const dir = mkdtempSync(join(tmpdir(), 'serve-sources-'));
let target: Server;
let targetUrl = '';
const started = Date.now();
let scrapes = 0;

beforeAll(async () => {
  // a service's /metrics: a request counter growing at RPS per second (1% of them 500s) and a fixed RSS
  target = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    scrapes++;
    const n = Math.round(((Date.now() - started) / 1000) * RPS);
    const errors = Math.floor(n / 100);
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(
      [
        '# TYPE http_requests_total counter',
        `http_requests_total{route="/",status="200"} ${n - errors}`,
        `http_requests_total{route="/",status="500"} ${errors}`,
        '# TYPE process_resident_memory_bytes gauge',
        `process_resident_memory_bytes ${RSS}`,
        '',
      ].join('\n'),
    );
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/metrics`;
});
afterAll(async () => {
  await new Promise((r) => target.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function config(name: string, sources: Record<string, unknown> | undefined) {
  return configSchema.parse({
    server: { port: 0, dashboardDir: join(dir, 'none') },
    store: { kind: 'sqlite', path: join(dir, `${name}.db`) },
    watch: { windowSeconds: 8, baselineSeconds: 5, stepSeconds: 1, verifySeconds: 2 },
    ...(sources ? { sources } : {}),
  });
}

describe('serve with sources: in the config', () => {
  let app: RunningApp;
  afterAll(async () => app?.close());

  it('scrapes the configured target and watches deployments with its data', async () => {
    app = await startApp({ config: config('scrape', { scrape: { intervalSeconds: 0.5, targets: [{ service: 'checkout', url: targetUrl }] } }), mode: 'serve', log: () => undefined });
    expect(app.world.name).toBe('configured');
    expect(app.world.sources.map((s) => s.name)).toEqual(['scrape']);
    // a little history before the deploy, as a real service has
    await new Promise((r) => setTimeout(r, 2500));
    const res = await fetch(`${app.url}/api/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'checkout', environment: 'production', version: 'v2.0.0', previousVersion: 'v1.9.0' }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };

    // the watch collects from the target: request rate, error rate and memory, no problems
    const end = Date.now() + 60_000;
    let collected: { counts: { metrics: Record<string, number> }; problems: unknown[] } | undefined;
    while (Date.now() < end) {
      const ev = (await app.store.events(id)).filter((e) => e.type === 'signals.collected');
      const last = ev.at(-1)?.payload as typeof collected;
      if (last && (last.counts.metrics.request_rate ?? 0) >= 3) {
        collected = last;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(collected, 'signals.collected with request_rate samples').toBeDefined();
    expect(collected!.problems).toEqual([]);
    expect(collected!.counts.metrics.memory_bytes).toBeGreaterThan(0);
    expect(collected!.counts.metrics.error_rate).toBeGreaterThan(0);
    expect(scrapes).toBeGreaterThan(3);

    // the numbers are the target's (not a simulation's)
    const detail = (await (await fetch(`${app.url}/api/deployments/${id}`)).json()) as { series: Record<string, { points: Array<[number, number]> }> };
    expect(detail.series.memory_bytes.points.every((p) => p[1] === RSS)).toBe(true);
    const rates = detail.series.request_rate.points.map((p) => p[1]).sort((a, b) => a - b);
    const med = rates[Math.floor(rates.length / 2)];
    expect(med).toBeGreaterThan(RPS * 0.7);
    expect(med).toBeLessThan(RPS * 1.3);
    const errs = detail.series.error_rate.points.map((p) => p[1]);
    expect(Math.max(...errs)).toBeLessThan(0.05);
  }, 90_000);

  it('without sources: serve keeps the simulated world', async () => {
    const plain = await startApp({ config: config('plain', undefined), mode: 'serve', log: () => undefined });
    try {
      expect(plain.world.name).toBe('simulated');
    } finally {
      await plain.close();
    }
  }, 30_000);
});
