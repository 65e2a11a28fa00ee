// The metric judge: is this metric different after the deploy (or on the canary) in a way that
// is both statistically solid under repeated looks and large enough to matter?
//
// Two complementary tests, both always-valid so looking every tick does not inflate false alarms:
//  - rank test (Mann-Whitney) over the post-warm-up window, compared with the normal-mixture
//    boundary for its sample count, plus a Hodges–Lehmann shift with a 95% interval;
//  - a trailing-run test on the newest points (conformal p-values against the reference), with
//    alpha spent over looks as α·6/(π²t²), which catches a large change within 2–3 samples.
// A change also has to pass a practical-size floor per metric (a 3% latency wobble is not news),
// and dispersion/tail changes are tested separately (rank test on absolute deviations).
import type { Point } from '../core/types.js';
import {
  hodgesLehmann,
  mannWhitney,
  median,
  mixtureBoundaryZ,
  quantile,
  quantileSorted,
  trailingRunP,
  mad,
} from './stats.js';

export interface JudgeContext {
  metric: string;
  /** epoch ms; points at or before deployAt + warmupMs are the rollout's warm-up */
  deployAt: number;
  warmupMs: number;
  /** total false-alarm budget per metric over the whole watch */
  alpha: number;
}

export interface Judgement {
  metric: string;
  /** 'up' | 'down' | 'none' */
  direction: 'up' | 'down' | 'none';
  significant: boolean;
  /** large enough to matter (practical floor passed) */
  practical: boolean;
  /** the change holds on the newest samples (not only earlier in the window) */
  sustained: boolean;
  spreadChanged: boolean;
  onset?: number;
  range?: [number, number];
  stats: Record<string, number>;
}

/** Smallest change a person cares about, per metric: [absolute floor, relative floor]. */
const PRACTICAL: Record<string, [number, number]> = {
  error_rate: [0.005, 1.0],
  latency_p95_ms: [0, 0.25],
  cpu_utilization: [0.08, 0.2],
  memory_bytes: [0, 0.1],
  request_rate: [0, 0.3],
};
const DEFAULT_PRACTICAL: [number, number] = [0, 0.25];

export function practicalFloor(metric: string): [number, number] {
  return PRACTICAL[metric] ?? DEFAULT_PRACTICAL;
}

/** Is `delta` (after − before) large against the level `level` for this metric? */
export function isPractical(metric: string, delta: number, level: number): boolean {
  const [abs, rel] = practicalFloor(metric);
  const base = Math.abs(level);
  return Math.abs(delta) >= abs && (base === 0 ? Math.abs(delta) > 0 : Math.abs(delta) / base >= rel);
}

/**
 * Judge one metric. `reference` holds the values that define "normal" (before the deploy, or the
 * pre-deploy canary−stable differences); `post` the points to test; `level` the typical value the
 * relative size is measured against.
 */
