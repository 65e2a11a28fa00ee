// The `otlp` source: what services push to the OTLP/HTTP receiver (server/otlp-routes.ts) lands
// in this buffer, per service, in bounded memory: rings that evict the oldest record, limits on
// services and series, truncated messages. Everything not kept is counted by signal and reason
// (the receiver exposes the counts on /metrics) so a burst degrades visibly instead of growing
// the heap. collect() answers a window from the buffer.
import type { LogLevel, LogRecord, Point, SeriesMap, SignalBundle, SignalQuery, SignalSource, SpanRecord } from '../core/types.js';
import type { OtlpSignal } from './otlp-proto.js';
import { quantileFromBuckets } from './scrape.js';

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

export function anyValueToString(v: AnyValue | undefined): string {
  if (!v) return '';
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return String(v.boolValue);
  if (v.intValue !== undefined) return String(v.intValue);
  if (v.doubleValue !== undefined) return String(v.doubleValue);
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue) return JSON.stringify((v.arrayValue.values ?? []).map(anyValueToString));
  if (v.kvlistValue) return JSON.stringify(Object.fromEntries((v.kvlistValue.values ?? []).map((kv) => [kv.key, anyValueToString(kv.value)])));
  return '';
}

const nanosToMs = (n: Nanos): number | undefined => {
  if (n === undefined || n === '' || n === 0 || n === '0') return undefined;
  const v = typeof n === 'number' ? n / 1e6 : Number(BigInt(n) / 1_000_000n);
  return Number.isFinite(v) ? v : undefined;
};

function severityLevel(num: number | undefined, text: string | undefined): LogLevel {
  if (num && num > 0) {
    if (num <= 4) return 'trace';
    if (num <= 8) return 'debug';
    if (num <= 12) return 'info';
    if (num <= 16) return 'warn';
    if (num <= 20) return 'error';
    return 'fatal';
  }
  const t = (text ?? '').toLowerCase();
  if (t.startsWith('fatal') || t.startsWith('crit')) return 'fatal';
  if (t.startsWith('err')) return 'error';
  if (t.startsWith('warn')) return 'warn';
  if (t.startsWith('debug')) return 'debug';
  if (t.startsWith('trace')) return 'trace';
  return 'info';
}

