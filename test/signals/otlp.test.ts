// The OTLP/HTTP receiver fed by the official OpenTelemetry JS SDK exporters (protobuf and JSON),
// read back through the otlp source; and a 50,000-record burst against its bounded buffer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { SpanStatusCode } from '@opentelemetry/api';
import { logs as sdkLogs, metrics as sdkMetrics, resources, tracing } from '@opentelemetry/sdk-node';
import { OTLPLogExporter as ProtoLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { registerOtlpRoutes } from '../../src/server/otlp-routes.js';
import { OtlpBuffer, OtlpSource } from '../../src/signals/otlp.js';
import { analyze } from '../../src/analysis/analyze.js';

// A real GC between measurements, so the heap figures below are live data, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const resource = (version: string) =>
  resources.resourceFromAttributes({ 'service.name': 'checkout', 'service.version': version, 'deployment.environment.name': 'production' });
const deployment = { service: 'checkout', environment: 'production', version: 'v2', at: 0 };

let app: FastifyInstance;
let base: string;
let buffer: OtlpBuffer;
let registry: Registry;

beforeAll(async () => {
  buffer = new OtlpBuffer({ maxLogsPerService: 5000 });
  registry = new Registry();
  app = Fastify();
  await registerOtlpRoutes(app, { buffer, registry });
  app.get('/metrics', async (_req, reply) => reply.type(registry.contentType).send(await registry.metrics()));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});
afterAll(async () => {
  await app.close();
});

describe('OTLP receiver with the OpenTelemetry SDK', () => {
  it('receives logs over protobuf and JSON with level, body, version and attributes', async () => {
    const t0 = Date.now();
    for (const [exporter, version] of [
      [new ProtoLogExporter({ url: `${base}/v1/logs` }), 'v2'],
      [new JsonLogExporter({ url: `${base}/v1/logs` }), 'v1'],
    ] as const) {
      const provider = new sdkLogs.LoggerProvider({ resource: resource(version), processors: [new sdkLogs.SimpleLogRecordProcessor({ exporter })] });
      const logger = provider.getLogger('test');
      logger.emit({ severityNumber: SeverityNumber.ERROR, severityText: 'ERROR', body: `TypeError: cannot read price (${version})`, attributes: { route: '/api/checkout' } });
      logger.emit({ severityNumber: SeverityNumber.INFO, body: `served ok (${version})` });
      await provider.forceFlush();
      await provider.shutdown();
    }
    const bundle = await new OtlpSource(buffer).collect({ deployment, from: t0 - 1000, to: Date.now() + 1000, stepSeconds: 15 });
    const errs = bundle.logs.filter((l) => l.level === 'error');
    expect(errs.map((l) => l.message).sort()).toEqual(['TypeError: cannot read price (v1)', 'TypeError: cannot read price (v2)']);
    expect(errs.find((l) => l.message.endsWith('(v2)'))).toMatchObject({ version: 'v2', attributes: { route: '/api/checkout' } });
    expect(bundle.logs.filter((l) => l.level === 'info')).toHaveLength(2);
    for (const l of bundle.logs) expect(Math.abs(l.at - t0)).toBeLessThan(10_000);
    expect(bundle.problems).toEqual([]);
  });

  it('receives spans over protobuf with operation, duration, error status and hex trace ids', async () => {
    const t0 = Date.now();
    const provider = new tracing.BasicTracerProvider({
      resource: resource('v2'),
      spanProcessors: [new tracing.SimpleSpanProcessor(new ProtoTraceExporter({ url: `${base}/v1/traces` }))],
    });
    const tracer = provider.getTracer('test');
    const bad = tracer.startSpan('GET /api/checkout', { startTime: t0 });
    bad.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    bad.end(t0 + 120);
    const good = tracer.startSpan('GET /api/items', { startTime: t0 });
    good.end(t0 + 7);
    await provider.forceFlush();
    await provider.shutdown();
    const { spans } = await new OtlpSource(buffer).collect({ deployment, from: t0 - 1000, to: t0 + 10_000, stepSeconds: 15 });
    const byOp = Object.fromEntries(spans.map((s) => [s.operation, s]));
    expect(byOp['GET /api/checkout']).toMatchObject({ error: true, version: 'v2', durationMs: 120 });
    expect(byOp['GET /api/items']).toMatchObject({ error: false, durationMs: 7 });
    expect(byOp['GET /api/checkout'].traceId).toBe(bad.spanContext().traceId);
  });

  it('receives metrics over JSON (SDK exporter) and protobuf (OTLP serializer): gauges and HTTP histograms', async () => {
    const t0 = Date.now();
    const reader = new sdkMetrics.PeriodicExportingMetricReader({ exporter: new JsonMetricExporter({ url: `${base}/v1/metrics` }), exportIntervalMillis: 60_000 });
    const provider = new sdkMetrics.MeterProvider({ resource: resource('v2'), readers: [reader] });
    const meter = provider.getMeter('test');
    meter.createObservableGauge('process.memory.usage', { unit: 'By' }).addCallback((r) => r.observe(123_456_789));
    const h = meter.createHistogram('http.server.request.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.01, 0.05, 0.1, 0.5, 1] } });
    for (let i = 0; i < 90; i++) h.record(0.02, { 'http.response.status_code': 200 });
    for (let i = 0; i < 10; i++) h.record(0.7, { 'http.response.status_code': 500 });
    await provider.forceFlush();
    await provider.shutdown();
    const b = await new OtlpSource(buffer).collect({ deployment, from: t0 - 1000, to: Date.now() + 1000, stepSeconds: 15 });
    expect(b.metrics.memory_bytes?.[0][1]).toBe(123_456_789);
    expect(b.metrics.error_rate?.[0][1]).toBeCloseTo(0.1, 5);
    // p95 falls in the (0.5, 1] s bucket: interpolated, in ms
    const p95 = b.metrics.latency_p95_ms![0][1];
    expect(p95).toBeGreaterThan(500);
    expect(p95).toBeLessThanOrEqual(1000);

    // protobuf: the SDK's own serializer, posted as an exporter would
    const reader2 = new sdkMetrics.PeriodicExportingMetricReader({
      exporter: new sdkMetrics.InMemoryMetricExporter(sdkMetrics.AggregationTemporality.CUMULATIVE),
      exportIntervalMillis: 60_000,
    });
    const provider2 = new sdkMetrics.MeterProvider({ resource: resource('v2'), readers: [reader2] });
    provider2.getMeter('t').createObservableGauge('queue_depth').addCallback((r) => r.observe(42));
    const collected = await reader2.collect();
    await provider2.shutdown().catch(() => undefined);
    const body = ProtobufMetricsSerializer.serializeRequest(collected.resourceMetrics)!;
    const res = await fetch(`${base}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    expect(res.status).toBe(200);
    const b2 = await new OtlpSource(buffer).collect({ deployment, from: t0 - 1000, to: Date.now() + 1000, stepSeconds: 15 });
    expect(b2.metrics.queue_depth?.[0][1]).toBe(42);
  });

  it('what the SDK sent shows up in the analysis: a new error template and a failing operation', async () => {
    const own = new OtlpBuffer();
    const reg = new Registry();
    const a = Fastify();
    await registerOtlpRoutes(a, { buffer: own, registry: reg });
    await a.listen({ host: '127.0.0.1', port: 0 });
    const addr = a.server.address();
    const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    try {
      const deployAt = Date.now() - 60_000;
      const res = resource('v2');
      const lp = new sdkLogs.LoggerProvider({
        resource: res,
        processors: [new sdkLogs.BatchLogRecordProcessor({ exporter: new ProtoLogExporter({ url: `${url}/v1/logs` }), maxQueueSize: 4096, maxExportBatchSize: 1000 })],
      });
      const logger = lp.getLogger('t');
      const tp = new tracing.BasicTracerProvider({
        resource: res,
        spanProcessors: [new tracing.BatchSpanProcessor(new ProtoTraceExporter({ url: `${url}/v1/traces` }), { maxQueueSize: 4096, maxExportBatchSize: 1000 })],
      });
      const tracer = tp.getTracer('t');
      // 5 minutes before the deploy: healthy; 1 minute after: a new TypeError on checkout
      for (let t = deployAt - 300_000; t < deployAt + 60_000; t += 2000) {
        const after = t >= deployAt;
        logger.emit({ timestamp: t, severityNumber: SeverityNumber.INFO, body: `served GET /api/items in ${10 + (t % 7)} ms` });
        if (after) logger.emit({ timestamp: t, severityNumber: SeverityNumber.ERROR, body: `TypeError: Cannot read properties of undefined (reading 'price') at cart ${t % 97}` });
        const sp = tracer.startSpan('GET /api/checkout', { startTime: t });
        if (after) sp.setStatus({ code: SpanStatusCode.ERROR });
        sp.end(t + 20);
      }
      await lp.forceFlush();
      await tp.forceFlush();
      await Promise.all([lp.shutdown(), tp.shutdown()]);
      const bundle = await new OtlpSource(own).collect({ deployment: { ...deployment, at: deployAt }, from: deployAt - 300_000, to: deployAt + 60_000, stepSeconds: 15 });
      expect(own.received.logs).toBe(210);
      expect(bundle.logs.length).toBe(210);
      const result = analyze({ deployment: { ...deployment, at: deployAt }, bundle, now: deployAt + 60_000, stepSeconds: 15 });
      const newLog = result.findings.find((f) => f.kind === 'log_new' && /TypeError/.test(f.evidence?.template ?? f.text));
      expect(newLog, JSON.stringify(result.findings.map((f) => f.id))).toBeDefined();
      const op = result.findings.find((f) => f.kind === 'trace_operation' && f.subject === 'GET /api/checkout');
      expect(op, JSON.stringify(result.findings.map((f) => f.id))).toBeDefined();
    } finally {
      await a.close();
    }
  });

  it('rejects garbage with a clear 400, in the encoding of the request', async () => {
    const r1 = await fetch(`${base}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceLogs": 5}' });
    expect(r1.status).toBe(400);
    expect(((await r1.json()) as { message: string }).message).toMatch(/resourceLogs must be an array/);
    const r2 = await fetch(`${base}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array([0x0a, 0xff, 0xff, 0xff]) });
    expect(r2.status).toBe(400);
    expect(r2.headers.get('content-type')).toMatch(/x-protobuf/);
  });

  it('a service that sent nothing is a problem, not an unhealthy empty bundle', async () => {
    const b = await new OtlpSource(buffer).collect({ deployment: { ...deployment, service: 'billing' }, from: 0, to: Date.now(), stepSeconds: 15 });
    expect(b.problems[0].message).toMatch(/nothing received over OTLP from service "billing"/);
  });
});

describe('OTLP receiver under a burst of 50,000 log records', () => {
  it('keeps memory bounded, stays up and counts what it dropped on /metrics', async () => {
    const burst = new OtlpBuffer({ maxLogsPerService: 5000, maxMessageChars: 500 });
    const reg = new Registry();
    const a = Fastify();
    await registerOtlpRoutes(a, { buffer: burst, registry: reg });
    a.get('/metrics', async (_req, reply) => reply.type(reg.contentType).send(await reg.metrics()));
    await a.listen({ host: '127.0.0.1', port: 0 });
    const addr = a.server.address();
    const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    try {
      gc();
      const heapBefore = process.memoryUsage().heapUsed;
      const now = BigInt(Date.now()) * 1_000_000n;
      const batch = (k: number) => ({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
            scopeLogs: [
              {
                logRecords: Array.from({ length: 1000 }, (_, i) => ({
                  timeUnixNano: String(now + BigInt(k * 1000 + i)),
                  severityNumber: 17,
                  body: { stringValue: `request ${k * 1000 + i} failed: ${'x'.repeat(1000)}` },
                })),
              },
            ],
          },
        ],
      });
      // 50 requests × 1,000 records, 5 in flight at a time
      for (let k = 0; k < 50; k += 5) {
        const rs = await Promise.all(
          [0, 1, 2, 3, 4].map((j) => fetch(`${url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch(k + j)) })),
        );
        for (const r of rs) expect(r.status).toBe(200);
      }
      const size = burst.size();
      expect(size.logs).toBe(5000);
      expect(burst.received.logs).toBe(50_000);
      expect(burst.dropped.logs).toBe(45_000);
      gc();
      const grew = process.memoryUsage().heapUsed - heapBefore;
      // 5,000 kept records with messages truncated to 500 chars: a few MB, not the ~55 MB sent
      process.stdout.write(`otlp burst: heap grew ${(grew / 1048576).toFixed(1)} MB for 50,000 records sent, ${size.logs} kept\n`);
      expect(grew).toBeLessThan(25 * 1024 * 1024);
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).toMatch(/otlp_receiver_dropped_records_total\{signal="logs",reason="evicted"\} 45000/);
      expect(text).toMatch(/otlp_receiver_received_records_total\{signal="logs"\} 50000/);
      // the oldest records were the ones evicted (the last batches arrive 5 at a time, in any order)
      const kept = await new OtlpSource(burst).collect({ deployment: { ...deployment }, from: 0, to: Date.now() + 1000, stepSeconds: 15 });
      const ids = kept.logs.map((l) => Number(/^request (\d+)/.exec(l.message)![1]));
      expect(Math.min(...ids)).toBeGreaterThanOrEqual(40_000);
      expect(kept.logs[0].message.length).toBe(500);
    } finally {
      await a.close();
    }
  });
});
