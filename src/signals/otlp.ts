// The `otlp` source: what services push to the OTLP/HTTP receiver (server/otlp-routes.ts) lands
// in this buffer, per service, in bounded memory: rings that evict the oldest record, limits on
// services and series, truncated messages. Everything not kept is counted by signal and reason
// (the receiver exposes the counts on /metrics) so a burst degrades visibly instead of growing
// the heap. collect() answers a window from the buffer.
import type { LogLevel, LogRecord, Point, SeriesMap, SignalBundle, SignalQuery, SignalSource, SpanRecord } from '../core/types.js';
import type { OtlpSignal } from './otlp-proto.js';
import { quantileFromBuckets } from './scrape.js';
import { dict } from '../core/own.js';

export interface OtlpBufferOptions {
  maxLogsPerService?: number;
  maxSpansPerService?: number;
  maxPointsPerSeries?: number;
  maxSeriesPerService?: number;
  maxServices?: number;
  maxMessageChars?: number;
  maxAttributes?: number;
}

export type DropReason = 'evicted' | 'too_many_services' | 'too_many_series' | 'invalid';
export type DropListener = (signal: OtlpSignal, reason: DropReason, count: number) => void;

/** Fixed-capacity ring: O(1) push, the oldest record goes when full. */
class Ring<T> {
  private items: T[] = [];
  private head = 0;
  constructor(private readonly cap: number) {}
  /** true when an old item was evicted */
  push(x: T): boolean {
    if (this.items.length < this.cap) {
      this.items.push(x);
      return false;
    }
    this.items[this.head] = x;
    this.head = (this.head + 1) % this.cap;
    return true;
  }
  get size(): number {
    return this.items.length;
  }
  last(): T | undefined {
    if (this.items.length === 0) return undefined;
    return this.items.length < this.cap ? this.items[this.items.length - 1] : this.items[(this.head + this.cap - 1) % this.cap];
  }
  toArray(): T[] {
    return this.items.length < this.cap ? this.items.slice() : [...this.items.slice(this.head), ...this.items.slice(0, this.head)];
  }
}

interface Tagged {
  environment?: string;
}
type StoredLog = LogRecord & Tagged;
type StoredSpan = SpanRecord & Tagged;

interface ServiceBuffer {
  logs: Ring<StoredLog>;
  spans: Ring<StoredSpan>;
  series: Map<string, Ring<Point>>;
  /** last cumulative histogram per series key, to turn cumulative points into deltas */
  lastHist: Map<string, { count: number; buckets: number[] }>;
  lastSum: Map<string, { t: number; v: number }>;
}

// ---- OTLP/JSON shapes (protobuf is decoded into the same shape by otlp-proto.ts) ----
interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: string;
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface Resource {
  attributes?: KeyValue[];
}
type Nanos = string | number | undefined;

/**
 * An attribute or body value as text of at most `maxChars` characters. Arrays and key-value
 * lists are written as ONE JSON document (a string inside stays a string once, never re-escaped
 * per level, which used to double the length at every level of nesting), and writing stops at
 * the budget, so the work and the result are bounded whatever the value holds. Nesting depth
 * was bounded before (otlp-limits.ts).
 */
export function anyValueToString(v: AnyValue | undefined, maxChars = 2000): string {
  if (!v) return '';
  const scalar = scalarOf(v);
  if (scalar !== undefined) return clipText(String(scalar), maxChars);
  let out = '';
  const write = (x: string): boolean => {
    out += x;
    return out.length < maxChars;
  };
  const walk = (x: AnyValue | undefined): boolean => {
    const sc = x ? scalarOf(x) : undefined;
    if (sc !== undefined) return write(typeof sc === 'string' ? JSON.stringify(sc.slice(0, maxChars)) : String(sc));
    if (isObj(x?.arrayValue)) {
      if (!write('[')) return false;
      for (const [i, e] of arr<AnyValue>(x.arrayValue.values).entries()) if ((i > 0 && !write(',')) || !walk(e)) return false;
      return write(']');
    }
    if (isObj(x?.kvlistValue)) {
      if (!write('{')) return false;
      for (const [i, kv] of arr<KeyValue>(x.kvlistValue.values).entries()) {
        if ((i > 0 && !write(',')) || !write(JSON.stringify(String(isObj(kv) ? kv.key : '').slice(0, maxChars)) + ':') || !walk(isObj(kv) ? kv.value : undefined)) return false;
      }
      return write('}');
    }
    return write('null');
  };
  walk(v);
  return clipText(out, maxChars);
}

