// A scenario (v1 file format) as the signals a watch would have seen at a given instant: parsed
// once, then sliced per tick so a simulated incident can be played tick by tick without I/O.
// Never reads `truth`.
import type { DeploymentSpec, LogLevel, LogRecord, Point, SeriesMap, SignalBundle } from '../core/types.js';
import type { Scenario } from '../core/scenario.js';
import { parseTime } from '../core/time.js';

const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export interface PreparedScenario {
  id: string;
  deployment: DeploymentSpec;
  stepSeconds: number;
  metrics: SeriesMap;
  baselineMetrics?: SeriesMap;
  logs: LogRecord[];
  limits: Record<string, number>;
  /** epoch ms of the first and last sample (metrics, baseline or logs) */
  start: number;
  end: number;
}

function series(src: Record<string, Array<[string, number]>> | undefined): SeriesMap | undefined {
  if (!src) return undefined;
  const out: SeriesMap = {};
  for (const [name, pts] of Object.entries(src)) {
    const parsed: Point[] = [];
    for (const p of pts ?? []) {
      const t = parseTime(p[0]);
      if (Number.isFinite(t) && typeof p[1] === 'number' && Number.isFinite(p[1])) parsed.push([t, p[1]]);
    }
    parsed.sort((a, b) => a[0] - b[0]);
    out[name] = parsed;
  }
  return out;
}

export function prepareScenario(s: Scenario): PreparedScenario {
  const deployAt = parseTime(s.deployment.at);
  const metrics = series(s.metrics) ?? {};
  const baselineMetrics = s.baselineMetrics && Object.keys(s.baselineMetrics).length > 0 ? series(s.baselineMetrics) : undefined;
  const logs: LogRecord[] = (s.logs ?? [])
    .map((l) => ({ at: parseTime(l.at), level: (LEVELS.includes(l.level as LogLevel) ? l.level : 'info') as LogLevel, message: String(l.message ?? '') }))
    .filter((l) => Number.isFinite(l.at))
    .sort((a, b) => a.at - b.at);
  let start = deployAt;
  let end = deployAt;
  for (const group of [metrics, baselineMetrics ?? {}]) {
    for (const pts of Object.values(group)) {
      if (pts && pts.length) {
        start = Math.min(start, pts[0][0]);
        end = Math.max(end, pts[pts.length - 1][0]);
      }
    }
  }
  if (logs.length) {
    start = Math.min(start, logs[0].at);
    end = Math.max(end, logs[logs.length - 1].at);
  }
  return {
    id: s.id,
    deployment: {
      service: s.service,
      environment: s.environment,
      version: s.deployment.version,
      previousVersion: s.deployment.previousVersion,
      commit: s.deployment.commit,
      at: deployAt,
      replicas: s.deployment.replicas,
    },
    stepSeconds: s.stepSeconds,
    metrics,
    baselineMetrics,
    logs,
    limits: { ...(s.limits ?? {}) },
    start,
    end,
  };
}

/** index of the first element with key > t (binary search on sorted data) */
function upper<T>(xs: readonly T[], t: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(xs[mid]) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sliceSeries(m: SeriesMap, from: number, now: number): SeriesMap {
  const out: SeriesMap = {};
  for (const [k, pts] of Object.entries(m)) if (pts) out[k] = pts.slice(lower(pts, from, (p) => p[0]), upper(pts, now, (p) => p[0]));
  return out;
}

/** index of the first element with key >= t */
function lower<T>(xs: readonly T[], t: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(xs[mid]) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The watch's default pre-deploy baseline (the replay driver asks for the same window). */
export const BASELINE_SECONDS = 1800;

/** Everything the sources would have returned at `now` for the watch's window (nothing after it). */
export function bundleAt(p: PreparedScenario, now: number, baselineSeconds = BASELINE_SECONDS): SignalBundle {
  const from = p.deployment.at - baselineSeconds * 1000;
  const bundle: SignalBundle = {
    metrics: sliceSeries(p.metrics, from, now),
    logs: p.logs.slice(lower(p.logs, from, (l) => l.at), upper(p.logs, now, (l) => l.at)),
    spans: [],
    limits: p.limits,
    problems: [],
  };
  if (p.baselineMetrics) bundle.baselineMetrics = sliceSeries(p.baselineMetrics, from, now);
  return bundle;
}

/** The watch's ticks: every step from the deploy until the data ends (as the replay driver ticks). */
export function tickTimes(p: PreparedScenario): number[] {
  const step = Math.max(1, p.stepSeconds) * 1000;
  const out: number[] = [];
  for (let t = p.deployment.at; t <= p.end; t += step) out.push(t);
  return out;
}
