// Hostile requests for every route, as fast-check arbitraries, and the harness that sends them to
// a real `devops-commander serve` child process and watches it (exit, RSS, what it stored).
// Shared by test/fuzz/routes-fuzz.test.ts (a short run in `npm test`) and bench/fuzz.ts (the
// long run that prints the figures).
import { connect } from 'node:net';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { startCommander, stop, type Commander } from '../e2e/spawn-commander.js';

export interface FuzzRequest {
  method: 'GET' | 'POST' | 'HEAD';
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** send this many bytes fewer than Content-Length says, then close (a truncated upload) */
  truncateBy?: number;
  /** what kind of body, for the report */
  kind: string;
}

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

/** Keys that hit prototype lookups, mixed with ordinary ones. */
const key = fc.oneof(fc.constantFrom(...PROTO_KEYS, 'service', 'version', 'environment', 'at', 'replicas', 'resourceLogs', 'resourceMetrics', 'resourceSpans', 'deployment', 'repository'), fc.string({ maxLength: 12 }));
/** Strings with control characters, lone surrogates, RTL marks, shell and path tricks. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('constructor', 'toString', '__proto__', '..', '../../etc/passwd', '$(reboot)', '`id`', '\u0000', '\ud800', '\u202e', 'v1;rm -rf /', 'a'.repeat(300)),
);
/** One huge string (kept to the top level of a body: nested, a few of them would not fit in memory here) */
const huge = fc.integer({ min: 10_000, max: 2_000_000 }).map((n) => 'x'.repeat(n));
const numberText = fc.constantFrom('1e309', '-1e309', '1e-400', '123456789012345678901234567890', '-0', '0.1e+99999', 'NaN', 'Infinity');

/** Random JSON values whose objects use the dangerous keys. */
const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.constant(null), fc.boolean(), fc.double(), fc.integer(), nasty),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.dictionary(key, tie('v'), { maxKeys: 6 }),
  ),
})).v;

/** JSON text nested `n` levels deep, of arrays, objects or OTLP values. */
const deepText = fc.tuple(fc.integer({ min: 10, max: 200_000 }), fc.constantFrom('array', 'object', 'anyvalue')).map(([n, shape]) => {
  if (shape === 'array') return '['.repeat(n) + ']'.repeat(n);
  if (shape === 'object') return '{"a":'.repeat(n) + '1' + '}'.repeat(n);
  const d = Math.min(n, 3000);
  const v = '{"arrayValue":{"values":['.repeat(d) + '{"stringValue":"\\"x\\""}' + ']}}'.repeat(d);
  return `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${v}}]}]}]}`;
});

/** A plausible deployment, then mutated. */
const deployBody = fc.record(
  { service: fc.oneof(fc.constantFrom('checkout', 'constructor', 'toString'), nasty, huge), version: fc.oneof(fc.constantFrom('v1.0.0', 'v2.0.0-bug'), nasty), environment: fc.oneof(fc.constantFrom('production', 'constructor', '__proto__'), nasty), at: fc.oneof(fc.double(), fc.string(), fc.integer()), replicas: fc.oneof(fc.double(), fc.integer()) },
  { requiredKeys: [] },
);

/** OTLP-shaped JSON with random content in every place. */
const otlpJson = fc.record({
  resourceLogs: fc.array(fc.record({ resource: fc.record({ attributes: fc.array(fc.record({ key, value: hostileValue })) }), scopeLogs: fc.array(fc.record({ logRecords: fc.array(fc.dictionary(key, hostileValue, { maxKeys: 5 })) })) }), { maxLength: 3 }),
  resourceMetrics: fc.array(fc.record({ scopeMetrics: fc.array(fc.record({ metrics: fc.array(fc.record({ name: fc.oneof(key, nasty), gauge: fc.record({ dataPoints: fc.array(fc.dictionary(key, hostileValue)) }), sum: hostileValue, histogram: hostileValue })) })) }), { maxLength: 3 }),
  resourceSpans: fc.array(fc.record({ scopeSpans: fc.array(fc.record({ spans: fc.array(fc.dictionary(key, hostileValue)) })) }), { maxLength: 3 }),
}, { requiredKeys: [] });