/**
 * Truncates into a fresh string: V8 keeps the whole original behind a plain slice(), which would
 * let kept records hold on to every huge value a client sent through their prefixes.
 */
export function clipText(s: string, maxChars: number): string {
  if (s.length <= maxChars) return s;
  return Buffer.from(s.slice(0, maxChars), 'utf8').toString('utf8');
}

function scalarOf(v: AnyValue): string | number | boolean | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  if (v.stringValue !== undefined) return String(v.stringValue);
  if (v.boolValue !== undefined) return Boolean(v.boolValue);
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.bytesValue !== undefined) return String(v.bytesValue);
  return undefined;
}

// A request's parts are read through these: a part of the wrong shape is skipped (and counted
// as an invalid record), never thrown on half-way through a request.
/** x when it is an array, else nothing */
const arr = <T>(x: T[] | undefined | unknown): T[] => (Array.isArray(x) ? (x as T[]) : []);
const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
/** a number, or a numeric string as OTLP/JSON writes 64-bit integers; else undefined */
function num(x: unknown): number | undefined {
  if (typeof x === 'number') return x;
  if (typeof x === 'string' && x.trim() !== '') {
    const v = Number(x);
    return Number.isNaN(v) ? undefined : v;
  }
  return undefined;
}

function nanosToMs(n: Nanos | unknown): number | undefined {
  if (typeof n === 'number') return n !== 0 && Number.isFinite(n) ? n / 1e6 : undefined;
  if (typeof n !== 'string' || !/^\d{1,30}$/.test(n) || /^0+$/.test(n)) return undefined;
  const v = Number(BigInt(n) / 1_000_000n);
  return Number.isFinite(v) ? v : undefined;
}

function severityLevel(num: unknown, text: unknown): LogLevel {
  if (typeof num === 'number' && num > 0) {
    if (num <= 4) return 'trace';
    if (num <= 8) return 'debug';
    if (num <= 12) return 'info';
    if (num <= 16) return 'warn';
    if (num <= 20) return 'error';
    return 'fatal';
  }
  const t = typeof text === 'string' ? text.slice(0, 8).toLowerCase() : '';
  if (t.startsWith('fatal') || t.startsWith('crit')) return 'fatal';
  if (t.startsWith('err')) return 'error';
  if (t.startsWith('warn')) return 'warn';
  if (t.startsWith('debug')) return 'debug';
  if (t.startsWith('trace')) return 'trace';
  return 'info';
}

/** The HTTP status a span's or point's attributes carry (0 when none). */
function statusOf(kvs: unknown, legacyKey?: string): number {
  const kv = arr<KeyValue>(kvs).find((x) => isObj(x) && (x.key === 'http.response.status_code' || x.key === legacyKey));
  return num(isObj(kv?.value) ? kv.value.intValue : undefined) ?? 0;
}

const RESOURCE_KEYS = new Set(['service.name', 'service.version', 'deployment.environment.name', 'deployment.environment']);

function resourceInfo(r: Resource | undefined): { service: string; version?: string; environment?: string } {
  const attrs = new Map<string, string>();
  for (const kv of arr<KeyValue>(isObj(r) ? r.attributes : undefined)) if (isObj(kv) && RESOURCE_KEYS.has(kv.key)) attrs.set(kv.key, anyValueToString(kv.value, 256));
  return {
    service: attrs.get('service.name') || 'unknown_service',
    version: attrs.get('service.version') || undefined,
    environment: attrs.get('deployment.environment.name') || attrs.get('deployment.environment') || undefined,
  };
}

export class OtlpBuffer {
  private readonly services = new Map<string, ServiceBuffer>();
  private readonly opts: Required<OtlpBufferOptions>;
  private readonly listeners: DropListener[] = [];
  readonly dropped: Record<OtlpSignal, number> = { logs: 0, metrics: 0, traces: 0 };
  readonly received: Record<OtlpSignal, number> = { logs: 0, metrics: 0, traces: 0 };

