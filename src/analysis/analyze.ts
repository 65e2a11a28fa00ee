// Analysis: signals for one deployment window → Findings with the numbers behind them.
// Pure: same input, same output. Data only up to `now` is used even if the bundle holds more.
//
// Findings produced (ids are stable so the summary and the dashboard can point at them):
//   metric_shift:<metric>[:canary]  error rate / latency / cpu moved after the deploy (or vs stable)
//   metric_spread:<metric>[:canary] dispersion or tail grew
//   load_change:request_rate         traffic moved (a surge or a drop)
//   load_context:request_rate        newest request rate vs before (context, severity 0)
//   load_context:<memory metric>     memory rose with the traffic, not judged a leak (context, severity 0)
//   metric_trend:<metric>[:canary]   a resource climbs past its old range; time to limit
//   restarts[:canary]                pods restarted since the deploy
//   log_new:<template id>            error/warn template never seen before the deploy, significant
//   log_spike:<template id>          known template whose rate jumped
//   trace_operation:<operation>      error rate / latency of one operation
//   data_gap:<metric>|data_gap:all   telemetry missing after the deploy
import type { Analysis, DeploymentSpec, Finding, Point, SignalBundle } from '../core/types.js';
import { isPractical, judge, type Judgement, type JudgeContext } from './metric-judge.js';
import { loadRise, resourceTrend, type LoadSeries } from './trend.js';
import { LogIndex, indexLogs, LEVEL_WEIGHT } from './log-index.js';
import { dataCoverage } from './coverage.js';
import { traceFindings } from './traces.js';
import { binomialUpperTail, poissonRateIncreaseP, median, quantileSorted } from './stats.js';
import { fmtNum, fmtPct, fmtRel } from './format.js';

export interface AnalyzeInput {
  deployment: DeploymentSpec;
  bundle: SignalBundle;
  now: number;
  stepSeconds: number;
  /** optional incremental log index kept by the caller across ticks (same results, faster) */
  logIndex?: LogIndex;
  options?: Partial<AnalyzeOptions>;
}

export interface AnalyzeOptions {
  /** warm-up after the deploy during which metric changes are not judged (steps) */
  warmupSteps: number;
  /** warm-up floor in seconds (short steps still get a real warm-up) */
  warmupMinSeconds: number;
  /** false-alarm budget per metric over the whole watch (always-valid) */
  alpha: number;
  /** p-value a log template's rate increase must beat, and the least count that counts */
  logAlpha: number;
  logMinCount: number;
}

export const DEFAULT_ANALYZE_OPTIONS: AnalyzeOptions = {
  warmupSteps: 3,
  warmupMinSeconds: 45,
  alpha: 0.01,
  logAlpha: 1e-4,
  logMinCount: 4,
};

/** Metrics where "up" is bad; request_rate is load, restarts and memory have their own checks. */
const HEALTH_METRICS = ['error_rate', 'latency_p95_ms', 'cpu_utilization'];