/** Protobuf-ish bytes: random, deeply nested values, or a million empty messages. */
const protoBytes = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
  fc.integer({ min: 1, max: 500 }).map((depth) => {
    let any = wrap(0x0a, Buffer.from('x')); // AnyValue{string_value}
    for (let i = 0; i < depth; i++) any = wrap(0x2a, wrap(0x0a, any)); // AnyValue{array_value{values: [any]}}
    return logsRequest(any);
  }),
  fc.integer({ min: 100_000, max: 2_000_000 }).map((n) => {
    const values = Buffer.alloc(2 * n);
    for (let i = 0; i < n; i++) values[2 * i] = 0x0a; // ArrayValue.values = {} (an empty AnyValue)
    return logsRequest(wrap(0x2a, values));
  }),
);

/** ExportLogsServiceRequest{resource_logs{scope_logs{log_records{body: AnyValue(content)}}}} */
function logsRequest(anyValue: Buffer): Buffer {
  return wrap(0x0a, wrap(0x12, wrap(0x12, wrap(0x2a, anyValue))));
}

/** A length-delimited protobuf field: tag byte, length, content. */
function wrap(tag: number, content: Buffer): Buffer {
  const len: number[] = [];
  for (let n = content.length; ; n = Math.floor(n / 128)) {
    if (n < 128) {
      len.push(n);
      break;
    }
    len.push((n % 128) | 128);
  }
  return Buffer.concat([Buffer.from([tag, ...len]), content]);
}

// Compression bombs are built once: a few KB that inflate to 10-64 MB.
let bombs: Buffer[] | undefined;
const bomb = fc.integer({ min: 0, max: 2 }).map((i) => {
  bombs ??= [gzipSync(Buffer.alloc(64 << 20, 0x20), { level: 9 }), deflateSync(Buffer.alloc(16 << 20, 0x7b)), brotliCompressSync(Buffer.alloc(16 << 20, 0x5b))];
  return { body: bombs[i], encoding: ['gzip', 'deflate', 'br'][i] };
});

type Body = { body: Buffer; kind: string; encoding?: string };
const text = (kind: string) => (s: string): Body => ({ body: Buffer.from(s, 'utf8'), kind });
const body: fc.Arbitrary<Body | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.json().map(text('json')),
  hostileValue.map((v) => text('hostile-json')(JSON.stringify(v) ?? 'null')),
  deployBody.map((v) => text('deploy-json')(JSON.stringify(v))),
  // valid ones too, so acceptance is exercised beside refusal
  fc.record({ service: fc.constantFrom('checkout', 'payments', 'constructor'), version: fc.nat(999).map((n) => `v1.${n}.0`), environment: fc.constantFrom('production', 'staging', 'tostring') }).map((v) => text('valid-deploy')(JSON.stringify(v))),
  otlpJson.map((v) => text('otlp-json')(JSON.stringify(v))),
  deepText.map(text('deep-json')),
  numberText.map((n) => text('numbers')(`{"service":"checkout","version":"v1","at":${n},"replicas":${n}}`)),
  fc.tuple(fc.json(), fc.nat()).map(([j, cut]) => text('truncated-json')(j.slice(0, cut % Math.max(1, j.length)))),
  fc.uint8Array({ maxLength: 3000 }).map((b) => ({ body: Buffer.from(b), kind: 'invalid-utf8' })),
  huge.map((h) => text('huge-string')(JSON.stringify({ service: 'checkout', version: 'v1.0.0', message: h }))),
  huge.map((h) => text('huge-otlp-string')(JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: '1', body: { stringValue: h }, attributes: [{ key: h.slice(0, 5000), value: { stringValue: h } }] }] }] }] }))),
  protoBytes.map((b) => ({ body: b, kind: 'garbage-protobuf' })),
  bomb.map((b) => ({ ...b, kind: 'compression-bomb' })),
);

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/x-protobuf', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=latin1', ''];
const ENCODINGS = ['', '', '', 'gzip', 'deflate', 'br', 'zstd', 'gzip, br', 'identity', 'x-gzip'];

