// The six hostile-input problems of issue 12, each reproduced against the whole app (real
// Fastify, real SQLite, real sockets): a compression bomb, an exponentially expanding OTLP value,
// HEAD on the live stream, clients that stop reading the live stream, a flood of forged webhook
// deliveries, and names that are Object.prototype keys. The crash-type cases also run against a
// child process in test/fuzz/routes-fuzz.test.ts.
import { connect, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { startApp, type RunningApp } from '../../src/app.js';
import { OtlpBuffer } from '../../src/signals/otlp.js';

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{ name: string; examples: Array<Record<string, unknown>> }>;
const success = examples.find((e) => e.name === 'deployment_status')!.examples.find((e) => (e.deployment_status as { state: string }).state === 'success')!;
const SECRET = 'hostile-secret';

let app: RunningApp;
let dir: string;
const lines: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'commander-hostile-'));
  const config = configSchema.parse({
    server: {
      port: 0,
      dashboardDir: join(dir, 'none'),
      rateLimitPerMinute: 100_000,
      events: { maxBufferedBytes: 64 * 1024, stallSeconds: 1, maxClients: 30 },
    },
    store: { kind: 'sqlite', path: join(dir, 'c.db') },
    github: { webhookSecret: SECRET },
  });
  app = await startApp({ config, mode: 'serve', log: (l) => lines.push(l) });
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const auditCount = async (type: string): Promise<number> => (await app.store.audit({ type: type as 'security.rejected', limit: 10_000 })).length;

