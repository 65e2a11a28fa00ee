// The `scrape` source: reads the Prometheus text exposition straight from each target's /metrics
// (the embedded default: no Prometheus server needed) and keeps a bounded in-memory history per
// target, because collect() asks for a window in the past and a scrape only gives "now".
// Parsing is in prom-text.ts (why not the installed parser: see there); deriving the standard
// metrics (rates from counters, p95 from histogram buckets, restarts from process start time)
// is the small part PromQL would otherwise do for us, so it is written here.
import { parseExposition, type Sample } from './prom-text.js';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import type { Point, SeriesMap, SignalBundle, SignalQuery, SignalSource, SourceProblem } from '../core/types.js';
import { own } from '../core/own.js';

export interface ScrapeTarget {
  /** full URL of the exposition, e.g. http://127.0.0.1:9100/metrics */
  url: string;
  service: string;
  environment?: string;
  /** version running behind the target; otherwise read from a `*_info{version=...}` gauge */
  version?: string;
}

export interface ScrapeOptions {
  /** static list, or a function so targets can follow replicas that come and go */
  targets: ScrapeTarget[] | (() => ScrapeTarget[]);
  intervalMs?: number;
  timeoutMs?: number;
  /** snapshots kept per target (ring); 720 × 5 s = 1 h */
  historyPoints?: number;
  maxTargets?: number;
  /** resource limits per service, e.g. {checkout: {memory_bytes: 536870912}} */
  limits?: Record<string, Record<string, number>>;
  clock?: Clock;
  fetchImpl?: typeof fetch;
}

// Names used by prom-client, express-prom-bundle, Micrometer, OpenTelemetry's Prometheus exporter.
export const REQUEST_COUNTERS = ['http_requests_total', 'http_server_requests_total', 'http_request_total'];
export const DURATION_HISTOGRAMS = [
  'http_request_duration_seconds',
  'http_server_request_duration_seconds',
  'http_server_duration_seconds',
  'http_server_requests_seconds',
  'http_request_duration_ms',
  'http_server_duration_milliseconds',
];
const STATUS_LABELS = ['status', 'code', 'status_code', 'http_status', 'http_response_status_code', 'http_status_code'];

/** What one scrape of one target yielded (raw cumulative values). */
interface Snapshot {
  t: number;
  requests?: number;
  errors?: number;
  /** cumulative bucket counts by upper bound (ms), sorted by bound */
  buckets?: Array<[number, number]>;
  cpuSeconds?: number;
  rss?: number;
  startTime?: number;
  version?: string;
}

interface TargetState {
  target: ScrapeTarget;
  snapshots: Snapshot[];
  lastError?: string;
  lastSeen: number;
}

function statusOf(labels: Record<string, string> | undefined): string | undefined {
  if (!labels) return undefined;
  for (const k of STATUS_LABELS) if (labels[k] !== undefined) return labels[k];
  return undefined;
}

/** Turns one exposition into a snapshot. Exported for tests. */
export function snapshotFromText(text: string, t: number): Snapshot {
  const { samples } = parseExposition(text);
  const byName = new Map<string, Sample[]>();
  for (const smp of samples) {
    let arr = byName.get(smp.name);
    if (!arr) byName.set(smp.name, (arr = []));
    arr.push(smp);
  }
  const snap: Snapshot = { t };
  const total = (name: string): number | undefined => {
    const arr = byName.get(name);
    if (!arr || arr.length === 0) return undefined;
    return arr.reduce((a, x) => a + (Number.isFinite(x.value) ? x.value : 0), 0);
  };
  snap.cpuSeconds = total('process_cpu_seconds_total');
  snap.rss = total('process_resident_memory_bytes');
  snap.startTime = byName.get('process_start_time_seconds')?.[0]?.value;

  const counter = REQUEST_COUNTERS.find((n) => byName.has(n));
  if (counter) {
    snap.requests = 0;
    snap.errors = 0;
    for (const x of byName.get(counter)!) {
      if (!Number.isFinite(x.value)) continue;
      snap.requests += x.value;
      if (statusOf(x.labels)?.startsWith('5')) snap.errors += x.value;
    }
  }
  const hist = DURATION_HISTOGRAMS.find((n) => byName.has(`${n}_bucket`));
  if (hist) {
    const toMs = /_seconds$/.test(hist) ? 1000 : 1;
    const byLe = new Map<number, number>();
    for (const x of byName.get(`${hist}_bucket`)!) {
      const le = x.labels.le;
      const bound = le === '+Inf' ? Infinity : Number(le) * toMs;
      if (le === undefined || Number.isNaN(bound) || !Number.isFinite(x.value)) continue;
      byLe.set(bound, (byLe.get(bound) ?? 0) + x.value);
    }
    snap.buckets = [...byLe.entries()].sort((a, b) => a[0] - b[0]);
    // Without a request counter, the histogram's count by status is the same information.
    if (snap.requests === undefined) {
      let count = 0;
      let errors = 0;
      let sawStatus = false;
      for (const x of byName.get(`${hist}_count`) ?? []) {
        count += x.value;
        const st = statusOf(x.labels);
        if (st !== undefined) sawStatus = true;
        if (st?.startsWith('5')) errors += x.value;
      }
      snap.requests = count;
      if (sawStatus) snap.errors = errors;
    }
  }
  for (const [name, arr] of byName) {
    if (!name.endsWith('_info')) continue;
    const v = arr.find((x) => x.labels.version)?.labels.version;
    if (v) {
      snap.version = v;
      break;
    }
  }
  return snap;
}