export function analyze(input: AnalyzeInput): Analysis {
  const opt = { ...DEFAULT_ANALYZE_OPTIONS, ...input.options };
  const { deployment, bundle, now } = input;
  const deployAt = deployment.at;
  const stepMs = input.stepSeconds * 1000;
  const warmupMs = Math.max(opt.warmupSteps * stepMs, opt.warmupMinSeconds * 1000);
  const findings: Finding[] = [];
  const upTo = (pts: Point[] | undefined): Point[] => (pts ?? []).filter((p) => p[0] <= now && Number.isFinite(p[1]));
  const metrics: Record<string, Point[]> = {};
  for (const [k, v] of Object.entries(bundle.metrics)) metrics[k] = upTo(v);
  const stable: Record<string, Point[]> | undefined = bundle.baselineMetrics
    ? Object.fromEntries(Object.entries(bundle.baselineMetrics).map(([k, v]) => [k, upTo(v)]))
    : undefined;
  const canary = !!stable && Object.values(stable).some((v) => v.some((p) => p[0] >= deployAt));

  const ctx = (metric: string): JudgeContext => ({ metric, deployAt, warmupMs, alpha: opt.alpha });
  const load = loadOf(metrics.request_rate, deployAt, warmupMs);

  for (const [metric, pts] of Object.entries(metrics)) {
    if (metric === 'restarts') continue;
    const before = pts.filter((p) => p[0] < deployAt).map((p) => p[1]);
    const after = pts.filter((p) => p[0] >= deployAt);
    if (metric === 'memory_bytes' || metric.startsWith('memory')) {
      trendFinding(findings, metric, before, after, bundle.limits[metric], now, load);
      continue;
    }
    const split = splitPreShift(before);
    const j = judge(split.reference, after, median(split.reference), ctx(metric));
    if (split.shifted > 0 && !beyondPreShift(metric, j, before.slice(before.length - split.shifted))) {
      j.stats.pre_shift_steps = split.shifted;
      if (j.onset !== undefined) j.onset = deployAt - split.shifted * stepMs;
    }
    pushJudgement(findings, j, 'before_after');
    if (metric === 'request_rate') loadContext(findings, split.reference, after, warmupMs, deployAt);
    if (canary && stable?.[metric]) {
      const c = canaryJudgement(pts, stable[metric], deployAt, stepMs, ctx(metric));
      if (c) pushJudgement(findings, c, 'canary_stable');
      markSharedShift(findings, metric, stable[metric], deployAt, ctx(metric));
    }
  }
  if (canary && stable?.memory_bytes && metrics.memory_bytes) {
    // a leak on the canary only shows against its own history; the stable group tells us whether
    // the whole fleet grows (load) or only the new version
    const st = stable.memory_bytes.filter((p) => p[0] >= deployAt);
    const stRes = resourceTrend(
      stable.memory_bytes.filter((p) => p[0] < deployAt).map((p) => p[1]),
      st,
      bundle.limits.memory_bytes,
      now,
      loadOf(stable.request_rate, deployAt, warmupMs),
    );
    const f = findings.find((x) => x.id === 'metric_trend:memory_bytes');
    if (f) f.stats.stable_leaking = stRes.leaking ? 1 : 0;
  }

  restartFinding(findings, metrics.restarts, stable?.restarts, deployAt, deployment.replicas);
  if (canary && stable?.restarts) restartFinding(findings, stable.restarts, undefined, deployAt, deployment.replicas, ':stable');

  const logIndex = input.logIndex && input.logIndex.deployAt === deployAt && input.logIndex.sync(bundle.logs.filter((r) => r.at <= now))
    ? input.logIndex
    : indexLogs(bundle.logs.filter((r) => r.at <= now), deployAt);
  logFindings(findings, logIndex, bundle, deployAt, now, opt);

  const rise = load ? loadRise(load) : undefined;
  for (const f of traceFindings(bundle.spans.filter((s) => s.at <= now), deployAt, opt.alpha, rise?.since)) findings.push(f);

  const cov = dataCoverage(metrics, bundle, deployAt, now, stepMs);
  for (const f of cov.findings) findings.push(f);

  findings.sort((a, b) => b.severity - a.severity || a.id.localeCompare(b.id));
  return { at: now, deployAt, findings, coverage: cov.coverage, canary };
}

/**
 * Traffic context without a test: the newest request rate against the pre-deploy median. The
 * policy uses it only as an alternative explanation (latency rising with traffic is load, not the
 * code), never as an alarm, so it needs no significance of its own. Severity 0: not news.
 */
function loadContext(out: Finding[], reference: number[], after: Point[], warmupMs: number, deployAt: number): void {
  const settled = after.filter((p) => p[0] > deployAt + warmupMs).slice(-3);
  if (reference.length < 5 || settled.length === 0) return;
  const before = median(reference);
  const recent = median(settled.map((p) => p[1]));
  if (!(before > 0)) return;
  const ratio = recent / before;
  out.push({
    id: 'load_context:request_rate',
    kind: 'load_change',
    subject: 'request_rate',
    severity: 0,
    direction: ratio > 1 ? 'up' : ratio < 1 ? 'down' : 'none',
    comparison: 'before_after',
    stats: { before_median: before, recent_median: recent, recent_ratio: ratio },
    text: `Request rate ${fmtNum(recent)} req/s now vs ${fmtNum(before)} req/s before the deploy`,
  });
}