const segment = fc.oneof(fc.constantFrom('constructor', '__proto__', '..', '%00', 'dep1', 'a'.repeat(200)), fc.string({ maxLength: 20 })).map((s) => encodeURIComponent(s));
const query = fc.dictionary(fc.oneof(key, fc.constantFrom('limit', 'before', 'afterSeq', 'service', 'status', 'type', 'q', 'series', 'lastEventId', 'deploymentId')), fc.oneof(nasty.map((s) => s.slice(0, 300)), numberText), { maxKeys: 4 }).map((q) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) p.append(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
});

/** Every route of the HTTP API with the methods it answers. */
const route: fc.Arbitrary<[FuzzRequest['method'], string]> = fc.oneof(
  fc.constantFrom<['POST', string]>(['POST', '/api/deployments'], ['POST', '/api/v1/executions/webhook/devops/deploy'], ['POST', '/api/webhooks/github'], ['POST', '/api/webhooks/argocd'], ['POST', '/v1/logs'], ['POST', '/v1/metrics'], ['POST', '/v1/traces'], ['POST', '/api/policy/rollback']),
  segment.map((s): ['POST', string] => ['POST', `/api/v1/executions/webhook/devops/deploy/${s}`]),
  fc.tuple(segment, fc.constantFrom('approve', 'reject')).map(([s, v]): ['POST', string] => ['POST', `/api/decisions/${s}/${v}`]),
  fc.tuple(fc.constantFrom('/api/deployments', '/api/audit', '/api/audit/verify', '/api/policy/versions', '/healthz', '/readyz', '/metrics', '/', '/index.html', '/nope'), query).map(([p, q]): ['GET', string] => ['GET', p + q]),
  fc.tuple(segment, query).map(([s, q]): ['GET', string] => ['GET', `/api/deployments/${s}${q}`]),
  segment.map((s): ['GET', string] => ['GET', `/api/policy/versions/${s}`]),
  query.map((q): ['HEAD', string] => ['HEAD', `/api/events${q}`]),
);

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    route,
    body,
    contentType: fc.constantFrom(...CONTENT_TYPES),
    encoding: fc.constantFrom(...ENCODINGS),
    compress: fc.boolean(),
    extra: fc.dictionary(fc.constantFrom('idempotency-key', 'last-event-id', 'x-github-event', 'x-github-delivery', 'x-hub-signature-256', 'x-commander-token', 'authorization'), nasty.map((s) => s.slice(0, 200).replace(/[^\x20-\x7e]/g, '?')), { maxKeys: 3 }),
    truncate: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 100 }) }),
  })
  .map(({ route: [method, path], body: b, contentType, encoding, compress, extra, truncate }) => {
    const headers: Record<string, string> = { ...extra };
    let data = b?.body;
    const enc = b?.encoding ?? encoding;
    if (data && !b?.encoding && compress) {
      if (enc === 'gzip' || enc === 'x-gzip') data = gzipSync(data);
      else if (enc === 'deflate') data = deflateSync(data);
      else if (enc === 'br') data = brotliCompressSync(data);
    }
    if (method === 'POST') {
      if (contentType) headers['content-type'] = contentType;
      if (enc) headers['content-encoding'] = enc;
    }
    return {
      method,
      path,
      headers,
      ...(method === 'POST' && data ? { body: data } : {}),
      ...(method === 'POST' && data && truncate > 0 && data.length > truncate ? { truncateBy: truncate } : {}),
      kind: b?.kind ?? 'none',
    };
  });

/**
 * Sends a request over a raw socket (so a truncated upload can lie about its length) and returns
 * the status, or null when the server closed without answering (a truncated upload).
 */
