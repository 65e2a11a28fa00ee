// Log lines for simulated incidents: ordinary traffic, harmless noise, and the messages each kind
// of incident really produces. Several styles (plain, logfmt, bracketed component) so the policy
// does not learn one generator's punctuation.
import type { Rng } from './simulate-rng.js';

export type LogStyle = 'plain' | 'logfmt' | 'bracket';
export const LOG_STYLES: readonly LogStyle[] = ['plain', 'logfmt', 'bracket'];

export interface SimLog {
  at: number;
  level: 'info' | 'warn' | 'error' | 'fatal';
  message: string;
}

const PATHS = ['/api/v1/orders', '/api/v1/cart/{n}/items', '/api/v2/search', '/api/v1/session', '/api/v1/products/SKU-{n}', '/api/v1/prices/quote', '/api/v1/users/u_{n}', '/healthz/deep'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'];
const TABLES = ['orders', 'carts', 'products', 'sessions', 'prices', 'inventory', 'payments'];
const FIELDS = ['id', 'price', 'currency', 'items', 'userId', 'locale', 'total', 'sku'];

function fill(r: Rng, s: string): string {
  return s.replace(/\{n\}/g, () => String(r.int(100, 99999)));
}
function path(r: Rng): string {
  return fill(r, r.pick(PATHS));
}

/** One ordinary request / housekeeping line, in the service's style. */
export function backgroundLine(r: Rng, style: LogStyle, svc: string, latencyMs: number): Omit<SimLog, 'at'> {
  const roll = r.next();
  const m = r.pick(METHODS);
  const p = path(r);
  const ms = Math.max(1, Math.round(latencyMs * r.uniform(0.1, 0.6)));
  if (roll < 0.7) {
    const st = r.pick([200, 200, 200, 201, 204, 304]);
    if (style === 'logfmt') return { level: 'info', message: `method=${m} path=${p} status=${st} duration_ms=${ms}` };
    if (style === 'bracket') return { level: 'info', message: `[http] ${m} ${p} -> ${st} (${ms} ms)` };
    return { level: 'info', message: `${m} ${p} ${st} ${ms}ms` };
  }
  if (roll < 0.8) return { level: 'info', message: r.pick([`cache hit ratio ${r.int(20, 99)}% over last 60s`, `GC completed: freed ${r.int(200, 40000)} KB in ${r.int(1, 40)}ms`, `health check ok (${r.int(2, 40)}ms)`, `processed batch of ${r.int(20, 900)} ${svc}-events messages in ${r.int(5, 120)}ms`]) };
  if (roll < 0.9) return { level: 'info', message: `published event ${r.pick(['OrderCreated', 'CartUpdated', 'PriceChanged', 'UserSignedIn'])} id=${r.hex(8)}-${r.hex(4)}` };
  if (roll < 0.97) return { level: 'warn', message: r.pick([`slow request ${m} ${p} took ${ms * r.int(8, 30)}ms`, `rate limit near threshold for client 203.0.113.${r.int(1, 254)} (${r.int(80, 99)}% used)`, `retrying request to ${r.pick(['search-cluster', 'kafka', 'pricing-api'])} (attempt 1/3)`]) };
  return { level: 'error', message: r.pick([`client closed connection before response (id=${r.hex(8)})`, `validation error for user u_${r.int(100, 99999)}: field '${r.pick(FIELDS)}' is required`, `failed to send email to user u_${r.int(100, 99999)}: 421 try again later`]) };
}

/** Lines every rollout prints (pods starting and stopping): new templates that are not errors. */
export function rolloutLines(r: Rng, svc: string, version: string): Array<Omit<SimLog, 'at'>> {
  return [
    { level: 'info', message: `Received SIGTERM, draining ${r.int(0, 40)} in-flight requests` },
    { level: 'info', message: `Starting ${svc} ${version} (commit ${r.hex(7)}) pid=${r.int(1, 999)}` },
    { level: 'info', message: `Loaded configuration from /etc/${svc}/config.yaml (${r.int(20, 90)} keys)` },
    { level: 'info', message: `Listening on 0.0.0.0:${r.pick([8080, 3000, 9000])}` },
    { level: 'info', message: `Readiness probe passed` },
    { level: 'info', message: `Graceful shutdown complete in ${r.int(100, 3000)}ms` },
  ];
}

/** New but harmless lines a healthy release may add (feature flags, deprecations). */
export function harmlessNewLine(r: Rng, svc: string): Omit<SimLog, 'at'> {
  return r.pick([
    { level: 'info', message: `feature flag ${r.pick(['new-checkout', 'fast-search', 'async-pricing'])} enabled for ${r.int(1, 50)}% of traffic` },
    { level: 'warn', message: `config key '${svc}.pool.size' is deprecated, use '${svc}.pool.max'` },
    { level: 'info', message: `using connection pool size ${r.int(5, 64)}` },
    { level: 'warn', message: `schema migration ${r.int(100, 400)} already applied, skipping` },
  ] as Array<Omit<SimLog, 'at'>>);
}

/** Error lines a faulty release produces. The bug is fixed per scenario (one or two templates). */
export function regressionErrorFactory(r: Rng, svc: string): () => Omit<SimLog, 'at'> {
  const field = r.pick(FIELDS);
  const fn = r.pick(['applyDiscount', 'renderCart', 'computeTotals', 'resolveUser', 'buildQuery']);
  const kind = r.int(0, 4);
  return () => {
    const msg = [
      `TypeError: Cannot read properties of undefined (reading '${field}') at ${fn} (/app/dist/${svc}.js:${r.int(100, 900)}:${r.int(2, 40)})`,
      `NullPointerException in ${svc[0].toUpperCase()}${svc.slice(1)}Service.${fn}(${fn}.java:${r.int(40, 400)})`,
      `panic: runtime error: invalid memory address or nil pointer dereference in ${fn}`,
      `unhandled exception in ${fn}: KeyError '${field}' (request ${r.hex(8)})`,
      `500 Internal Server Error: ${r.pick(METHODS)} ${path(r)} failed in ${fn}: ${field} must not be null`,
    ][kind];
    return { level: 'error', message: msg };
  };
}

/**
 * Error lines of a release whose configuration is wrong: they read like a failing dependency
 * (refused connections, unknown hosts) but start with the deploy and only on the new version.
 */
export function configErrorFactory(r: Rng, svc: string, env: string): () => Omit<SimLog, 'at'> {
  const dep = r.pick(DEPENDENCIES);
  const host = `${svc}-${r.pick(['db', 'cache', 'queue'])}.${env === 'production' ? 'prodution' : 'stagin'}.svc`;
  return () =>
    r.pick([
      { level: 'error', message: `failed to connect to ${host}:${dep.port}: dial tcp: lookup ${host}: no such host` },
      { level: 'error', message: `connect ECONNREFUSED 127.0.0.1:${dep.port} (${dep.name})` },
      { level: 'error', message: `invalid configuration: key '${svc}.${dep.name}.url' is empty, falling back to default` },
      { level: 'error', message: `upstream ${dep.name} rejected credentials: 401 Unauthorized (config ${r.hex(6)})` },
    ] as Array<Omit<SimLog, 'at'>>);
}

export function slowQueryLine(r: Rng, latencyMs: number): Omit<SimLog, 'at'> {
  return { level: 'warn', message: `slow query (${Math.round(latencyMs * r.uniform(1, 4))}ms): SELECT * FROM ${r.pick(TABLES)} WHERE ${r.pick(FIELDS)} = $1` };
}

export function crashLines(r: Rng, svc: string): Array<Omit<SimLog, 'at'>> {
  const pod = `${svc}-${r.hex(6)}-${r.hex(5)}`;
  return [
    { level: 'fatal', message: `panic: ${r.pick(['config value "timeout" is not a duration', 'failed to initialise cache: invalid size 0', 'missing required env var ' + svc.toUpperCase() + '_DB_URL'])}` },
    { level: 'warn', message: `Back-off restarting failed container ${svc} in pod ${pod}` },
    { level: 'error', message: `Liveness probe failed: HTTP probe failed with statuscode: 500` },
  ];
}

export function oomLines(r: Rng, svc: string, limitMi: number): Array<Omit<SimLog, 'at'>> {
  return [
    { level: 'error', message: r.pick(['java.lang.OutOfMemoryError: Java heap space', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory', 'fatal error: runtime: out of memory']) },
    { level: 'error', message: `Container ${svc} in pod ${svc}-${r.hex(6)} was OOMKilled (limit ${limitMi}Mi)` },
  ];
}

export function memoryWarnLine(r: Rng, pct: number): Omit<SimLog, 'at'> {
  return { level: 'warn', message: `heap usage at ${Math.round(pct)}% of limit after GC (${r.int(3, 30)} full GCs in last minute)` };
}

export function surgeLine(r: Rng): Omit<SimLog, 'at'> {
  const m = r.pick(METHODS);
  return r.pick([
    { level: 'error', message: `503 Service Unavailable: too many concurrent requests (${r.int(200, 2000)})` },
    { level: 'error', message: `request queue full (${r.int(500, 1000)}/${1024}), rejecting ${m} ${path(r)}` },
    { level: 'error', message: `handler timed out after ${r.int(5, 30) * 1000}ms: ${m} ${path(r)}` },
    { level: 'warn', message: `load shedding active: ${r.int(50, 900)} req/s over capacity` },
  ] as Array<Omit<SimLog, 'at'>>);
}

export interface Dependency {
  name: string;
  host: string;
  port: number;
}
export const DEPENDENCIES: readonly Dependency[] = [
  { name: 'redis', host: '10.0.4.17', port: 6379 },
  { name: 'postgres', host: '10.0.2.9', port: 5432 },
  { name: 'payments-api', host: '10.0.8.31', port: 443 },
  { name: 'kafka', host: '10.0.6.2', port: 9092 },
  { name: 'inventory-service', host: '10.0.3.44', port: 8080 },
  { name: 's3', host: '52.218.1.7', port: 443 },
];

export function dependencyLine(r: Rng, d: Dependency): Omit<SimLog, 'at'> {
  const m = r.pick(METHODS);
  return r.pick([
    { level: 'error', message: `connect ECONNREFUSED ${d.host}:${d.port} (${d.name})` },
    { level: 'error', message: `upstream ${d.name} returned 503 Service Unavailable for ${m} ${path(r)}` },
    { level: 'error', message: `timeout after ${r.int(1, 30) * 1000}ms waiting for ${d.name}` },
    { level: 'warn', message: `circuit breaker OPEN for ${d.name} after ${r.int(5, 50)} consecutive failures` },
    { level: 'error', message: `dial tcp ${d.host}:${d.port}: i/o timeout` },
  ] as Array<Omit<SimLog, 'at'>>);
}

export function telemetryLostLine(r: Rng): Omit<SimLog, 'at'> {
  return r.pick([
    { level: 'warn', message: `otel exporter: failed to export metrics: connection refused` },
    { level: 'warn', message: `metrics endpoint /metrics not registered; scrape will return 404` },
    { level: 'info', message: `telemetry: switching exporter to ${r.pick(['otlp-grpc', 'statsd'])}` },
  ] as Array<Omit<SimLog, 'at'>>);
}

export function evictionLine(r: Rng, svc: string): Omit<SimLog, 'at'> {
  return { level: 'warn', message: `Pod ${svc}-${r.hex(6)}-${r.hex(5)} evicted: The node was low on resource: ephemeral-storage` };
}
