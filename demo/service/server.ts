// The demo service: a small real HTTP service ("checkout") whose versions really misbehave.
//   node dist/demo/service/server.js --port 0 --version v1.2.0 [--fault leak|throw|slow|crash]
//     [--service checkout] [--environment demo] [--otlp http://127.0.0.1:8080] [--work-ms 2]
// It exposes /metrics (prom-client: default process metrics + http_requests_total and
// http_request_duration_seconds), sends logs and traces with the OpenTelemetry SDK, and prints
// one line `listening <port>` on stdout so a supervisor learns the port it got.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SpanStatusCode } from '@opentelemetry/api';
import { Leak, parseFault, work } from './faults.js';
import { startTelemetry } from './telemetry.js';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '0' },
    version: { type: 'string', default: process.env.DEMO_VERSION ?? 'v1.0.0' },
    fault: { type: 'string', default: process.env.DEMO_FAULT ?? 'none' },
    service: { type: 'string', default: process.env.DEMO_SERVICE ?? 'checkout' },
    environment: { type: 'string', default: process.env.DEMO_ENVIRONMENT ?? 'demo' },
    otlp: { type: 'string', default: process.env.OTEL_EXPORTER_OTLP_ENDPOINT },
    'work-ms': { type: 'string', default: process.env.DEMO_WORK_MS ?? '1' },
    // capacity: a pool of `pool` slots (like DB connections), each request holds one `hold-ms`;
    // at most `queue` requests wait for a slot, beyond that the service sheds load with 503
    pool: { type: 'string', default: process.env.DEMO_POOL ?? '8' },
    'hold-ms': { type: 'string', default: process.env.DEMO_HOLD_MS ?? '40' },
    queue: { type: 'string', default: process.env.DEMO_QUEUE ?? '100' },
  },
  strict: true,
});

const port = Number(args.port);
const fault = parseFault(args.fault);
const workMs = Number(args['work-ms']);
const poolSize = Math.max(1, Number(args.pool));
const holdMs = Math.max(0, Number(args['hold-ms']));
const maxQueue = Math.max(0, Number(args.queue));
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`bad --port ${args.port}`);

// Parent-death watchdog: when the commander that started us dies (even by SIGKILL), we are
// re-parented; notice within half a second and exit so no orphan keeps the port.
const parentPid = Number(process.env.COMMANDER_PARENT_PID ?? 0);
if (parentPid > 0) {
  setInterval(() => {
    if (process.ppid !== parentPid) process.exit(0);
  }, 500).unref();
}

const telemetry = startTelemetry({ endpoint: args.otlp, service: args.service, version: args.version, environment: args.environment });
const registry = new Registry();
collectDefaultMetrics({ register: registry });
const requests = new Counter({
  name: 'http_requests_total',
  help: 'HTTP requests by route and status',
  labelNames: ['method', 'route', 'status'],
  registers: [registry],
});
const duration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration',
  labelNames: ['route'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});
new Gauge({ name: 'app_info', help: 'Running version', labelNames: ['version', 'service'], registers: [registry] }).set(
  { version: args.version, service: args.service },
  1,
);

// Collect garbage every few seconds when allowed (--expose-gc): a healthy version's memory then
// stays flat instead of a GC sawtooth, so the only memory trend in the demo is the real leak.
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) setInterval(gc, 3000).unref();

// Load shedding is logged at most 10 times a second, as a real service would sample it.
let lastShedLog = 0;

const leak = new Leak(700 * 1024 * 1024);
if (fault === 'leak') {
  // A cache that is never evicted: grows with traffic and also on its own timer.
  setInterval(() => {
    if (!leak.retain(1024 * 1024)) {
      telemetry.log('fatal', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory');
      void telemetry.flush().finally(() => process.exit(134));
    }
  }, 250).unref();
}
if (fault === 'crash') {
  // A bad config read on a timer: the process dies a few seconds after every start.
  const after = 3000 + Math.floor(Math.random() * 2000);
  setTimeout(() => {
    telemetry.log('fatal', `Error: ECONNREFUSED connecting to config store at 10.0.0.7:6379; exiting`);
    void telemetry.flush().finally(() => process.exit(1));
  }, after).unref();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// The capacity limit that makes a traffic surge hurt for real: requests queue for a slot.
let busy = 0;
const waiting: Array<() => void> = [];
async function acquire(): Promise<boolean> {
  if (busy < poolSize) {
    busy++;
    return true;
  }
  if (waiting.length >= maxQueue) return false;
  await new Promise<void>((r) => waiting.push(r));
  return true;
}
function release(): void {
  const next = waiting.shift();
  if (next) next();
  else busy--;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const route = url.pathname;
  if (route === '/metrics') {
    res.setHeader('content-type', registry.contentType);
    res.end(await registry.metrics());
    return;
  }
  if (route === '/healthz') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ok: true, version: args.version }));
    return;
  }
  const known = route === '/' || route === '/api/items' || route === '/api/checkout';
  const label = known ? route : 'other';
  const end = duration.startTimer({ route: label });
  await telemetry.tracer.startActiveSpan(`${req.method} ${label}`, async (span) => {
    let status = 200;
    let body: unknown;
    try {
      if (!known) {
        status = 404;
        body = { error: 'not found' };
      } else if (!(await acquire())) {
        status = 503;
        body = { error: 'too many requests' };
        if (Date.now() - lastShedLog >= 100) {
          lastShedLog = Date.now();
          telemetry.log('warn', `queue full: rejecting request, ${poolSize} busy and ${waiting.length} waiting (too many requests)`, { route: label });
        }
      } else {
        try {
          work(workMs);
          if (holdMs > 0) await sleep(holdMs);
        } finally {
          release();
        }
        if (fault === 'slow') await sleep(250 + Math.random() * 150);
        if (fault === 'leak') leak.retain(64 * 1024);
        if (route === '/api/checkout') {
          if (fault === 'throw' && Math.random() < 0.6) {
            const cart = undefined as unknown as { items: { price: number }[] };
            body = { total: cart.items.reduce((a, i) => a + i.price, 0) }; // throws TypeError
          }
          body = { ok: true, total: Math.round(Math.random() * 10000) / 100 };
        } else if (route === '/api/items') {
          body = { items: [{ id: 1, name: 'mug', price: 9.5 }] };
        }
        body ??= { service: args.service, version: args.version };
      }
    } catch (e) {
      status = 500;
      body = { error: 'internal error' };
      const err = e as Error;
      telemetry.log('error', `${err.name}: ${err.message}`, { route: label });
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    }
    span.setAttribute('http.response.status_code', status);
    span.end();
    requests.inc({ method: req.method ?? 'GET', route: label, status: String(status) });
    end();
    res.statusCode = status;
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-version', args.version);
    res.end(JSON.stringify(body));
  });
}

const server = createServer((req, res) => {
  handle(req, res).catch((e: unknown) => {
    res.statusCode = 500;
    res.end(String(e));
  });
});
server.keepAliveTimeout = 5000;
server.listen(port, '127.0.0.1', () => {
  const addr = server.address();
  const p = typeof addr === 'object' && addr ? addr.port : port;
  telemetry.log('info', `${args.service} ${args.version} listening on 127.0.0.1:${p}`, { fault });
  process.stdout.write(`listening ${p}\n`);
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  const t = setTimeout(() => process.exit(0), 2000);
  t.unref();
  await telemetry.shutdown().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