export function judge(reference: readonly number[], post: readonly Point[], level: number, ctx: JudgeContext): Judgement {
  const cutoff = ctx.deployAt + ctx.warmupMs;
  const settled = post.filter((p) => p[0] > cutoff);
  const values = settled.map((p) => p[1]);
  const sortedRef = Float64Array.from(reference).sort();
  const q = (p: number): number => quantileSorted(sortedRef, p);
  const refMed = q(0.5);
  const stats: Record<string, number> = {
    n_before: reference.length,
    n_after: values.length,
    n_warmup: post.length - settled.length,
    before_median: refMed,
    level,
  };
  const base: Judgement = { metric: ctx.metric, direction: 'none', significant: false, practical: false, sustained: false, spreadChanged: false, stats };
  if (reference.length < 5 || values.length === 0) return base;

  const afterMed = median(values);
  stats.after_median = afterMed;
  stats.before_p95 = q(0.95);
  stats.after_p95 = quantile(values, 0.95);

  // rank test + Hodges-Lehmann shift over the settled window
  // Both tests below assume independent samples. Real metrics wander (a slow queue, a cache that
  // warms, an AR-like drift): consecutive samples move together, so a run of high samples or a
  // shifted rank sum comes by chance far more often than independence says. The reference's own
  // lag-1 autocorrelation ρ (on ranks, so spikes and quantised values do not decide) gives the
  // effective share of independent samples, f = (1−ρ)/(1+ρ), the usual AR(1) variance inflation:
  // the rank test's z is scaled by √f and the run's p-value is raised to the power f.
  const rho = lag1RankAutocorrelation(reference);
  const f = (1 - rho) / (1 + rho);
  stats.rho = rho;
  const rt0 = mannWhitney(reference, values);
  const rt = { ...rt0, z: rt0.z * Math.sqrt(f) };
  // the pairwise-difference estimate costs O(n·m): full precision only when there is a change
  const zCrit = mixtureBoundaryZ(values.length, ctx.alpha);
  // the pairwise-difference estimate costs O(n·m): full precision only when there may be a change
  const hl = hodgesLehmann(reference, values, 0.95, Math.abs(rt.z) >= zCrit - 1 ? 150 : 30);
  stats.z = rt.z;
  stats.z_crit = zCrit;
  stats.cliffs_delta = rt.cliffsDelta;
  stats.hl_shift = hl.shift;
  stats.hl_lo = hl.lo;
  stats.hl_hi = hl.hi;
  const rankUp = rt.z >= zCrit && hl.lo > 0;
  const rankDown = rt.z <= -zCrit && hl.hi < 0;

  // trailing run on the newest settled points, alpha spent over looks
  const look = Math.max(1, post.length);
  const alphaT = (ctx.alpha * 6) / (Math.PI * Math.PI * look * look);
  const up0 = trailingRunP(reference, values, true);
  const down0 = trailingRunP(reference, values, false);
  const up = { ...up0, p: Math.pow(up0.p, f) };
  const down = { ...down0, p: Math.pow(down0.p, f) };
  stats.run_p_up = up.p;
  stats.run_p_down = down.p;
  stats.alpha_look = alphaT;
  // A wandering reference discounts the rank tests, and the conformal p-values cannot go below
  // 1/(n+1) however far a sample lies: a change far outside everything the reference did would then
  // never be significant. The excursion test covers that case by size: the newest samples (at least
  // 3, and at least two independent samples' worth at the reference's autocorrelation) all lie
  // beyond the reference's whole range AND at least EXCURSION_SIGMAS robust standard deviations
  // from its median. Independent of ρ because it asks for a distance, not a count.
  const exc = excursionRun(sortedRef, values, Math.max(3, Math.ceil(2 / f)));
  stats.excursion_run = exc.run * exc.sign;
  const runUp = up.p <= alphaT || exc.sign > 0;
  const runDown = down.p <= alphaT || exc.sign < 0;
  if (exc.sign > 0 && up.run < exc.run) up.run = Math.min(exc.run, values.length);
  if (exc.sign < 0 && down.run < exc.run) down.run = Math.min(exc.run, values.length);

  let direction: 'up' | 'down' | 'none' = 'none';
  let delta = 0;
  let run = 0;
  if (runUp || runDown) {
    direction = runUp && (!runDown || up.p <= down.p) ? 'up' : 'down';
    run = direction === 'up' ? up.run : down.run;
    const recent = values.slice(values.length - run);
    delta = median(recent) - refMed;
    stats.recent_median = median(recent);
    stats.run_length = run;
  } else if (rankUp || rankDown) {
    direction = rankUp ? 'up' : 'down';
    delta = hl.shift;
  }
  if (direction === 'none') {
    stats.rel_change = level !== 0 ? (afterMed - refMed) / Math.abs(level) : 0;
    // large enough to matter, yet not beyond what the baseline itself did (its range, its
    // wandering): recorded so the summary can say why a visible difference was not called harm
    if (isPractical(ctx.metric, afterMed - refMed, level)) {
      stats.within_baseline = 1;
      stats.before_p05 = q(0.05);
      stats.before_p95 = q(0.95);
    }
    return { ...base, spreadChanged: spreadTest(reference, values, ctx, stats) };
  }
  stats.delta = delta;
  stats.rel_change = level !== 0 ? delta / Math.abs(level) : delta === 0 ? 0 : Infinity;
  // The change must also be practical against where the metric was in the last stretch before the
  // deploy (the reference's newest quarter, at least 5 samples), not only against the reference's
  // median: a metric that drifts (a daily cycle's rising side, a slow wander) sits well above its
  // 30-minute median at the deploy and keeps going, and that drift is not the deploy's doing.
  const tail = reference.slice(-Math.max(5, Math.ceil(reference.length / 4)));
  const recentBefore = median(tail);
  const tailSorted = Float64Array.from(tail).sort();
  stats.recent_before_median = recentBefore;
  stats.recent_before_high = quantileSorted(tailSorted, 0.9);
  stats.recent_before_low = quantileSorted(tailSorted, 0.1);
  const afterLevel = refMed + delta;
  const sameSide = Math.sign(delta) === (direction === 'up' ? 1 : -1);
  const practicalVsMedian = isPractical(ctx.metric, delta, level) && sameSide;
  const practicalVsRecent = isPractical(ctx.metric, afterLevel - recentBefore, level) && Math.sign(afterLevel - recentBefore) === Math.sign(delta);
  const practical = practicalVsMedian && practicalVsRecent;
  // significant and large against the median, but not against the last minutes before the deploy:
  // the metric was already there; the summary says so
  if (practicalVsMedian && !practicalVsRecent) stats.within_recent_baseline = 1;

  // beyond the reference's band on the change's side: above its upQ quantile, or below its downQ
  const beyondBand = (upQ: number, downQ: number): ((v: number) => boolean) => {
    const edge = direction === 'up' ? q(upQ) : q(downQ);
    return (v) => (direction === 'up' ? v > edge : v < edge);
  };
  const beyond90 = beyondBand(0.9, 0.1);

  // sustained: the newest point is still beyond the reference's 90% band on the same side
  const sustained = beyond90(values[values.length - 1]);

  // onset: start of the trailing run, else the first settled point beyond the reference's band
  let onset: number | undefined;
  const beyond = beyondBand(0.95, 0.05);
  if (run > 0) onset = settled[settled.length - run][0];
  else onset = settled.find((p) => beyond(p[1]))?.[0];
  // The warm-up is not judged, but its samples still date the change: a change that began during
  // the warm-up began when its excursion did, not at the first judged sample (with short steps
  // the warm-up spans many steps, and that would make every such change look late).
  // The walk back uses the 90% band (as `sustained` does): a reference that holds an earlier
  // excursion (a previous bad deploy in the baseline) has a high 95th percentile.
  if (onset !== undefined) {
    let i = post.findIndex((p) => p[0] === onset);
    while (i > 0 && beyond90(post[i - 1][1])) i--;
    if (i >= 0) onset = post[i][0];
  }
  const spreadChanged = spreadTest(reference, values, ctx, stats);
  return {
    metric: ctx.metric,
    direction,
    significant: true,
    practical,
    sustained,
    spreadChanged,
    onset,
    range: [settled[0][0], settled[settled.length - 1][0]],
    stats,
  };
}