/** Prometheus' histogram_quantile: linear interpolation inside the bucket holding the rank. */
export function quantileFromBuckets(q: number, buckets: Array<[number, number]>): number | undefined {
  if (buckets.length === 0) return undefined;
  const total = buckets[buckets.length - 1][1];
  if (!(total > 0)) return undefined;
  const rank = q * total;
  let prevBound = 0;
  let prevCount = 0;
  for (const [bound, count] of buckets) {
    if (count >= rank) {
      if (bound === Infinity) return prevBound; // like Prometheus: the highest finite bound
      if (count === prevCount) return bound;
      return prevBound + ((bound - prevBound) * (rank - prevCount)) / (count - prevCount);
    }
    prevBound = bound;
    prevCount = count;
  }
  return prevBound;
}

interface Derived {
  t: number;
  dt: number;
  dReq?: number;
  dErr?: number;
  dBuckets?: Array<[number, number]>;
  cpu?: number;
  rss?: number;
  restarted: boolean;
}

/** Counter delta with reset handling: a counter that went down restarted from zero. */
const delta = (cur: number | undefined, prev: number | undefined, reset: boolean): number | undefined => {
  if (cur === undefined) return undefined;
  // prom-client exposes a labelled counter only after its first increment: absent before means 0.
  if (prev === undefined) return cur;
  if (reset || cur < prev) return cur;
  return cur - prev;
};

function derive(prev: Snapshot, cur: Snapshot): Derived {
  const dt = (cur.t - prev.t) / 1000;
  const restarted = prev.startTime !== undefined && cur.startTime !== undefined && cur.startTime !== prev.startTime;
  const d: Derived = { t: cur.t, dt, restarted, rss: cur.rss };
  d.dReq = delta(cur.requests, prev.requests, restarted);
  d.dErr = delta(cur.errors, prev.errors, restarted);
  const dCpu = delta(cur.cpuSeconds, prev.cpuSeconds, restarted);
  if (dCpu !== undefined && dt > 0) d.cpu = Math.min(1, Math.max(0, dCpu / dt));
  if (cur.buckets) {
    const prevBy = new Map(prev.buckets ?? []);
    const bucketReset = restarted || cur.buckets.some(([b, c]) => c < (prevBy.get(b) ?? 0));
    d.dBuckets = cur.buckets.map(([b, c]) => [b, bucketReset ? c : c - (prevBy.get(b) ?? 0)]);
  }
  return d;
}

export class ScrapeSource implements SignalSource {
  readonly name = 'scrape';
  private readonly states = new Map<string, TargetState>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly clock: Clock;
  private readonly fetchImpl: typeof fetch;
  private readonly historyPoints: number;
  private readonly maxTargets: number;
  private readonly timeoutMs: number;

  constructor(private readonly opts: ScrapeOptions) {
    this.clock = opts.clock ?? systemClock;
    this.fetchImpl = opts.fetchImpl ?? fetch;
    this.historyPoints = opts.historyPoints ?? 720;
    this.maxTargets = opts.maxTargets ?? 256;
    this.timeoutMs = opts.timeoutMs ?? 2000;
  }

  private targets(): ScrapeTarget[] {
    return typeof this.opts.targets === 'function' ? this.opts.targets() : this.opts.targets;
  }

  /** Starts periodic scraping (the timer does not keep the process alive). */
  start(): void {
    if (this.timer) return;
    const every = this.opts.intervalMs ?? 5000;
    void this.scrapeOnce();
    this.timer = setInterval(() => {
      if (!this.running) void this.scrapeOnce();
    }, every);
    this.timer.unref();
  }

  /** One round over all current targets; every snapshot of a round carries the same time. */
  async scrapeOnce(): Promise<void> {
    const t = this.clock.now();
    const round = Promise.all(this.targets().map((tg) => this.scrapeTarget(tg, t))).then(() => undefined);
    this.running = round;
    try {
      await round;
    } finally {
      this.running = undefined;
    }
  }

  private stateFor(target: ScrapeTarget): TargetState {
    const key = `${target.service}\u0000${target.url}`;
    let st = this.states.get(key);
    if (!st) {
      if (this.states.size >= this.maxTargets) {
        // Forget the target seen longest ago, so a churn of ports cannot grow memory without bound.
        let oldest: string | undefined;
        let oldestSeen = Infinity;
        for (const [k, s] of this.states) if (s.lastSeen < oldestSeen) [oldest, oldestSeen] = [k, s.lastSeen];
        if (oldest) this.states.delete(oldest);
      }
      st = { target, snapshots: [], lastSeen: 0 };
      this.states.set(key, st);
    }
    st.target = target;
    return st;
  }