describe('1. compressed bodies are bounded while they are inflated', () => {
  it('answers a gzip bomb on /v1/logs with 413 and a reason, and keeps serving', async () => {
    // 9 KB of gzip that inflates to 9 MB, past the receiver's 8 MiB limit
    const bomb = gzipSync(Buffer.alloc(9 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(12 * 1024);
    const r = await fetch(`${app.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb });
    expect(r.status).toBe(413);
    expect(JSON.stringify(await r.json())).toMatch(/decompressed|inflated/i);
    // the process survived the client's error (an uncaught one fails this test file)
    await new Promise((res) => setTimeout(res, 200));
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it('inflates gzip, deflate and br on the API routes too, with the same limit', async () => {
    const body = JSON.stringify({ service: 'zipped', version: 'v1.0.0' });
    const { deflateSync, brotliCompressSync } = await import('node:zlib');
    for (const [enc, data] of [['gzip', gzipSync(body)], ['deflate', deflateSync(body)], ['br', brotliCompressSync(body)]] as const) {
      const r = await fetch(`${app.url}/api/deployments`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': enc, 'idempotency-key': `zip-${enc}` }, body: data });
      expect(r.status, enc).toBe(201);
    }
    const bomb = brotliCompressSync(Buffer.alloc(4 * 1024 * 1024, 0x20));
    const r = await fetch(`${app.url}/api/deployments`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'br' }, body: bomb });
    expect(r.status).toBe(413);
    const garbage = await fetch(`${app.url}/api/deployments`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: Buffer.from('not gzip at all') });
    expect(garbage.status).toBe(400);
    const unknown = await fetch(`${app.url}/api/deployments`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'zstd' }, body: body });
    expect(unknown.status).toBe(415);
  });
});

describe('2. OTLP values are bounded before they are expanded', () => {
  it('answers a 1 KB deeply nested log body with 400 and a reason, without allocating', async () => {
    // each ArrayValue level used to be rendered as a JSON string of the level below: the escapes
    // double per level, so 30 levels meant a gigabyte-long string
    let v: unknown = { stringValue: '"x"' };
    for (let i = 0; i < 30; i++) v = { arrayValue: { values: [v] } };
    const body = JSON.stringify({ resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ logRecords: [{ timeUnixNano: '1', body: v }] }] }] });
    expect(body.length).toBeLessThan(2048);
    const rss = process.memoryUsage().rss;
    const t0 = performance.now();
    const r = await fetch(`${app.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(r.status).toBe(400);
    const answer = (await r.json()) as { message?: string; error?: string };
    expect(answer.message ?? answer.error).toMatch(/nested deeper/i);
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 1024 * 1024);
  });

  it('refuses values nested past the OTLP limit in JSON and in protobuf, naming the limit', async () => {
    let v: Record<string, unknown> = { stringValue: 'x' };
    for (let i = 0; i < 12; i++) v = { kvlistValue: { values: [{ key: `k${i}`, value: v }] } };
    const request = { resourceLogs: [{ resource: { attributes: [] }, scopeLogs: [{ logRecords: [{ timeUnixNano: '1', body: v }] }] }] };
    const json = await fetch(`${app.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { message: string }).message).toMatch(/nested deeper than 8 levels/);
    const proto = protobufLogs(12);
    const p = await fetch(`${app.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: proto });
    expect(p.status).toBe(400);
    expect(Buffer.from(await p.arrayBuffer()).toString('latin1')).toMatch(/nested deeper than 8 levels/);
  });

  it('refuses a protobuf request of a million empty values before decoding it', async () => {
    const inner = Buffer.alloc(2 * 1_000_000);
    for (let i = 0; i < 1_000_000; i++) inner[2 * i] = 0x0a; // ArrayValue.values = {} (AnyValue)
    const body = wrap(0x0a, wrap(0x12, wrap(0x12, wrap(0x2a, wrap(0x2a, inner)))));
    const rss = process.memoryUsage().rss;
    const r = await fetch(`${app.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    expect(r.status).toBe(400);
    expect(Buffer.from(await r.arrayBuffer()).toString('latin1')).toMatch(/more than 200000 elements/);
    expect(process.memoryUsage().rss - rss).toBeLessThan(60 * 1024 * 1024);
  });

  it('keeps a wide but shallow attribute value, truncated to its budget', async () => {
    const wide = { kvlistValue: { values: Array.from({ length: 2000 }, (_, i) => ({ key: `k${i}`, value: { stringValue: 'v'.repeat(50) } })) } };
    const body = JSON.stringify({ resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'wide' } }] }, scopeLogs: [{ logRecords: [{ timeUnixNano: String(Date.now() * 1e6), body: wide, attributes: [{ key: 'a', value: wide }] }] }] }] });
    const r = await fetch(`${app.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(r.status).toBe(200);
  });
});

/** protobuf field `tag` (already shifted with its wire type) around `body` */
function wrap(tag: number, body: Buffer): Buffer {
  const len: number[] = [];
  let n = body.length;
  while (n > 127) {
    len.push((n & 127) | 128);
    n >>>= 7;
  }
  len.push(n);
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}

/** ExportLogsServiceRequest with one record whose body nests `depth` ArrayValues */
function protobufLogs(depth: number): Buffer {
  let any = wrap(0x0a, Buffer.from('x')); // AnyValue{string_value}
  for (let i = 0; i < depth; i++) any = wrap(0x2a, wrap(0x0a, any)); // AnyValue{array_value: ArrayValue{values: [any]}}
  // request.resource_logs → scope_logs → log_records → body
  return wrap(0x0a, wrap(0x12, wrap(0x12, wrap(0x2a, any))));
}

describe('3. HEAD /api/events', () => {
  it('answers at once with the event-stream headers', async () => {
    const r = await fetch(`${app.url}/api/events`, { method: 'HEAD', signal: AbortSignal.timeout(3000) });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/text\/event-stream/);
  });
});

/** A raw client of the live stream that reads nothing until told to. */
function stuckClient(url: string, lastEventId: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.write(`GET /api/events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: ${lastEventId}\r\nAccept: text/event-stream\r\n\r\n`);
      socket.pause();
      resolve({ socket, closed: new Promise((r) => socket.once('close', () => r())) });
    });
    socket.once('error', reject);
  });
}

