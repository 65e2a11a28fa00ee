// The scrape source against real prom-client expositions served over HTTP: derived error rate,
// p95 from histogram buckets, CPU, memory, request rate and restarts, across replicas.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { VirtualClock } from '../../src/core/clock.js';
import { quantileFromBuckets, ScrapeSource, snapshotFromText } from '../../src/signals/scrape.js';

interface FakeTarget {
  url: string;
  requests: Counter<'route' | 'status'>;
  duration: Histogram<'route'>;
  cpu: Gauge;
  rss: Gauge;
  start: Gauge;
  server: Server;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function target(): Promise<FakeTarget> {
  const reg = new Registry();
  const requests = new Counter({ name: 'http_requests_total', help: 'h', labelNames: ['route', 'status'], registers: [reg] });
  const duration = new Histogram({ name: 'http_request_duration_seconds', help: 'h', labelNames: ['route'], buckets: [0.01, 0.05, 0.1, 0.5, 1], registers: [reg] });
  // prom-client's default metrics names, set by hand so the test controls them
  const cpu = new Gauge({ name: 'process_cpu_seconds_total', help: 'h', registers: [reg] });
  const rss = new Gauge({ name: 'process_resident_memory_bytes', help: 'h', registers: [reg] });
  const start = new Gauge({ name: 'process_start_time_seconds', help: 'h', registers: [reg] });
  start.set(1000);
  const server = createServer(async (_req, res) => {
    res.setHeader('content-type', reg.contentType);
    res.end(await reg.metrics());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  const addr = server.address();
  return { url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/metrics`, requests, duration, cpu, rss, start, server };
}

const dep = { service: 'checkout', environment: 'production', version: 'v2', at: 0 };

describe('scrape source', () => {
  it('derives the standard metrics from two replicas over successive scrapes', async () => {
    const a = await target();
    const b = await target();
    const clock = new VirtualClock(1_000_000);
    const src = new ScrapeSource({ targets: [a, b].map((t) => ({ url: t.url, service: 'checkout' })), clock, limits: { checkout: { memory_bytes: 5e8 } } });
    a.rss.set(100e6);
    b.rss.set(120e6);
    await src.scrapeOnce();
    // 10 s later: a served 80 ok + 20 errors, b served 100 ok; a used 5 s of CPU, b 1 s
    clock.set(1_010_000);
    a.requests.inc({ route: '/x', status: '200' }, 80);
    a.requests.inc({ route: '/x', status: '500' }, 20);
    b.requests.inc({ route: '/x', status: '200' }, 100);
    for (let i = 0; i < 190; i++) (i < 95 ? a : b).duration.observe({ route: '/x' }, 0.02);
    for (let i = 0; i < 10; i++) a.duration.observe({ route: '/x' }, 0.3);
    a.cpu.set(5);
    b.cpu.set(1);
    a.rss.set(150e6);
    await src.scrapeOnce();
    // the second replica restarted: a new start time and counters from zero
    clock.set(1_020_000);
    b.start.set(2000);
    b.requests.reset();
    b.requests.inc({ route: '/x', status: '200' }, 10);
    a.requests.inc({ route: '/x', status: '200' }, 10);
    await src.scrapeOnce();

    const bundle = await src.collect({ deployment: dep, from: 1_000_000, to: 1_030_000, stepSeconds: 10 });
    expect(bundle.problems).toEqual([]);
    expect(bundle.limits).toEqual({ memory_bytes: 5e8 });
    const m = bundle.metrics;
    expect(m.error_rate).toEqual([
      [1_010_000, 0.1],
      [1_020_000, 0],
    ]);
    expect(m.request_rate).toEqual([
      [1_010_000, 20],
      [1_020_000, 2],
    ]);
    expect(m.memory_bytes?.map((p) => p[1])).toEqual([120e6, 150e6, 150e6]);
    expect(m.cpu_utilization?.[0]).toEqual([1_010_000, (0.5 + 0.1) / 2]);
    expect(m.restarts).toEqual([
      [1_000_000, 0],
      [1_010_000, 0],
      [1_020_000, 1],
    ]);
    // 200 requests: 190 at 20 ms (10–50 ms bucket), 10 at 300 ms: rank 190 is the bucket's top
    expect(m.latency_p95_ms?.[0][1]).toBeCloseTo(50, 6);
  });

  it('reports a target that cannot be reached as a problem, with the reason, and no metrics', async () => {
    const gone = await target();
    await new Promise((r) => gone.server.close(r));
    const src = new ScrapeSource({ targets: [{ url: gone.url, service: 'checkout' }], timeoutMs: 500 });
    await src.scrapeOnce();
    const bundle = await src.collect({ deployment: dep, from: 0, to: Date.now(), stepSeconds: 15 });
    expect(bundle.metrics).toEqual({});
    expect(bundle.problems[0].message).toMatch(/no samples for service "checkout".*ECONNREFUSED/);
    const none = await src.collect({ deployment: { ...dep, service: 'billing' }, from: 0, to: Date.now(), stepSeconds: 15 });
    expect(none.problems[0].message).toMatch(/no scrape target for service "billing"/);
  });

  it('reads the version from an *_info gauge and knows other common metric names', () => {
    const s = snapshotFromText(
      [
        '# TYPE app_info gauge',
        'app_info{version="v9.1.0"} 1',
        '# TYPE http_server_requests_seconds histogram',
        'http_server_requests_seconds_bucket{status="503",le="0.1"} 3',
        'http_server_requests_seconds_bucket{status="503",le="+Inf"} 4',
        'http_server_requests_seconds_count{status="503"} 4',
        'http_server_requests_seconds_sum{status="503"} 1',
        'http_server_requests_seconds_bucket{status="200",le="0.1"} 6',
        'http_server_requests_seconds_bucket{status="200",le="+Inf"} 6',
        'http_server_requests_seconds_count{status="200"} 6',
        'http_server_requests_seconds_sum{status="200"} 0.2',
      ].join('\n'),
      5,
    );
    expect(s.version).toBe('v9.1.0');
    expect(s.requests).toBe(10);
    expect(s.errors).toBe(4);
    expect(s.buckets).toEqual([
      [100, 9],
      [Infinity, 10],
    ]);
  });

  it('computes quantiles like histogram_quantile', () => {
    const b: Array<[number, number]> = [
      [100, 50],
      [200, 90],
      [500, 100],
      [Infinity, 100],
    ];
    expect(quantileFromBuckets(0.5, b)).toBe(100);
    expect(quantileFromBuckets(0.95, b)).toBeCloseTo(350, 6);
    expect(quantileFromBuckets(0.99, [[100, 1], [Infinity, 100]])).toBe(100);
    expect(quantileFromBuckets(0.95, [])).toBeUndefined();
  });
});