  constructor(opts: OtlpBufferOptions = {}) {
    this.opts = {
      maxLogsPerService: opts.maxLogsPerService ?? 5000,
      maxSpansPerService: opts.maxSpansPerService ?? 5000,
      maxPointsPerSeries: opts.maxPointsPerSeries ?? 1000,
      maxSeriesPerService: opts.maxSeriesPerService ?? 64,
      maxServices: opts.maxServices ?? 100,
      maxMessageChars: opts.maxMessageChars ?? 2000,
      maxAttributes: opts.maxAttributes ?? 16,
    };
  }

  onDrop(l: DropListener): void {
    this.listeners.push(l);
  }

  private drop(signal: OtlpSignal, reason: DropReason, n = 1): void {
    if (n <= 0) return;
    this.dropped[signal] += n;
    for (const l of this.listeners) l(signal, reason, n);
  }

  private bufferFor(service: string): ServiceBuffer | undefined {
    let b = this.services.get(service);
    if (!b) {
      if (this.services.size >= this.opts.maxServices) return undefined;
      b = {
        logs: new Ring(this.opts.maxLogsPerService),
        spans: new Ring(this.opts.maxSpansPerService),
        series: new Map(),
        lastHist: new Map(),
        lastSum: new Map(),
      };
      this.services.set(service, b);
    }
    return b;
  }

  private attrs(kvs: KeyValue[] | undefined): Record<string, string> | undefined {
    const list = arr<KeyValue>(kvs).filter(isObj);
    if (list.length === 0) return undefined;
    // fromEntries defines own properties: a key named __proto__ stays an attribute
    return Object.fromEntries(list.slice(0, this.opts.maxAttributes).map((kv) => [clipText(String(kv.key ?? ''), 128), anyValueToString(kv.value, 256)]));
  }

  /** Identity of a point's attribute set, bounded like the attributes kept (a key, not the whole value). */
  private attrKey(name: string, kvs: KeyValue[] | undefined): string {
    return `${name}${JSON.stringify(this.attrs(kvs) ?? {})}`;
  }

  /** Ingests an ExportLogsServiceRequest (JSON shape). Returns how many records were not kept. */
  ingestLogs(req: unknown, now = Date.now()): number {
    let rejected = 0;
    const rls = (req as { resourceLogs?: unknown[] })?.resourceLogs;
    if (!Array.isArray(rls)) throw new TypeError('resourceLogs must be an array');
    for (const rl of rls.filter(isObj) as Array<{ resource?: Resource; scopeLogs?: Array<{ logRecords?: unknown[] }> }>) {
      const info = resourceInfo(rl.resource);
      const records = arr(rl.scopeLogs).flatMap((s) => (isObj(s) ? arr(s.logRecords) : [])) as Array<{
        timeUnixNano?: Nanos;
        observedTimeUnixNano?: Nanos;
        severityNumber?: number;
        severityText?: string;
        body?: AnyValue;
        attributes?: KeyValue[];
      }>;
      this.received.logs += records.length;
      const b = this.bufferFor(info.service);
      if (!b) {
        this.drop('logs', 'too_many_services', records.length);
        rejected += records.length;
        continue;
      }
      let evicted = 0;
      for (const r of records) {
        if (!isObj(r)) {
          this.drop('logs', 'invalid');
          rejected++;
          continue;
        }
        const rec: StoredLog = {
          at: nanosToMs(r.timeUnixNano) ?? nanosToMs(r.observedTimeUnixNano) ?? now,
          level: severityLevel(r.severityNumber, r.severityText),
          message: anyValueToString(r.body, this.opts.maxMessageChars),
        };
        if (info.version) rec.version = info.version;
        if (info.environment) rec.environment = info.environment;
        const a = this.attrs(r.attributes);
        if (a) rec.attributes = a;
        if (b.logs.push(rec)) evicted++;
      }
      this.drop('logs', 'evicted', evicted);
    }
    return rejected;
  }