/**
 * A change can start before the deploy (a surge or an outage already under way). Then the last
 * pre-deploy samples are not "normal" and would hide the change. Find where, in the last third of
 * the pre-deploy window, a level change begins: a candidate tail whose first sample and at least
 * half of whose samples lie beyond the earlier samples' 2–98% range on one side, far more of them
 * than that range lets through by chance (binomial tail at 2% per sample, PRE_SHIFT_P), and its
 * second half alone unlikely by chance too (the change lasts up to the deploy; a passing blip
 * followed by normal samples is not a level change). Every tail length is tried and the least
 * likely wins: a short tail's "earlier samples" hold the rest of the change when it began
 * earlier (their range then covers the new level), so stopping at the first failing length
 * missed every change longer than a few steps; and "all beyond" missed a flapping outage, whose
 * tail alternates between the new and the old level.
 * The tail is dropped from the reference and its length reported (the change predates the
 * deploy by that many steps).
 */
export function splitPreShift(before: readonly number[]): { reference: number[]; shifted: number } {
  const n = before.length;
  const longest = Math.floor(n / 3);
  if (longest < 3) return { reference: before.slice(), shifted: 0 };
  // Every tail length needs the range of the samples before it, and those are one prefix that
  // grows by a sample as the tail shrinks: keep it sorted (one insertion per length) instead of
  // sorting a copy per length, which cost ~36 ms per metric on a 1,200-sample baseline, every tick.
  // Lengths are tried longest first, so a tie in likelihood keeps the longer tail (the earlier start).
  const early = Array.from(Float64Array.from(before.slice(0, n - longest)).sort());
  let best = 0;
  let bestP = PRE_SHIFT_P;
  for (let r = longest; r >= 3; r--) {
    if (r < longest) insertSorted(early, before[n - r - 1]);
    const tail = before.slice(n - r);
    const hi = quantileSorted(early, 0.98);
    const lo = quantileSorted(early, 0.02);
    for (const beyond of [(x: number): boolean => x > hi, (x: number): boolean => x < lo]) {
      if (!beyond(tail[0])) continue;
      const half = Math.floor(r / 2);
      const late = tail.slice(half).filter(beyond).length;
      const k = tail.slice(0, half).filter(beyond).length + late;
      if (2 * k < r || binomialUpperTail(late, r - half, 0.02) > PRE_SHIFT_HALF_P) continue;
      const p = binomialUpperTail(k, r, 0.02);
      if (p < bestP || (best === 0 && p <= bestP)) {
        best = r;
        bestP = p;
      }
    }
  }
  return best ? { reference: before.slice(0, n - best), shifted: best } : { reference: before.slice(), shifted: 0 };
}

/**
 * A change that began before the deploy explains what came after only if the metric stayed about
 * where that change took it: when the level since the deploy is beyond everything the pre-deploy
 * change reached, and by a practical amount, the deploy added a change of its own (a regression
 * landing during a bump), and its onset is the deploy's, not the bump's.
 */
function beyondPreShift(metric: string, j: Judgement, tail: readonly number[]): boolean {
  if (!j.significant || tail.length === 0) return false;
  const now = j.stats.recent_median ?? j.stats.after_median;
  if (now === undefined) return false;
  const tailMed = median(tail);
  const up = j.direction === 'up';
  const edge = up ? Math.max(...tail) : Math.min(...tail);
  return (up ? now > edge : now < edge) && isPractical(metric, now - tailMed, j.stats.level ?? tailMed);
}

/** Inserts x into ascending s, in the order Float64Array sorts (NaN last). */
function insertSorted(s: number[], x: number): void {
  if (Number.isNaN(x)) {
    s.push(x);
    return;
  }
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s[mid] <= x) lo = mid + 1; // NaN compares false: it stays to the right
    else hi = mid;
  }
  s.splice(lo, 0, x);
}

/** How unlikely a pre-deploy tail's excursions must be by chance to call them a change (3 of 3 beyond the 2–98% range: 8e-6). */
const PRE_SHIFT_P = 1e-4;
/** The tail's second half on its own must be unlikely by chance too: the change lasts up to the deploy. */
const PRE_SHIFT_HALF_P = 0.01;