function resourceInfo(r: Resource | undefined): { service: string; version?: string; environment?: string } {
  const attrs = new Map((r?.attributes ?? []).map((kv) => [kv.key, anyValueToString(kv.value)]));
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

  /**
   * Truncates long messages into a fresh string: V8 keeps the whole original behind a plain
   * slice(), which would let a burst of huge bodies stay in memory through their prefixes.
   */
  private clip(m: string): string {
    if (m.length <= this.opts.maxMessageChars) return m;
    return Buffer.from(m.slice(0, this.opts.maxMessageChars), 'utf8').toString('utf8');
  }

  private attrs(kvs: KeyValue[] | undefined): Record<string, string> | undefined {
    if (!kvs || kvs.length === 0) return undefined;
    const out: Record<string, string> = {};
    for (const kv of kvs.slice(0, this.opts.maxAttributes)) out[kv.key] = anyValueToString(kv.value).slice(0, 256);
    return out;
  }

  /** Ingests an ExportLogsServiceRequest (JSON shape). Returns how many records were not kept. */
  ingestLogs(req: unknown, now = Date.now()): number {
    let rejected = 0;
    const rls = (req as { resourceLogs?: unknown[] })?.resourceLogs;
    if (!Array.isArray(rls)) throw new TypeError('resourceLogs must be an array');
    for (const rl of rls as Array<{ resource?: Resource; scopeLogs?: Array<{ logRecords?: unknown[] }> }>) {
      const info = resourceInfo(rl.resource);
      const records = (rl.scopeLogs ?? []).flatMap((s) => s.logRecords ?? []) as Array<{
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
        const rec: StoredLog = {
          at: nanosToMs(r.timeUnixNano) ?? nanosToMs(r.observedTimeUnixNano) ?? now,
          level: severityLevel(r.severityNumber, r.severityText),
          message: this.clip(anyValueToString(r.body)),
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
    for (const rs of rss as Array<{ resource?: Resource; scopeSpans?: Array<{ spans?: unknown[] }> }>) {
      const info = resourceInfo(rs.resource);
      const spans = (rs.scopeSpans ?? []).flatMap((s) => s.spans ?? []) as Array<{
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
        const start = nanosToMs(s.startTimeUnixNano);
        if (start === undefined) {
          this.drop('traces', 'invalid');
          rejected++;
          continue;
        }
        const end = nanosToMs(s.endTimeUnixNano) ?? start;
        const httpStatus = Number((s.attributes ?? []).find((kv) => kv.key === 'http.response.status_code' || kv.key === 'http.status_code')?.value?.intValue ?? 0);
        const code = s.status?.code;
        const rec: StoredSpan = {
          at: start,
          durationMs: Math.max(0, end - start),
          operation: (s.name ?? 'unknown').slice(0, 200),
          // STATUS_CODE_ERROR is 2 (JSON encoders may also write the enum's name)
          error: code === 2 || code === 'STATUS_CODE_ERROR' || httpStatus >= 500,
        };
        if (info.version) rec.version = info.version;
        if (info.environment) rec.environment = info.environment;
        if (s.traceId) rec.traceId = s.traceId;
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
    for (const rm of rms as Array<{ resource?: Resource; scopeMetrics?: Array<{ metrics?: OtlpMetric[] }> }>) {
      const info = resourceInfo(rm.resource);
      const metrics = (rm.scopeMetrics ?? []).flatMap((s) => s.metrics ?? []);
      const points = metrics.reduce((n, m) => n + ((m.gauge ?? m.sum ?? m.histogram)?.dataPoints?.length ?? 0), 0);
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
    const std = STANDARD_ALIASES[m.name];
    if (m.gauge || (m.sum && !m.sum.isMonotonic)) {
      for (const p of (m.gauge ?? m.sum)!.dataPoints ?? []) {
        const t = nanosToMs(p.timeUnixNano);
        const v = p.asDouble ?? (p.asInt !== undefined ? Number(p.asInt) : undefined);
        if (t === undefined || v === undefined || !Number.isFinite(v)) {
          this.drop('metrics', 'invalid');
          rejected++;
          continue;
        }
        this.put(b, m.name, t, v, m.gauge ? 'max' : 'sum');
        if (std) this.put(b, std, t, v, std === 'memory_bytes' ? 'max' : 'sum');
      }
    } else if (m.sum) {
      // Monotonic counters become rates per second, as the analysis compares rates.
      const cumulative = Number(m.sum.aggregationTemporality) === 2;
      for (const p of m.sum.dataPoints ?? []) {
        const t = nanosToMs(p.timeUnixNano);
        const start = nanosToMs(p.startTimeUnixNano);
        const v = p.asDouble ?? (p.asInt !== undefined ? Number(p.asInt) : undefined);
        if (t === undefined || v === undefined) {
          this.drop('metrics', 'invalid');
          rejected++;
          continue;
        }
        const key = `${m.name}${JSON.stringify(p.attributes ?? [])}`;
        let rate: number | undefined;
        if (cumulative) {
          const prev = b.lastSum.get(key);
          if (b.lastSum.size < 1000) b.lastSum.set(key, { t, v });
          else if (prev) b.lastSum.set(key, { t, v });
          if (prev && t > prev.t) rate = (v >= prev.v ? v - prev.v : v) / ((t - prev.t) / 1000);
        } else if (start !== undefined && t > start) {
          rate = v / ((t - start) / 1000);
        }
        if (rate !== undefined) this.put(b, m.name, t, rate, 'sum');
      }
    } else if (m.histogram) {
      const cumulative = Number(m.histogram.aggregationTemporality) === 2;
      const scale = m.unit === 's' ? 1000 : 1;
      const byT = new Map<number, { count: number; errors: number; bounds: number[]; buckets: number[]; dt?: number }>();
      for (const p of m.histogram.dataPoints ?? []) {
        const t = nanosToMs(p.timeUnixNano);
        if (t === undefined) {
          this.drop('metrics', 'invalid');
          rejected++;
          continue;
        }
        const counts = (p.bucketCounts ?? []).map(Number);
        let count = Number(p.count ?? 0);
        let buckets = counts;
        const key = `${m.name}${JSON.stringify(p.attributes ?? [])}`;
        if (cumulative) {
          const prev = b.lastHist.get(key);
          if (b.lastHist.size < 1000 || prev) b.lastHist.set(key, { count, buckets: counts });
          if (prev && count >= prev.count) {
            buckets = counts.map((c, i) => c - (prev.buckets[i] ?? 0));
            count -= prev.count;
          }
        }
        const status = Number((p.attributes ?? []).find((kv) => kv.key === 'http.response.status_code')?.value?.intValue ?? 0);
        const agg = byT.get(t) ?? { count: 0, errors: 0, bounds: (p.explicitBounds ?? []).map((x) => x * scale), buckets: [] };
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
        if (p95 !== undefined) this.put(b, `${m.name}.p95`, t, p95, 'max');
        if (/^http\.server\.(request\.)?duration$/.test(m.name)) {
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
    const metrics: SeriesMap = {};
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
const STANDARD_ALIASES: Record<string, string> = {
  'process.memory.usage': 'memory_bytes',
  'process.runtime.nodejs.memory.rss': 'memory_bytes',
  memory_bytes: 'memory_bytes',
  'process.cpu.utilization': 'cpu_utilization',
  cpu_utilization: 'cpu_utilization',
  error_rate: 'error_rate',
  latency_p95_ms: 'latency_p95_ms',
  request_rate: 'request_rate',
  restarts: 'restarts',
};

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