  ingestTraces(req: unknown): number {
    let rejected = 0;
    const rss = (req as { resourceSpans?: unknown[] })?.resourceSpans;
    if (!Array.isArray(rss)) throw new TypeError('resourceSpans must be an array');
    for (const rs of rss.filter(isObj) as Array<{ resource?: Resource; scopeSpans?: Array<{ spans?: unknown[] }> }>) {
      const info = resourceInfo(rs.resource);
      const spans = arr(rs.scopeSpans).flatMap((s) => (isObj(s) ? arr(s.spans) : [])) as Array<{
        traceId?: string;
        name?: string;
        startTimeUnixNano?: Nanos;
        endTimeUnixNano?: Nanos;
        attributes?: KeyValue[];
        status?: { code?: number | string };
      }>;
      this.received.traces += spans.length;
      const b = this.bufferFor(info.service);
      if (!b) {
        this.drop('traces', 'too_many_services', spans.length);
        rejected += spans.length;
        continue;
      }
      let evicted = 0;
      for (const s of spans) {
        const start = isObj(s) ? nanosToMs(s.startTimeUnixNano) : undefined;
        if (start === undefined) {
          this.drop('traces', 'invalid');
          rejected++;
          continue;
        }
        const end = nanosToMs(s.endTimeUnixNano) ?? start;
        const httpStatus = statusOf(s.attributes, 'http.status_code');
        const code = isObj(s.status) ? s.status.code : undefined;
        const rec: StoredSpan = {
          at: start,
          durationMs: Math.max(0, end - start),
          operation: clipText(String(s.name ?? 'unknown'), 200),
          // STATUS_CODE_ERROR is 2 (JSON encoders may also write the enum's name)
          error: code === 2 || code === 'STATUS_CODE_ERROR' || httpStatus >= 500,
        };
        if (info.version) rec.version = info.version;
        if (info.environment) rec.environment = info.environment;
        if (typeof s.traceId === 'string' && s.traceId) rec.traceId = clipText(s.traceId, 64);
        if (b.spans.push(rec)) evicted++;
      }
      this.drop('traces', 'evicted', evicted);
    }
    return rejected;
  }

  ingestMetrics(req: unknown): number {
    let rejected = 0;
    const rms = (req as { resourceMetrics?: unknown[] })?.resourceMetrics;
    if (!Array.isArray(rms)) throw new TypeError('resourceMetrics must be an array');
    for (const rm of rms.filter(isObj) as Array<{ resource?: Resource; scopeMetrics?: Array<{ metrics?: OtlpMetric[] }> }>) {
      const info = resourceInfo(rm.resource);
      const all = arr(rm.scopeMetrics).flatMap((s) => (isObj(s) ? arr<OtlpMetric>(s.metrics) : []));
      const metrics = all.filter((m) => isObj(m) && typeof m.name === 'string');
      const points = metrics.reduce((n, m) => n + arr((m.gauge ?? m.sum ?? m.histogram)?.dataPoints).length, 0) + (all.length - metrics.length);
      if (all.length > metrics.length) {
        this.drop('metrics', 'invalid', all.length - metrics.length);
        rejected += all.length - metrics.length;
      }
      this.received.metrics += points;
      const b = this.bufferFor(info.service);
      if (!b) {
        this.drop('metrics', 'too_many_services', points);
        rejected += points;
        continue;
      }
      for (const m of metrics) rejected += this.ingestMetric(b, m);
    }
    return rejected;
  }

  private put(b: ServiceBuffer, name: string, t: number, v: number, combine: 'sum' | 'max'): boolean {
    let ring = b.series.get(name);
    if (!ring) {
      if (b.series.size >= this.opts.maxSeriesPerService) {
        this.drop('metrics', 'too_many_series');
        return false;
      }
      ring = new Ring(this.opts.maxPointsPerSeries);
      b.series.set(name, ring);
    }
    // Points of one export share a timestamp: several attribute sets fold into one value.
    const last = ring.last();
    if (last && last[0] === t) {
      (last as [number, number])[1] = combine === 'sum' ? last[1] + v : Math.max(last[1], v);
      return true;
    }
    if (ring.push([t, v])) this.drop('metrics', 'evicted');
    return true;
  }