/**
 * A before/after change the stable group shows too (same direction, significant and practical
 * on its own history) happened to every version at once: load or the environment, not the
 * deploy. Recorded on the before/after finding as stable_same_shift, positive evidence of
 * sharing (a canary comparison that is merely not significant yet is no such evidence).
 */
function markSharedShift(out: Finding[], metric: string, stablePts: Point[], deployAt: number, c: JudgeContext): void {
  const f = out.find((x) => x.id === `metric_shift:${metric}` && x.comparison === 'before_after');
  if (!f || metric === 'request_rate') return;
  const split = splitPreShift(stablePts.filter((p) => p[0] < deployAt).map((p) => p[1]));
  const j = judge(split.reference, stablePts.filter((p) => p[0] >= deployAt), median(split.reference), c);
  f.stats.stable_same_shift = j.significant && j.practical && j.direction === f.direction ? 1 : 0;
  if (j.stats.rel_change !== undefined) f.stats.stable_rel_change = j.stats.rel_change;
}

const MULTIPLICATIVE = new Set(['latency_p95_ms', 'cpu_utilization']);

/** Canary vs stable: paired differences at matching times, judged against the pre-deploy differences. */
function canaryJudgement(canaryPts: Point[], stablePts: Point[], deployAt: number, stepMs: number, c: JudgeContext): Judgement | undefined {
  if (c.metric === 'request_rate') return undefined; // traffic is split by weight: levels differ by design
  const byT = new Map<number, number>();
  for (const p of stablePts) byT.set(Math.round(p[0] / (stepMs / 2)), p[1]);
  // Latency and CPU change by factors: an outage that triples every group's latency triples the
  // canary−stable difference too, which looked version-specific. For them the pairing is the ratio
  // canary/stable, judged against the pre-deploy ratios (level 1: the practical floor is then the
  // relative excess of the canary over the stable group). Error rates stay differences (zeros).
  const ratio = MULTIPLICATIVE.has(c.metric);
  const diffs: Point[] = [];
  for (const p of canaryPts) {
    const s = byT.get(Math.round(p[0] / (stepMs / 2)));
    if (s === undefined) continue;
    if (!ratio) diffs.push([p[0], p[1] - s]);
    else if (s > 0) diffs.push([p[0], p[1] / s]);
  }
  const ref = diffs.filter((p) => p[0] < deployAt).map((p) => p[1]);
  const post = diffs.filter((p) => p[0] >= deployAt);
  const stableAfter = stablePts.filter((p) => p[0] >= deployAt).map((p) => p[1]);
  if (post.length === 0 || stableAfter.length === 0) return undefined;
  // the canary's excess is sized against the stable group's level now as well as over the whole
  // watch: during an outage that hits every group the stable error rate is high now, and a canary a
  // few points above it is not "twice the stable rate" because the watch began quietly
  const level = Math.max(median(stableAfter), median(stableAfter.slice(-5)));
  if (ref.length >= 5 && ratio) {
    const j = judge(ref, post, median(ref), c);
    j.stats.ratio_mode = 1;
    j.stats.stable_level = level;
    return j;
  }
  if (ref.length >= 5) return judge(ref, post, level, c);
  // no pre-deploy pairing: compare canary after vs stable after directly
  const canaryAfter = canaryPts.filter((p) => p[0] >= deployAt);
  return judge(stableAfter, canaryAfter, level, c);
}

export function metricLabel(metric: string): string {
  return (
    { error_rate: 'Error rate', latency_p95_ms: 'p95 latency', cpu_utilization: 'CPU', memory_bytes: 'Memory', request_rate: 'Request rate' }[metric] ??
    metric
  );
}

export function fmtMetric(metric: string, v: number): string {
  if (metric === 'error_rate' || metric === 'cpu_utilization') return fmtPct(v);
  if (metric === 'latency_p95_ms') return `${fmtNum(v)} ms`;
  if (metric === 'memory_bytes') return `${fmtNum(v / 1048576)} MB`;
  if (metric === 'request_rate') return `${fmtNum(v)} req/s`;
  return fmtNum(v);
}

