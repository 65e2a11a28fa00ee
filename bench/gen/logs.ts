// Log lines for the second scenario set, in styles the development set does not use: syslog-like
// (host names, program[pid]), JSON lines, logfmt key=value, and cloud request logs (UUIDs, verbs,
// status, timings). A line is an event (what happened, with its variable parts filled in) written
// in one style; the level travels beside the message as the scenario format wants.
import type { Gen } from './rng.js';

export type Style = 'syslog' | 'json' | 'logfmt' | 'request';
export const STYLES: readonly Style[] = ['syslog', 'json', 'logfmt', 'request'];

export type Level = 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export interface Line {
  level: Level;
  message: string;
}

/** The variable context lines are written in: one service, its pods, its routes and peers. */
export interface LogWorld {
  style: Style;
  service: string;
  pods: string[];
  /** pid per pod (changes on restart) */
  pids: number[];
  routes: string[];
  peer: { name: string; host: string; port: number };
  node: string;
}

const ROUTES = ['/v1/orders', '/v1/orders/{id}', '/v2/cart/items', '/api/session', '/v1/search', '/v1/inventory/{sku}', '/healthz', '/v3/quotes', '/v1/payments/{id}/capture', '/internal/sync'];
const PEERS: Array<[string, number]> = [
  ['ledger-grpc', 9090],
  ['postgres-primary', 5432],
  ['redis-sessions', 6379],
  ['kafka-broker-2', 9092],
  ['auth-gateway', 443],
  ['geo-lookup', 8443],
  ['mongo-rs0', 27017],
];

export function makeWorld(g: Gen, service: string, replicas: number): LogWorld {
  const rs = g.hex(9);
  const pods = Array.from({ length: replicas }, () => `${service}-${rs}-${g.hex(5)}`);
  const [name, port] = g.one(PEERS);
  return {
    style: g.one(STYLES),
    service,
    pods,
    pids: pods.map(() => g.int(1000, 65000)),
    routes: Array.from(new Set(Array.from({ length: 5 }, () => g.one(ROUTES)))),
    peer: { name, host: `${name}.${g.one(['svc.cluster.local', 'internal', 'prod.corp'])}`, port },
    node: `ip-10-${g.int(0, 9)}-${g.int(0, 255)}-${g.int(1, 254)}`,
  };
}

/** what an event is about; `fields` are already-filled variable parts */
export interface Event {
  level: Level;
  /** the statement, in words */
  text: string;
  /** the request it belongs to, if any (request-style logs put it first) */
  request?: { verb: string; path: string; status: number; ms: number };
}

function fill(g: Gen, route: string): string {
  return route.replace('{id}', String(g.int(10000, 9999999))).replace('{sku}', `SKU-${g.hex(6).toUpperCase()}`);
}