  private ingestMetric(b: ServiceBuffer, m: OtlpMetric): number {
    let rejected = 0;
    const name = clipText(m.name, 256);
    const std = STANDARD_ALIASES.get(name);
    // points of the wrong shape count as invalid below
    const pointsOf = <P>(x: { dataPoints?: P[] } | undefined): Array<P | undefined> => arr<P>(x?.dataPoints).map((p) => (isObj(p) ? p : undefined));
    const invalid = (): void => {
      this.drop('metrics', 'invalid');
      rejected++;
    };
    if (!isObj(m.gauge) && !isObj(m.sum) && !isObj(m.histogram)) return 0;
    if (isObj(m.gauge) || (isObj(m.sum) && !m.sum.isMonotonic)) {
      for (const p of pointsOf((m.gauge ?? m.sum)!)) {
        const t = nanosToMs(p?.timeUnixNano);
        const v = num(p?.asDouble) ?? num(p?.asInt);
        if (t === undefined || v === undefined || !Number.isFinite(v)) {
          invalid();
          continue;
        }
        this.put(b, name, t, v, m.gauge ? 'max' : 'sum');
        if (std) this.put(b, std, t, v, std === 'memory_bytes' ? 'max' : 'sum');
      }
    } else if (isObj(m.sum)) {
      // Monotonic counters become rates per second, as the analysis compares rates.
      const cumulative = Number(m.sum.aggregationTemporality) === 2;
      for (const p of pointsOf(m.sum)) {
        const t = nanosToMs(p?.timeUnixNano);
        const start = nanosToMs(p?.startTimeUnixNano);
        const v = num(p?.asDouble) ?? num(p?.asInt);
        if (!p || t === undefined || v === undefined || !Number.isFinite(v)) {
          invalid();
          continue;
        }
        const key = this.attrKey(name, p.attributes);
        let rate: number | undefined;
        if (cumulative) {
          const prev = b.lastSum.get(key);
          if (b.lastSum.size < 1000) b.lastSum.set(key, { t, v });
          else if (prev) b.lastSum.set(key, { t, v });
          if (prev && t > prev.t) rate = (v >= prev.v ? v - prev.v : v) / ((t - prev.t) / 1000);
        } else if (start !== undefined && t > start) {
          rate = v / ((t - start) / 1000);
        }
        if (rate !== undefined) this.put(b, name, t, rate, 'sum');
      }
    } else if (isObj(m.histogram)) {
      const cumulative = Number(m.histogram.aggregationTemporality) === 2;
      const scale = m.unit === 's' ? 1000 : 1;
      const byT = new Map<number, { count: number; errors: number; bounds: number[]; buckets: number[]; dt?: number }>();
      for (const p of pointsOf(m.histogram)) {
        const t = nanosToMs(p?.timeUnixNano);
        const counts = arr(p?.bucketCounts).map((c) => num(c) ?? NaN);
        const bounds = arr(p?.explicitBounds).map((x) => (num(x) ?? NaN) * scale);
        let count = num(p?.count ?? 0) ?? NaN;
        if (!p || t === undefined || ![...counts, ...bounds, count].every(Number.isFinite)) {
          invalid();
          continue;
        }
        let buckets = counts;
        const key = this.attrKey(name, p.attributes);
        if (cumulative) {
          const prev = b.lastHist.get(key);
          if (b.lastHist.size < 1000 || prev) b.lastHist.set(key, { count, buckets: counts });
          if (prev && count >= prev.count) {
            buckets = counts.map((c, i) => c - (prev.buckets[i] ?? 0));
            count -= prev.count;
          }
        }
        const status = statusOf(p.attributes);
        const agg = byT.get(t) ?? { count: 0, errors: 0, bounds, buckets: [] };
        agg.count += count;
        if (status >= 500) agg.errors += count;
        buckets.forEach((c, i) => (agg.buckets[i] = (agg.buckets[i] ?? 0) + c));
        const start = nanosToMs(p.startTimeUnixNano);
        if (!cumulative && start !== undefined && t > start) agg.dt = (t - start) / 1000;
        byT.set(t, agg);
      }
      for (const [t, a] of byT) {
        if (a.count <= 0) continue;
        let cum = 0;
        const cumBuckets: Array<[number, number]> = a.buckets.map((c, i) => [i < a.bounds.length ? a.bounds[i] : Infinity, (cum += c)]);
        const p95 = quantileFromBuckets(0.95, cumBuckets);
        if (p95 !== undefined) this.put(b, `${name}.p95`, t, p95, 'max');
        if (/^http\.server\.(request\.)?duration$/.test(name)) {
          if (p95 !== undefined) this.put(b, 'latency_p95_ms', t, p95, 'max');
          this.put(b, 'error_rate', t, a.errors / a.count, 'max');
          if (a.dt) this.put(b, 'request_rate', t, a.count / a.dt, 'sum');
        }
      }
    }
    return rejected;
  }