function pushJudgement(out: Finding[], j: Judgement, comparison: 'before_after' | 'canary_stable'): void {
  const suffix = comparison === 'canary_stable' ? ':canary' : '';
  const s = j.stats;
  const flags = { significant: j.significant ? 1 : 0, practical: j.practical ? 1 : 0, sustained: j.sustained ? 1 : 0 };
  if (j.significant) {
    const isLoad = j.metric === 'request_rate';
    const bad = isLoad || (j.direction === 'up' && HEALTH_METRICS.includes(j.metric)) || !HEALTH_METRICS.includes(j.metric);
    const mag = Math.abs(s.rel_change ?? 0);
    let severity = 0.1;
    if (j.practical && bad) severity = Math.min(0.97, 0.5 + 0.2 * Math.log2(1 + mag));
    if (j.metric === 'cpu_utilization') severity *= 0.7;
    if (!j.sustained) severity *= 0.6;
    const kind = isLoad ? 'load_change' : 'metric_shift';
    const label = metricLabel(j.metric);
    let text: string;
    if (comparison === 'canary_stable') {
      if (s.ratio_mode === 1) {
        const r = s.recent_median ?? s.after_median ?? 1;
        text = `${label} on the canary ${fmtNum(r)}× stable's (${fmtNum(s.before_median)}× before the deploy; stable ${fmtMetric(j.metric, s.stable_level)}, canary ~${fmtMetric(j.metric, s.stable_level * r)})`;
      } else {
        const canaryVal = s.level + (s.recent_median ?? s.after_median ?? 0);
        text = `${label} on the canary ${j.direction === 'up' ? 'above' : 'below'} stable by ${fmtMetric(j.metric, Math.abs(s.delta))} (stable ${fmtMetric(j.metric, s.level)}, canary ~${fmtMetric(j.metric, canaryVal)})`;
      }
    } else {
      const now = s.recent_median ?? s.after_median;
      text = `${label} ${fmtMetric(j.metric, now)} vs ${fmtMetric(j.metric, s.before_median)} before the deploy (${fmtRel(s.rel_change)})`;
    }
    if (!j.practical && s.within_recent_baseline === 1 && comparison === 'before_after')
      text = `${label} ${fmtMetric(j.metric, s.recent_median ?? s.after_median)} is within the pre-deploy range: ${fmtMetric(j.metric, s.recent_before_median)} in the last minutes before the deploy (${fmtMetric(j.metric, s.recent_before_low)}–${fmtMetric(j.metric, s.recent_before_high)}), ${fmtMetric(j.metric, s.before_median)} over the whole baseline`;
    else if (!j.practical) text += ', too small to matter';
    // a change that began before the deploy is not the deploy's doing: say when it began
    if ((s.pre_shift_steps ?? 0) > 0 && comparison === 'before_after') text += `; already under way ${fmtNum(s.pre_shift_steps)} steps before the deploy`;
    out.push({
      id: `${kind}:${j.metric}${suffix}`,
      kind,
      subject: j.metric,
      severity,
      direction: j.direction,
      comparison,
      onset: j.onset,
      stats: { ...s, ...flags },
      text,
      evidence: j.range ? { range: j.range } : undefined,
    });
  }
  if (!j.significant && s.within_baseline === 1 && comparison === 'before_after' && HEALTH_METRICS.includes(j.metric) && (s.after_median ?? 0) > s.before_median) {
    // context only (severity 0): a visible rise that the pre-deploy baseline itself matched
    const wander = (s.rho ?? 0) >= 0.3 ? `, and it wandered (lag-1 autocorrelation ${fmtNum(s.rho)})` : '';
    const rel = s.before_median !== 0 ? ` (${fmtRel(s.rel_change)})` : '';
    const head = `${metricLabel(j.metric)} ${fmtMetric(j.metric, s.after_median)} vs ${fmtMetric(j.metric, s.before_median)} before the deploy${rel}`;
    const inRange = s.after_median <= s.before_p95;
    out.push({
      id: `metric_shift:${j.metric}${suffix}`,
      kind: 'metric_shift',
      subject: j.metric,
      severity: 0,
      direction: 'none',
      comparison,
      stats: { ...s, ...flags },
      text: inRange
        ? `${head} is within the pre-deploy range: the baseline itself spanned ${fmtMetric(j.metric, s.before_p05)}–${fmtMetric(j.metric, s.before_p95)}${wander}`
        : `${head} is not yet beyond chance: ${s.n_after} samples since the warm-up against a baseline that spanned ${fmtMetric(j.metric, s.before_p05)}–${fmtMetric(j.metric, s.before_p95)}${wander}`,
    });
  }
  if (j.spreadChanged && j.metric !== 'request_rate') {
    out.push({
      id: `metric_spread:${j.metric}${suffix}`,
      kind: 'metric_spread',
      subject: j.metric,
      severity: 0.3,
      direction: 'up',
      comparison,
      stats: { ...s, ...flags },
      text: `${metricLabel(j.metric)} varies ${fmtNum(s.spread_ratio)}× more than before${comparison === 'canary_stable' ? ' (canary vs stable)' : ''}`,
    });
  }
}