export function send(base: string, r: FuzzRequest, timeoutMs = 20_000): Promise<{ status: number | null; body: string }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    let raw = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer in ${timeoutMs} ms to ${r.method} ${r.path} (${r.kind})`));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => {
      raw = Buffer.concat([raw, c]);
      // HEAD and bodies with a length: done once the header and the declared body are in
      const head = raw.indexOf('\r\n\r\n');
      if (head < 0) return;
      const len = /\r\ncontent-length: (\d+)/i.exec(raw.subarray(0, head).toString('latin1'));
      if (r.method === 'HEAD' || (len && raw.length >= head + 4 + Number(len[1]))) socket.end();
    });
    socket.on('error', () => undefined); // a reset after the answer is fine; no answer shows as null
    socket.on('close', () => {
      clearTimeout(timer);
      const m = /^HTTP\/1\.1 (\d{3})/.exec(raw.toString('latin1', 0, 16));
      resolve({ status: m ? Number(m[1]) : null, body: raw.toString('utf8', raw.indexOf('\r\n\r\n') + 4) });
    });
    const body = r.body ?? Buffer.alloc(0);
    const headers = { host: u.host, connection: 'close', ...r.headers, ...(r.method === 'POST' ? { 'content-length': String(body.length) } : {}) };
    socket.write(`${r.method} ${r.path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
    if (r.method === 'POST') {
      socket.write(r.truncateBy ? body.subarray(0, body.length - r.truncateBy) : body);
      if (r.truncateBy) socket.end();
    }
  });
}

export interface FuzzServer {
  commander: Commander;
  url: string;
  pid: number;
  /** resident set now and its peak since start (VmHWM), bytes */
  rss(): { now: number; peak: number };
  close(): Promise<void>;
}

/** `devops-commander serve` on a fresh SQLite file with every intake configured. */
export async function startFuzzServer(opts: { server?: string; yaml?: string[]; prepare?: (dbPath: string) => Promise<void> } = {}): Promise<FuzzServer> {
  const dir = mkdtempSync(join(tmpdir(), 'commander-fuzz-'));
  await opts.prepare?.(join(dir, 'c.db'));
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `server: {port: 0, rateLimitPerMinute: 1000000, rejectionSummarySeconds: 1${opts.server ? `, ${opts.server}` : ''}}`,
      `store: {kind: sqlite, path: ${JSON.stringify(join(dir, 'c.db'))}}`,
      'github: {webhookSecret: fuzz-secret}',
      'argocd: {token: fuzz-token}',
      ...(opts.yaml ?? []),
    ].join('\n'),
  );
  const commander = await startCommander(['serve', '--config', config]);
  const pid = commander.child.pid!;
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  return {
    commander,
    url: commander.url,
    pid,
    rss: () => ({ now: kb('VmRSS'), peak: kb('VmHWM') }),
    close: async () => {
      await stop(commander);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What the server holds: deployments, audit events by type, OTLP records received. */
export async function storedCounts(url: string): Promise<{ deployments: string[]; events: Map<string, number>; rejectedRows: number; otlpReceived: number }> {
  const list = (await (await fetch(`${url}/api/deployments?limit=500`)).json()) as { deployments: Array<{ id: string }> };
  const events = new Map<string, number>();
  let rejectedRows = 0;
  for (let after = 0; ; ) {
    const page = (await (await fetch(`${url}/api/audit?afterSeq=${after}&limit=500`)).json()) as { events: Array<{ seq: number; type: string; payload: { aggregated?: boolean } }> };
    for (const e of page.events) {
      events.set(e.type, (events.get(e.type) ?? 0) + 1);
      if (e.type === 'security.rejected' && !e.payload.aggregated) rejectedRows++;
    }
    if (page.events.length < 500) break;
    after = page.events[page.events.length - 1].seq;
  }
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const otlpReceived = [...metrics.matchAll(/^otlp_receiver_received_records_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
  return { deployments: list.deployments.map((d) => d.id), events, rejectedRows, otlpReceived };
}