  /** Records currently held (for tests and /metrics). */
  size(): { services: number; logs: number; spans: number; points: number } {
    let logs = 0;
    let spans = 0;
    let points = 0;
    for (const b of this.services.values()) {
      logs += b.logs.size;
      spans += b.spans.size;
      for (const r of b.series.values()) points += r.size;
    }
    return { services: this.services.size, logs, spans, points };
  }

  window(service: string, environment: string, from: number, to: number): { logs: LogRecord[]; spans: SpanRecord[]; metrics: SeriesMap } {
    const b = this.services.get(service);
    if (!b) return { logs: [], spans: [], metrics: {} };
    const keep = (x: Tagged & { at: number }): boolean => x.at >= from && x.at <= to && (!x.environment || x.environment === environment);
    const strip = <T extends Tagged>(x: T): Omit<T, 'environment'> => {
      const { environment: _e, ...rest } = x;
      return rest;
    };
    const logs = b.logs.toArray().filter(keep).map(strip).sort((x, y) => x.at - y.at);
    const spans = b.spans.toArray().filter(keep).map(strip).sort((x, y) => x.at - y.at);
    const metrics = dict<Point[]>();
    for (const [name, ring] of b.series) {
      const pts = ring.toArray().filter(([t]) => t >= from && t <= to);
      if (pts.length) metrics[name] = pts.map(([t, v]) => [t, v] as Point);
    }
    return { logs, spans, metrics };
  }
}

interface OtlpNumberPoint {
  attributes?: KeyValue[];
  startTimeUnixNano?: Nanos;
  timeUnixNano?: Nanos;
  asDouble?: number;
  asInt?: string | number;
}
interface OtlpMetric {
  name: string;
  unit?: string;
  gauge?: { dataPoints?: OtlpNumberPoint[] };
  sum?: { dataPoints?: OtlpNumberPoint[]; aggregationTemporality?: number; isMonotonic?: boolean };
  histogram?: {
    dataPoints?: Array<OtlpNumberPoint & { count?: string | number; bucketCounts?: Array<string | number>; explicitBounds?: number[] }>;
    aggregationTemporality?: number;
  };
}

/** OpenTelemetry semantic-convention names that are one of our standard metrics. */
const STANDARD_ALIASES = new Map<string, string>([
  ['process.memory.usage', 'memory_bytes'],
  ['process.runtime.nodejs.memory.rss', 'memory_bytes'],
  ['memory_bytes', 'memory_bytes'],
  ['process.cpu.utilization', 'cpu_utilization'],
  ['cpu_utilization', 'cpu_utilization'],
  ['error_rate', 'error_rate'],
  ['latency_p95_ms', 'latency_p95_ms'],
  ['request_rate', 'request_rate'],
  ['restarts', 'restarts'],
]);

export class OtlpSource implements SignalSource {
  readonly name = 'otlp';
  constructor(private readonly buffer: OtlpBuffer) {}

  async collect(q: SignalQuery): Promise<SignalBundle> {
    const w = this.buffer.window(q.deployment.service, q.deployment.environment, q.from, q.to);
    const empty = w.logs.length === 0 && w.spans.length === 0 && Object.keys(w.metrics).length === 0;
    return {
      metrics: w.metrics,
      logs: w.logs,
      spans: w.spans,
      limits: {},
      problems: empty ? [{ source: this.name, message: `nothing received over OTLP from service "${q.deployment.service}" in the window` }] : [],
    };
  }
}