/** The request rate split at the deploy, for the memory-trend check's load test. */
function loadOf(pts: Point[] | undefined, deployAt: number, warmupMs: number): LoadSeries | undefined {
  if (!pts || pts.length === 0) return undefined;
  return { before: pts.filter((p) => p[0] < deployAt).map((p) => p[1]), after: pts.filter((p) => p[0] >= deployAt), warmupMs };
}

function trendFinding(out: Finding[], metric: string, before: number[], after: Point[], limit: number | undefined, now: number, load: LoadSeries | undefined): void {
  const r = resourceTrend(before, after, limit, now, load);
  if (!r.leaking && r.stats.load_driven === 1) {
    // Not a leak: the growth so far follows the traffic. Context only (severity 0), so a reader
    // of the analysis sees why the memory rise was not called a leak.
    const s = r.stats;
    out.push({
      id: `load_context:${metric}`,
      kind: 'load_change',
      subject: metric,
      severity: 0,
      direction: 'up',
      comparison: 'before_after',
      stats: { ...s },
      text: `${metricLabel(metric)} ${fmtMetric(metric, s.current)} vs ${fmtMetric(metric, s.before_median)} before the deploy while the request rate rose ×${fmtNum(s.load_ratio)}: follows the load, not judged a leak unless it keeps growing once the load is steady`,
      evidence: r.range ? { range: r.range } : undefined,
    });
    return;
  }
  if (!r.leaking) return;
  const s = r.stats;
  const ttl = s.time_to_limit_min;
  let severity = 0.55;
  if (ttl !== undefined && Number.isFinite(ttl)) severity = ttl < 30 ? 0.95 : ttl < 120 ? 0.85 : ttl < 720 ? 0.7 : 0.55;
  const rate = `${fmtNum(s.slope_per_min / 1048576)} MB/min`;
  const limitText =
    ttl !== undefined && Number.isFinite(ttl)
      ? `, limit reached in ~${fmtNum(ttl)} min (${fmtNum(s.time_to_limit_lo_min)}–${Number.isFinite(s.time_to_limit_hi_min) ? fmtNum(s.time_to_limit_hi_min) : '∞'} min)`
      : '';
  out.push({
    id: `metric_trend:${metric}`,
    kind: 'metric_trend',
    subject: metric,
    severity,
    direction: 'up',
    comparison: 'trend',
    onset: r.onset,
    stats: { ...s, leaking: 1 },
    text: `${metricLabel(metric)} grows ${rate} past its pre-deploy range (${fmtMetric(metric, s.current)} vs ${fmtMetric(metric, s.before_median)})${limitText}`,
    evidence: r.range ? { range: r.range } : undefined,
  });
}