/** Dispersion / tail change: rank test on absolute deviations from each side's own median. */
function spreadTest(reference: readonly number[], values: readonly number[], ctx: JudgeContext, stats: Record<string, number>): boolean {
  if (values.length < 6) return false;
  const rm = median(reference);
  const vm = median(values);
  const dr = reference.map((x) => Math.abs(x - rm));
  const dv = values.map((x) => Math.abs(x - vm));
  const t = mannWhitney(dr, dv);
  const before = mad(reference, rm);
  const after = mad(values, vm);
  stats.spread_z = t.z;
  stats.spread_ratio = before > 0 ? after / before : after > 0 ? Infinity : 1;
  return t.z >= mixtureBoundaryZ(values.length, ctx.alpha) && stats.spread_ratio >= 1.5;
}

/**
 * Lag-1 autocorrelation of a series' ranks (mid-ranks for ties), clipped to [0, 0.8]: 0 for
 * independent samples, towards 1 for a wandering level. Negative values (alternation) are taken as 0
 * (they would make the tests bolder), and 0.8 caps the discount at a ninth of the samples.
 */
export function lag1RankAutocorrelation(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 8) return 0;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const rank = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && xs[idx[j + 1]] === xs[idx[i]]) j++;
    for (let k = i; k <= j; k++) rank[idx[k]] = (i + j) / 2;
    i = j + 1;
  }
  const mean = (n - 1) / 2;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const d = rank[i] - mean;
    den += d * d;
    if (i > 0) num += d * (rank[i - 1] - mean);
  }
  if (den === 0) return 0;
  return Math.max(0, Math.min(0.8, num / den));
}

/** how far (in robust standard deviations) beyond the reference's median an excursion must be */
const EXCURSION_SIGMAS = 5;

/**
 * The newest run of samples that all lie beyond the sorted reference's range and EXCURSION_SIGMAS
 * robust SDs (1.4826·MAD, floored at a hundredth of the median's size) from its median, on one side.
 * Returns the side (+1, −1, 0 when the run is shorter than `minRun`) and the run's length.
 */
function excursionRun(sortedRef: Float64Array, values: readonly number[], minRun: number): { sign: number; run: number } {
  const n = sortedRef.length;
  if (n < 5 || values.length < minRun) return { sign: 0, run: 0 };
  const med = quantileSorted(sortedRef, 0.5);
  const dev = Array.from(sortedRef, (x) => Math.abs(x - med)).sort((a, b) => a - b);
  const sigma = Math.max(1.4826 * dev[Math.floor(dev.length / 2)], 0.01 * Math.abs(med), 1e-12);
  const hi = Math.max(sortedRef[n - 1], med + EXCURSION_SIGMAS * sigma);
  const lo = Math.min(sortedRef[0], med - EXCURSION_SIGMAS * sigma);
  for (const sign of [1, -1]) {
    let run = 0;
    for (let i = values.length - 1; i >= 0; i--) {
      const v = values[i];
      if (sign > 0 ? v > hi : v < lo) run++;
      else break;
    }
    if (run >= minRun) return { sign, run };
  }
  return { sign: 0, run: 0 };
}