  private async scrapeTarget(target: ScrapeTarget, t: number): Promise<void> {
    const st = this.stateFor(target);
    try {
      const res = await this.fetchImpl(target.url, {
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { accept: 'text/plain;version=0.0.4' },
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const snap = snapshotFromText(await res.text(), t);
      if (target.version) snap.version = target.version;
      st.snapshots.push(snap);
      if (st.snapshots.length > this.historyPoints) st.snapshots.splice(0, st.snapshots.length - this.historyPoints);
      st.lastSeen = t;
      st.lastError = undefined;
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      st.lastError = err.cause?.code ?? err.message;
    }
  }

  /** Targets currently known for a service, with their last error (for the dashboard and tests). */
  status(service: string): Array<{ url: string; version?: string; samples: number; lastError?: string }> {
    return [...this.states.values()]
      .filter((s) => s.target.service === service)
      .map((s) => ({ url: s.target.url, version: s.snapshots.at(-1)?.version, samples: s.snapshots.length, lastError: s.lastError }));
  }

  async collect(query: SignalQuery): Promise<SignalBundle> {
    const { service, environment } = query.deployment;
    const problems: SourceProblem[] = [];
    const states = [...this.states.values()].filter(
      (s) => s.target.service === service && (!s.target.environment || s.target.environment === environment),
    );
    const metrics = aggregate(states, query.from, query.to);
    if (states.length === 0) {
      problems.push({ source: this.name, message: `no scrape target for service "${service}"` });
    } else if (Object.keys(metrics).length === 0) {
      const errs = states.filter((s) => s.lastError).map((s) => `${s.target.url}: ${s.lastError}`);
      problems.push({
        source: this.name,
        message: `no samples for service "${service}" in the window${errs.length ? ` (${errs.join('; ')})` : ''}`,
      });
    }
    return { metrics, logs: [], spans: [], limits: { ...(own(this.opts.limits, service) ?? {}) }, problems };
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

/** Service-level series from all its targets: sums for counts, mean CPU, max memory. */
function aggregate(states: TargetState[], from: number, to: number): SeriesMap {
  interface Acc {
    req: number;
    err: number;
    reqSeen: boolean;
    rate: number;
    buckets: Map<number, number>;
    cpu: number[];
    rss: number[];
  }
  const rounds = new Map<number, Acc>();
  const restartTimes: number[] = [];
  for (const st of states) {
    const snaps = st.snapshots;
    for (let i = 1; i < snaps.length; i++) {
      const d = derive(snaps[i - 1], snaps[i]);
      if (d.restarted) restartTimes.push(d.t);
      if (d.t < from || d.t > to || d.dt <= 0) continue;
      let a = rounds.get(d.t);
      if (!a) rounds.set(d.t, (a = { req: 0, err: 0, reqSeen: false, rate: 0, buckets: new Map(), cpu: [], rss: [] }));
      if (d.dReq !== undefined) {
        a.reqSeen = true;
        a.req += d.dReq;
        a.err += d.dErr ?? 0;
        a.rate += d.dReq / d.dt;
      }
      for (const [b, c] of d.dBuckets ?? []) a.buckets.set(b, (a.buckets.get(b) ?? 0) + c);
      if (d.cpu !== undefined) a.cpu.push(d.cpu);
      if (d.rss !== undefined) a.rss.push(d.rss);
    }
    // A lone first snapshot still tells memory.
    if (snaps.length > 0 && snaps[0].t >= from && snaps[0].t <= to && snaps[0].rss !== undefined) {
      let a = rounds.get(snaps[0].t);
      if (!a) rounds.set(snaps[0].t, (a = { req: 0, err: 0, reqSeen: false, rate: 0, buckets: new Map(), cpu: [], rss: [] }));
      a.rss.push(snaps[0].rss);
    }
  }
  const out: Record<string, Point[]> = {};
  const push = (k: string, p: Point): void => {
    (out[k] ??= []).push(p);
  };
  restartTimes.sort((a, b) => a - b);
  const anyRestartData = states.some((s) => s.snapshots.some((x) => x.startTime !== undefined));
  for (const t of [...rounds.keys()].sort((a, b) => a - b)) {
    const a = rounds.get(t)!;
    if (a.reqSeen) {
      push('request_rate', [t, a.rate]);
      // No requests means the error rate is unknown, not zero.
      if (a.req > 0) push('error_rate', [t, a.err / a.req]);
    }
    const p95 = quantileFromBuckets(0.95, [...a.buckets.entries()].sort((x, y) => x[0] - y[0]));
    if (p95 !== undefined) push('latency_p95_ms', [t, p95]);
    if (a.cpu.length) push('cpu_utilization', [t, a.cpu.reduce((x, y) => x + y, 0) / a.cpu.length]);
    if (a.rss.length) push('memory_bytes', [t, Math.max(...a.rss)]);
    if (anyRestartData) push('restarts', [t, restartTimes.filter((r) => r <= t).length]);
  }
  return out;
}
