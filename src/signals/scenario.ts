// The `scenario` signal source: serves a scenario file's metrics and logs as if they were live,
// revealing only data up to the injected clock's "now" (and inside the query's window), so a
// replay cannot peek at the future. Times are converted once; each collect is a binary search.
import type { Clock } from '../core/clock.js';
import type { Scenario } from '../core/scenario.js';
import type { LogLevel, LogRecord, Point, SeriesMap, SignalBundle, SignalQuery, SignalSource } from '../core/types.js';

type Series = Point[];

function toSeries(pairs: Array<[string, number]>): Series {
  return pairs
    .map(([t, v]) => [Date.parse(t), v] as const)
    .filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]))
    .sort((a, b) => a[0] - b[0]);
}

/** index of the first element with time > t */
function upper(times: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
function lower(times: ArrayLike<number>, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class ScenarioSource implements SignalSource {
  readonly name = 'scenario';
  private readonly metrics: Record<string, Series>;
  private readonly baseline?: Record<string, Series>;
  private readonly logs: LogRecord[];
  private readonly logTimes: Float64Array;

  constructor(
    private readonly scenario: Scenario,
    private readonly clock: Clock,
  ) {
    this.metrics = Object.fromEntries(Object.entries(scenario.metrics).map(([k, v]) => [k, toSeries(v)]));
    if (scenario.baselineMetrics && Object.keys(scenario.baselineMetrics).length)
      this.baseline = Object.fromEntries(Object.entries(scenario.baselineMetrics).map(([k, v]) => [k, toSeries(v)]));
    this.logs = scenario.logs
      .map((l, i) => ({ rec: { at: Date.parse(l.at), level: l.level as LogLevel, message: l.message }, i }))
      .filter((x) => Number.isFinite(x.rec.at))
      .sort((a, b) => a.rec.at - b.rec.at || a.i - b.i)
      .map((x) => x.rec);
    this.logTimes = Float64Array.from(this.logs.map((l) => l.at));
  }

  /** latest timestamp anywhere in the scenario (where a replay stops) */
  lastTime(): number {
    let t = -Infinity;
    for (const s of Object.values(this.metrics)) if (s.length) t = Math.max(t, s[s.length - 1][0]);
    for (const s of Object.values(this.baseline ?? {})) if (s.length) t = Math.max(t, s[s.length - 1][0]);
    if (this.logs.length) t = Math.max(t, this.logs[this.logs.length - 1].at);
    return t;
  }

  private cut(map: Record<string, Series>, from: number, to: number): SeriesMap {
    const out: SeriesMap = {};
    for (const [k, s] of Object.entries(map)) {
      const times = s.map((p) => p[0]);
      out[k] = s.slice(lower(times, from), upper(times, to));
    }
    return out;
  }

  async collect(query: SignalQuery): Promise<SignalBundle> {
    return this.collectSync(query);
  }

  /** Same as collect, synchronous (the replay driver is a plain loop). */
  collectSync(query: SignalQuery): SignalBundle {
    const to = Math.min(query.to, this.clock.now());
    const from = query.from;
    return {
      metrics: this.cut(this.metrics, from, to),
      baselineMetrics: this.baseline ? this.cut(this.baseline, from, to) : undefined,
      logs: this.logs.slice(lower(this.logTimes, from), upper(this.logTimes, to)),
      spans: [],
      limits: { ...(this.scenario.limits ?? {}) },
      problems: [],
    };
  }
}