function restartFinding(out: Finding[], pts: Point[] | undefined, stablePts: Point[] | undefined, deployAt: number, replicas: number | undefined, suffix = ''): void {
  if (!pts || pts.length === 0) return;
  const before = pts.filter((p) => p[0] < deployAt);
  const after = pts.filter((p) => p[0] >= deployAt);
  if (after.length === 0) return;
  const base = before.length ? Math.max(...before.map((p) => p[1])) : after[0][1];
  const last = after[after.length - 1][1];
  // counters reset when pods are replaced (the deploy itself replaces them): count only
  // increments, from the last pre-deploy sample, so a counter that restarted at 0 counts from 0
  let inc = 0;
  let prev = before.length ? before[before.length - 1][1] : after[0][1];
  let onset: number | undefined;
  for (const p of after) {
    if (p[1] > prev) {
      inc += p[1] - prev;
      if (onset === undefined) onset = p[0];
    }
    prev = p[1];
  }
  if (inc < 2) return; // one restart (an evicted pod) is routine
  const n = Math.max(1, replicas ?? 1);
  let stableInc = 0;
  if (stablePts) {
    const sb = stablePts.filter((p) => p[0] < deployAt);
    const sa = stablePts.filter((p) => p[0] >= deployAt);
    if (sa.length) stableInc = Math.max(0, sa[sa.length - 1][1] - (sb.length ? sb[sb.length - 1][1] : sa[0][1]));
  }
  const severity = Math.min(0.97, 0.6 + 0.1 * inc / n + (inc >= 3 ? 0.1 : 0));
  out.push({
    id: `restarts${suffix}`,
    kind: 'restarts',
    subject: suffix ? 'restarts (stable)' : 'restarts',
    severity: suffix ? severity * 0.5 : severity,
    direction: 'up',
    comparison: 'before_after',
    onset,
    stats: { restarts_before: base, restarts_now: last, increase: inc, replicas: n, stable_increase: stableInc },
    text: `${fmtNum(inc)} pod restarts since the deploy${suffix ? ' on the stable group' : ''} (${n} replicas)`,
  });
}

function logFindings(out: Finding[], idx: LogIndex, bundle: SignalBundle, deployAt: number, now: number, opt: AnalyzeOptions): void {
  let firstLog = deployAt;
  for (const r of bundle.logs) if (r.at < firstLog) firstLog = r.at;
  const exposureBefore = Math.max(60_000, deployAt - firstLog);
  const exposureAfter = Math.max(1_000, now - deployAt);
  for (const t of idx.stats()) {
    const w = LEVEL_WEIGHT[t.level];
    if (w === 0 || t.after < opt.logMinCount) continue;
    const p = poissonRateIncreaseP(t.after, exposureAfter, t.before, exposureBefore);
    if (p > opt.logAlpha) continue;
    const isNew = t.before === 0;
    const rateAfter = (t.after / exposureAfter) * 60_000;
    const rateBefore = (t.before / exposureBefore) * 60_000;
    if (!isNew && rateAfter < 2 * rateBefore) continue; // a spike must at least double
    const severity = Math.min(0.95, (isNew ? 0.45 : 0.35) + 0.25 * Math.min(1, w) + 0.05 * Math.log10(1 + t.after));
    out.push({
      id: `${isNew ? 'log_new' : 'log_spike'}:${t.id}`,
      kind: isNew ? 'log_new' : 'log_spike',
      subject: t.id,
      severity: w >= 1 ? severity : severity * 0.6,
      direction: 'up',
      comparison: 'before_after',
      onset: t.firstAfter,
      stats: {
        count_after: t.after,
        count_before: t.before,
        per_min_after: rateAfter,
        per_min_before: rateBefore,
        p_value: p,
        level_weight: w,
        kind_code: t.kind === 'code' ? 1 : 0,
        kind_dependency: t.kind === 'dependency' ? 1 : 0,
        kind_capacity: t.kind === 'capacity' ? 1 : 0,
        kind_telemetry: t.kind === 'telemetry' ? 1 : 0,
        kind_config: t.kind === 'config' ? 1 : 0,
      },
      text: isNew
        ? `New ${t.level} ×${t.after} since the deploy (${t.kind}): ${t.template.slice(0, 120)}`
        : `${t.level} ×${t.after} since the deploy, ${fmtNum(rateAfter)}/min vs ${fmtNum(rateBefore)}/min before (${t.kind}): ${t.template.slice(0, 120)}`,
      evidence: { template: t.template, samples: t.samples, level: t.level },
    });
  }
}