describe('4. clients that stop reading the live stream', () => {
  it('disconnects them once their buffer is full and stays full; they resume with Last-Event-ID', async () => {
    const first = (await app.store.audit({ limit: 1 }))[0]?.seq ?? 0;
    // ~7.5 MB of events to replay to every client: more than the kernel's socket buffers take (~4 MB)
    for (let i = 0; i < 2500; i++) {
      await app.store.append({ deploymentId: null, type: 'deployment.note', at: Date.now(), actor: 'system', payload: { n: i, pad: 'p'.repeat(3000) } });
    }
    const clients = await Promise.all(Array.from({ length: 10 }, () => stuckClient(app.url, first)));
    try {
      // the server gives up on each once its 64 KiB queue stayed unread for a second
      const metric = async (name: string): Promise<number> => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(await (await fetch(`${app.url}/metrics`)).text())?.[1] ?? 0);
      const deadline = Date.now() + 30_000;
      while ((await metric('commander_sse_disconnected_total\\{reason="fell_behind"\\}')) < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await metric('commander_sse_disconnected_total\\{reason="fell_behind"\\}')).toBe(10);
      expect(await metric('commander_sse_clients')).toBe(0);
      expect(lines.some((l) => /fell behind/.test(l))).toBe(true);

      // one of them reads what it was sent: the stream ends part-way, on whole events
      const c = clients[0];
      let text = '';
      c.socket.on('data', (b: Buffer) => (text += b.toString('latin1')));
      c.socket.resume();
      await c.closed;
      const ids = [...text.matchAll(/^id: (\d+)\nevent: [^\n]+\ndata: [^\n]+\n\n/gm)].map((m) => Number(m[1]));
      expect(ids.length).toBeGreaterThan(0);
      const total = (await app.store.audit({ afterSeq: first, limit: 100_000 })).length;
      expect(ids.length).toBeLessThan(total);
      // and resumes with Last-Event-ID exactly after the last event it got
      const ctrl = new AbortController();
      const res = await fetch(`${app.url}/api/events`, { headers: { 'last-event-id': String(ids.at(-1)) }, signal: ctrl.signal });
      const reader = res.body!.getReader();
      let more = '';
      while ((more.match(/^id: /gm) ?? []).length < 3) more += new TextDecoder().decode((await reader.read()).value);
      ctrl.abort();
      expect([...more.matchAll(/^id: (\d+)/gm)].slice(0, 3).map((m) => Number(m[1]))).toEqual([1, 2, 3].map((k) => ids.at(-1)! + k));
    } finally {
      for (const c of clients) c.socket.destroy();
    }
  });

  it('refuses streams beyond the cap with 503 and a reason', async () => {
    const ctrls: AbortController[] = [];
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++) {
        const c = new AbortController();
        ctrls.push(c);
        const r = await fetch(`${app.url}/api/events`, { signal: c.signal });
        statuses.push(r.status);
        if (r.status !== 200) expect(((await r.json()) as { error: string }).error).toMatch(/live stream/);
      }
      expect(statuses.filter((s) => s === 200)).toHaveLength(30);
      expect(statuses.at(-1)).toBe(503);
    } finally {
      for (const c of ctrls) c.abort();
    }
  });
});

describe('5. forged webhook deliveries', () => {
  it('are counted in /metrics but not written to the audit trail one row each', async () => {
    const before = await auditCount('security.rejected');
    const raw = JSON.stringify(success);
    const forged = await sign('not the secret', raw);
    for (let i = 0; i < 200; i++) {
      const r = await fetch(`${app.url}/api/webhooks/github`, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-github-event': 'deployment_status', 'x-github-delivery': `forged-${i}-0000`, 'x-hub-signature-256': forged } });
      expect(r.status).toBe(401);
    }
    expect((await auditCount('security.rejected')) - before).toBeLessThanOrEqual(1);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    const m = /commander_requests_rejected_total\{[^}]*reason="bad_signature"[^}]*\} (\d+)/.exec(metrics);
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(200);
    // logged, but sampled: far fewer lines than requests
    const logged = lines.filter((l) => /rejected/.test(l)).length;
    expect(logged).toBeGreaterThan(0);
    expect(logged).toBeLessThan(20);
  });
});

describe('6. names that are Object.prototype keys', () => {
  it('accepts a GitHub deployment to the environment "constructor" or "toString"', async () => {
    for (const [i, env] of ['constructor', 'toString', 'hasOwnProperty'].entries()) {
      const body = { ...success, deployment: { ...(success.deployment as object), id: 9000 + i, environment: env }, deployment_status: { ...(success.deployment_status as object), created_at: new Date().toISOString() } };
      const raw = JSON.stringify(body);
      const r = await fetch(`${app.url}/api/webhooks/github`, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-github-event': 'deployment_status', 'x-github-delivery': `proto-key-${i}-000`, 'x-hub-signature-256': await sign(SECRET, raw) } });
      expect(r.status, await r.clone().text()).toBe(202);
      const { deploymentId } = (await r.json()) as { deploymentId: string };
      expect((await app.store.getDeployment(deploymentId))?.environment).toBe(env.toLowerCase());
    }
  });

  it('keeps OTLP metrics named like Object.prototype keys as series of their own', () => {
    const buffer = new OtlpBuffer();
    const t = Date.parse('2026-03-02T12:00:00Z');
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
    const point = { timeUnixNano: String(t * 1e6), asDouble: 1 };
    const rejected = buffer.ingestMetrics({ resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'protokeys' } }] }, scopeMetrics: [{ metrics: names.map((name) => ({ name, gauge: { dataPoints: [point] } })) }] }] });
    expect(rejected).toBe(0);
    const w = buffer.window('protokeys', 'production', t - 1000, t + 1000);
    expect(Object.keys(w.metrics).sort()).toEqual([...names].sort());
    for (const n of names) expect(Object.hasOwn(w.metrics, n) && w.metrics[n]).toEqual([[t, 1]]);
  });
});