function fmt(g: Gen, w: LogWorld, e: Event, pod: number): string {
  const ms = e.request?.ms ?? g.int(1, 80);
  switch (w.style) {
    case 'syslog': {
      const prog = g.bool(0.8) ? w.service : g.one(['envoy', 'kubelet', 'containerd']);
      return `${w.pods[pod]} ${prog}[${w.pids[pod]}]: ${e.request ? `${e.request.verb} ${e.request.path} -> ${e.request.status} in ${e.request.ms}ms; ` : ''}${e.text}`;
    }
    case 'json': {
      const o: Record<string, unknown> = { level: e.level, logger: `${w.service}.${g.one(['http', 'core', 'worker', 'db'])}`, msg: e.text, pod: w.pods[pod], trace_id: g.hex(32) };
      if (e.request) Object.assign(o, { method: e.request.verb, path: e.request.path, status: e.request.status, duration_ms: e.request.ms });
      return JSON.stringify(o);
    }
    case 'logfmt': {
      const q = (s: string): string => (/[\s"=]/.test(s) ? JSON.stringify(s) : s);
      let s = `level=${e.level} svc=${w.service} pod=${w.pods[pod]} msg=${q(e.text)}`;
      if (e.request) s += ` method=${e.request.verb} path=${e.request.path} status=${e.request.status} took=${e.request.ms}ms`;
      else s += ` took=${ms}ms`;
      return s;
    }
    case 'request': {
      const r = e.request ?? { verb: '-', path: '-', status: 0, ms };
      return `${g.uuid()} ${w.pods[pod]} "${r.verb} ${r.path} HTTP/1.1" ${r.status || '-'} ${(r.ms / 1000).toFixed(3)}s ${e.text}`;
    }
  }
}

export function line(g: Gen, w: LogWorld, e: Event): Line {
  const pod = g.int(0, w.pods.length - 1);
  return { level: e.level, message: fmt(g, w, e, pod) };
}

const VERBS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
function req(g: Gen, w: LogWorld, status: number, ms: number): Event['request'] {
  return { verb: g.one(VERBS), path: fill(g, g.one(w.routes)), status, ms: Math.round(ms) };
}

/** ordinary traffic and housekeeping */
export function background(g: Gen, w: LogWorld, latMs: number): Event {
  const r = g.u();
  if (r < 0.55) return { level: 'info', text: 'request completed', request: req(g, w, g.one([200, 200, 200, 201, 204, 304]), latMs * g.range(0.2, 1.1)) };
  if (r < 0.65) return { level: 'info', text: `cache refresh done entries=${g.int(100, 90000)} evicted=${g.int(0, 500)}` };
  if (r < 0.72) return { level: 'debug', text: `gc pause ${g.range(0.2, 30).toFixed(1)}ms heap=${g.int(80, 900)}MiB` };
  if (r < 0.8) return { level: 'info', text: `consumer lag partition=${g.int(0, 23)} offset=${g.int(1e5, 9e7)} lag=${g.int(0, 300)}` };
  if (r < 0.86) return { level: 'info', text: `scheduled job ${g.one(['reindex', 'compact', 'expire-sessions', 'rollup'])} finished in ${g.int(20, 9000)}ms` };
  if (r < 0.93) return { level: 'warn', text: `request validation failed: field ${g.one(['email', 'quantity', 'currency', 'zip'])} invalid`, request: req(g, w, 400, g.range(2, 20)) };
  return { level: 'error', text: `client closed connection before response was sent`, request: req(g, w, 499, latMs * g.range(1, 4)) };
}

/** a new, harmless line the new version writes (a changed wording, a feature flag, a deprecation) */
export function harmless(g: Gen, w: LogWorld, flag: string): Event {
  return g.bool(0.6)
    ? { level: 'info', text: `feature flag ${flag} evaluated to ${g.one(['on', 'off'])} for tenant t-${g.int(100, 999)}` }
    : { level: 'warn', text: `config key ${flag}.timeout is deprecated, use ${flag}.deadline instead` };
}

export function codeFault(g: Gen, w: LogWorld, kind: number): Event {
  const status = 500;
  const texts = [
    `unhandled exception in handler: NullPointerException at com.shop.${w.service}.OrderMapper.toDto(OrderMapper.java:${g.int(40, 400)})`,
    `panic: runtime error: index out of range [${g.int(1, 9)}] with length ${g.int(0, 1)}`,
    `failed to decode response body: unexpected end of JSON input at offset ${g.int(10, 4000)}`,
    `KeyError: '${g.one(['discount_code', 'region', 'tier'])}' in pricing rule ${g.int(1, 90)}`,
    `TypeError: Cannot read properties of undefined (reading '${g.one(['items', 'userId', 'amount'])}')`,
  ];
  return { level: 'error', text: texts[kind % texts.length], request: req(g, w, status, g.range(3, 60)) };
}

export function crash(g: Gen, w: LogWorld, kind: number): Event[] {
  const why = [
    'panic: assignment to entry in nil map',
    'FATAL: could not load configuration: invalid value for PAYMENT_MODE',
    'Exception in thread "main" java.lang.IllegalStateException: migration checksum mismatch',
  ][kind % 3];
  return [
    { level: 'fatal', text: why },
    { level: 'warn', text: `Back-off restarting failed container ${w.service} in pod ${g.one(w.pods)} (exit code ${g.one([1, 2, 134, 139])})` },
  ];
}

export function oom(g: Gen, w: LogWorld, limitMiB: number): Event {
  return { level: 'error', text: `container ${w.service} OOMKilled: memory limit ${limitMiB}Mi exceeded, exit code 137` };
}

export function memWarn(g: Gen, pct: number): Event {
  return { level: 'warn', text: `heap usage high: ${pct.toFixed(0)}% of limit after full gc` };
}

export function dependency(g: Gen, w: LogWorld, kind: number): Event {
  const p = w.peer;
  const texts = [
    `dial tcp ${p.host}:${p.port}: connect: connection refused`,
    `upstream connect error or disconnect/reset before headers. reset reason: connection timeout (cluster ${p.name})`,
    `call to ${p.name} failed: rpc error: code = Unavailable desc = no healthy upstream`,
    `timed out waiting for a connection from pool ${p.name} after ${g.int(1000, 5000)}ms`,
    `circuit breaker ${p.name} is OPEN, failing fast`,
  ];
  const text = texts[kind % texts.length];
  return { level: kind % texts.length === 4 ? 'warn' : 'error', text, request: req(g, w, g.one([502, 503, 504]), g.range(50, 5000)) };
}

export function capacity(g: Gen, w: LogWorld): Event {
  return g.bool(0.5)
    ? { level: 'warn', text: `rejecting request: too many requests in flight (${g.int(200, 2000)}/${g.int(100, 199)})`, request: req(g, w, 429, g.range(1, 5)) }
    : { level: 'error', text: `worker queue full (capacity ${g.one([256, 512, 1024])}), dropping request`, request: req(g, w, 503, g.range(1, 10)) };
}

export function slow(g: Gen, w: LogWorld, ms: number): Event {
  return { level: 'warn', text: `slow request exceeded ${g.one([500, 1000, 2000])}ms budget`, request: req(g, w, 200, ms) };
}

export function telemetryLost(g: Gen, w: LogWorld): Event {
  return g.bool(0.5)
    ? { level: 'error', text: `metrics exporter: failed to push batch to collector: context deadline exceeded (dropped ${g.int(100, 5000)} points)` }
    : { level: 'warn', text: `otel exporter queue for ${w.service} is full, dropping spans and metrics` };
}

export function rollout(g: Gen, w: LogWorld, version: string): Event {
  return g.one<Event>([
    { level: 'info', text: `starting ${w.service} ${version} (go1.22, GOMAXPROCS=${g.int(1, 8)})` },
    { level: 'info', text: `listening on :${g.one([8080, 8443, 9000])}, readiness probe ok` },
    { level: 'info', text: `loaded ${g.int(10, 300)} routes and ${g.int(2, 40)} feature flags` },
  ]);
}
