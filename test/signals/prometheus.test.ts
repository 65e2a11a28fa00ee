// The prometheus source against a real Prometheus (Debian's `prometheus` binary) scraping the
// real demo service every second. Skips only when the binary is absent (CI installs it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrometheusSource } from '../../src/signals/prometheus.js';
import { LoadGenerator } from '../../demo/loadgen.js';
import { DEMO_SERVICE_ARGS } from '../demo/service-cmd.js';

const PROM = spawnSync('sh', ['-c', 'command -v prometheus']).stdout?.toString().trim();
if (!PROM) process.stderr.write('prometheus.test: `prometheus` binary not found (apt-get install prometheus); skipping the integration test\n');

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });

async function until(cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('timed out');
}

describe.skipIf(!PROM)('prometheus source against a real Prometheus', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prom-it-'));
  let service: ChildProcess;
  let prom: ChildProcess;
  let promUrl: string;
  let load: LoadGenerator;
  let started: number;

  beforeAll(async () => {
    const svcPort = await freePort();
    service = spawn(process.execPath, [...DEMO_SERVICE_ARGS(), '--port', String(svcPort), '--version', 'v2.0.0', '--fault', 'throw'], { stdio: 'ignore' });
    await until(async () => (await fetch(`http://127.0.0.1:${svcPort}/healthz`)).ok, 45_000);
    load = new LoadGenerator({ targets: () => [`http://127.0.0.1:${svcPort}`], rps: 40 });
    load.start();
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: checkout\n    static_configs:\n      - targets: ['127.0.0.1:${svcPort}']\n`,
    );
    prom = spawn(PROM!, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], {
      stdio: 'ignore',
    });
    await until(async () => (await fetch(`${promUrl}/-/ready`)).ok, 30_000);
    started = Date.now();
    // enough scrapes for 5 s rate windows
    await until(async () => {
      const r = (await (await fetch(`${promUrl}/api/v1/query?query=count_over_time(up{job="checkout"}[1m])`)).json()) as { data: { result: Array<{ value: [number, string] }> } };
      return Number(r.data.result[0]?.value[1] ?? 0) >= 8;
    }, 40_000);
  });
  afterAll(async () => {
    load?.stop();
    prom?.kill('SIGKILL');
    service?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the standard metrics of the demo service through PromQL', async () => {
    const src = new PrometheusSource({ url: promUrl, rateWindow: '5s' });
    const to = Date.now();
    const b = await src.collect({ deployment: { service: 'checkout', environment: 'demo', version: 'v2.0.0', at: started }, from: started - 5000, to, stepSeconds: 1 });
    const last = (m: string): number => b.metrics[m]!.at(-1)![1];
    expect(b.metrics.memory_bytes?.length).toBeGreaterThan(3);
    expect(last('memory_bytes')).toBeGreaterThan(20e6);
    // 40 rps, half to /api/checkout which fails 60% of the time: ~30% errors
    expect(last('request_rate')).toBeGreaterThan(15);
    expect(last('error_rate')).toBeGreaterThan(0.1);
    expect(last('error_rate')).toBeLessThan(0.6);
    expect(last('latency_p95_ms')).toBeGreaterThan(0);
    expect(last('cpu_utilization')).toBeGreaterThan(0);
    expect(b.metrics.restarts?.length).toBeGreaterThan(0);
    for (const [, v] of b.metrics.error_rate!) expect(Number.isFinite(v)).toBe(true);
  });

  it('says which query returned nothing, and never fakes values', async () => {
    const src = new PrometheusSource({ url: promUrl, rateWindow: '5s' });
    const b = await src.collect({ deployment: { service: 'billing', environment: 'demo', version: 'v1', at: 0 }, from: Date.now() - 10_000, to: Date.now(), stepSeconds: 1 });
    expect(b.metrics).toEqual({});
    expect(b.problems.map((p) => p.message).join('\n')).toMatch(/memory_bytes: query returned no data for billing: max\(process_resident_memory_bytes\{job="billing"\}\)/);
    const bad = new PrometheusSource({ url: promUrl, queries: { error_rate: 'sum(rate(' } });
    const b2 = await bad.collect({ deployment: { service: 'checkout', environment: 'demo', version: 'v1', at: 0 }, from: Date.now() - 10_000, to: Date.now(), stepSeconds: 1 });
    expect(b2.problems.find((p) => p.message.startsWith('error_rate'))?.message).toMatch(/bad_data/);
  });

  it('watches collecting together share one query per metric, each gets its own series', async () => {
    let calls = 0;
    const counting: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const batched = new PrometheusSource({ url: promUrl, rateWindow: '5s', fetchImpl: counting, batchWindowMs: 30 });
    const alone = new PrometheusSource({ url: promUrl, rateWindow: '5s', batchWindowMs: 0 });
    const to = Date.now();
    const ask = (src: PrometheusSource, service: string, from: number) =>
      src.collect({ deployment: { service, environment: 'demo', version: 'v2.0.0', at: started }, from, to, stepSeconds: 1 });
    const [checkout, billing, later] = await Promise.all([ask(batched, 'checkout', started - 5000), ask(batched, 'billing', started - 5000), ask(batched, 'checkout', started)]);
    expect(calls).toBe(6);
    // the same series as asking alone (on a whole-second grid shared by the batch)
    const single = await ask(alone, 'checkout', started - 5000);
    expect(Object.keys(checkout.metrics).sort()).toEqual(Object.keys(single.metrics).sort());
    for (const m of ['memory_bytes', 'request_rate', 'error_rate']) {
      expect(checkout.metrics[m]!.length).toBeGreaterThan(3);
      expect(checkout.metrics[m]!.every(([t]) => t % 1000 === 0)).toBe(true);
      const mean = (pts: readonly (readonly [number, number])[]) => pts.reduce((a, p) => a + p[1], 0) / pts.length;
      expect(mean(checkout.metrics[m]!)).toBeGreaterThan(0.5 * mean(single.metrics[m]!));
      expect(mean(checkout.metrics[m]!)).toBeLessThan(2 * mean(single.metrics[m]!));
    }
    expect(later.metrics.memory_bytes!.every(([t]) => t >= started)).toBe(true);
    expect(billing.metrics).toEqual({});
    expect(billing.problems.map((p) => p.message).join('\n')).toMatch(/memory_bytes: query returned no data for billing: max\(process_resident_memory_bytes\{job="billing"\}\)/);
  });

  it('an unreachable server is a problem for each metric, not an exception', async () => {
    const src = new PrometheusSource({ url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    const b = await src.collect({ deployment: { service: 'checkout', environment: 'demo', version: 'v1', at: 0 }, from: 0, to: 1000, stepSeconds: 1 });
    expect(b.problems).toHaveLength(6);
    expect(b.problems[0].message).toMatch(/ECONNREFUSED/);
  });
});
