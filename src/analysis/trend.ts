// Resource trends: is memory (or any bounded resource) climbing past where it ever was before the
// deploy, and when does it hit its limit? Theil–Sen slope (robust to the sawtooth of GC and to a
// few outliers) with Sen's interval, turned into a time-to-limit range.
//
// The "memory refills after pods restart" trap is handled by the level gate: refilling climbs
// back to the old level and stops; a leak goes past the pre-deploy range and keeps going.
//
// The "memory follows the traffic" trap is handled by the load check (loadAdjusted): a service
// needs more memory while it serves more requests at once (buffers, queued requests, a bigger
// young generation), so memory climbs when the request rate rises, then levels off at the new
// load. A leak keeps growing while the load stays put. So when the request rate rose materially,
// growth counts as a leak only if memory grew by a larger factor than the traffic, or it already
// showed at the old load, or memory keeps growing after the new load has had a warm-up to settle
// and faster than the load did (memory per request rising). A fast leak that starts together
// with a surge is therefore judged only after that warm-up; the restarts it causes are not.
import type { Point } from '../core/types.js';
import { mad, median, quantile, theilSen } from './stats.js';

export interface TrendResult {
  leaking: boolean;
  stats: Record<string, number>;
  onset?: number;
  range?: [number, number];
}

/** The request rate beside the resource, so growth that tracks the traffic is not called a leak. */
export interface LoadSeries {
  /** request rate before the deploy (the reference "normal" load) */
  before: readonly number[];
  /** request rate since the deploy */
  after: readonly Point[];
  /** how long memory may take to settle after the load changed (the analysis warm-up) */
  warmupMs: number;
}

/**
 * Smallest request-rate rise that counts as a load change: the request rate's practical floor
 * in the metric judge (30%); smaller swings are ordinary traffic noise.
 */
const LOAD_RISE = 0.3;

export function resourceTrend(before: readonly number[], after: readonly Point[], limit: number | undefined, now: number, load?: LoadSeries): TrendResult {
  const r = plainTrend(before, after, limit, now);
  if (!r.leaking || !load) return r;
  return loadAdjusted(r, before, after, limit, now, load);
}

function plainTrend(before: readonly number[], after: readonly Point[], limit: number | undefined, now: number): TrendResult {
  const stats: Record<string, number> = { n_before: before.length, n_after: after.length };
  if (before.length < 5 || after.length < 4) return { leaking: false, stats };
  // fit on the newest stretch since the last big drop (a restart resets the level)
  let start = 0;
  for (let i = 1; i < after.length; i++) if (after[i][1] < after[i - 1][1] * 0.8) start = i;
  const seg = after.slice(start);
  if (seg.length < 4) return { leaking: false, stats };
  // the slope that matters is the recent one: a refill after a restart decelerates to flat, a
  // leak keeps its pace, so fit the newest half of the segment (at least 6 points)
  const recent = seg.slice(Math.max(0, seg.length - Math.max(6, Math.ceil(seg.length / 2))));
  if (recent.length < 6) return { leaking: false, stats };
  const t0 = recent[0][0];
  const xs = recent.map((p) => (p[0] - t0) / 60_000);
  const ys = recent.map((p) => p[1]);
  const fit = theilSen(xs, ys);
  const ysSeg = seg.map((p) => p[1]);
  const current = median(ysSeg.slice(-3));
  const beforeHigh = quantile(before, 0.99) + mad(before);
  stats.before_median = median(before);
  stats.before_high = beforeHigh;
  stats.current = current;
  stats.slope_per_min = fit.slope;
  stats.slope_lo = fit.lo;
  stats.slope_hi = fit.hi;
  stats.points = seg.length;
  // above the old range AND by a practical margin (10% of the old level): refills after restarts
  // and small harmless differences between versions overshoot by a few percent at most
  // (or, with a known limit, when even the slow end of the slope interval reaches it within an hour)
  const materially = current - median(before) >= 0.1 * Math.abs(median(before));
  const soon = limit !== undefined && limit > 0 && fit.lo > 0 && (limit - current) / fit.lo < 60;
  const aboveRange = current > beforeHigh && (materially || soon);
  // growing: slope interval above zero, and the fitted rise over the fit window is material
  // (≥ 2% of the pre-deploy level), so GC noise on a flat line does not count
  const span = xs[xs.length - 1] - xs[0];
  // ...and steeper than the baseline itself climbed over windows of the same length: a GC
  // sawtooth (or any periodic refill) has rising stretches as steep as a slow leak, and a fit
  // window about one period long lands on one of them. The baseline's windows of the same number
  // of samples show how steep its own climbs were; growth that does not beat their steepest is
  // not evidence of a leak.
  const minutesPerSample = recent.length > 1 ? span / (recent.length - 1) : 0;
  const ownClimb = steepestWindowSlope(before, recent.length) / Math.max(minutesPerSample, 1e-9);
  stats.baseline_steepest_slope_per_min = ownClimb;
  const growing = fit.lo > 0 && fit.slope * span >= 0.02 * Math.abs(median(before)) && !(olsSlope(ys) / Math.max(minutesPerSample, 1e-9) <= ownClimb);
  stats.above_range = aboveRange ? 1 : 0;
  stats.fit_from = recent[0][0];
  stats.fit_to = recent[recent.length - 1][0];
  if (limit !== undefined && limit > 0) {
    stats.limit = limit;
    const room = Math.max(0, limit - current);
    stats.time_to_limit_min = fit.slope > 0 ? room / fit.slope : Infinity;
    stats.time_to_limit_lo_min = fit.hi > 0 ? room / fit.hi : Infinity;
    stats.time_to_limit_hi_min = fit.lo > 0 ? room / fit.lo : Infinity;
    stats.used_fraction = current / limit;
  }
  const leaking = aboveRange && growing;
  let onset: number | undefined;
  if (leaking) {
    const first = after.find((p) => p[1] > beforeHigh);
    onset = first?.[0];
    // memory per unit of time over the fit window, for the load check: fitted level at both ends
    stats.fit_start_level = fit.intercept;
    stats.fit_end_level = fit.intercept + fit.slope * span;
  }
  return { leaking, stats, onset, range: [seg[0][0], Math.min(now, seg[seg.length - 1][0])] };
}

/**
 * When did the request rate rise above its normal range, if it has? "Normal" is the pre-deploy
 * range (98th percentile) and at least 30% above the pre-deploy median; "has risen" means the
 * newest three samples' median is beyond it. The rise started after the last sample (smoothed
 * over three, so one lucky sample does not count) that was still normal.
 */
export function loadRise(load: Pick<LoadSeries, 'before' | 'after'>): { since: number; before: number; now: number } | undefined {
  const ref = load.before.filter(Number.isFinite);
  const after = load.after.filter((p) => Number.isFinite(p[1]));
  if (ref.length < 5 || after.length < 3) return undefined;
  const base = median(ref);
  if (!(base > 0)) return undefined;
  const normalHigh = Math.max(quantile(ref, 0.98), base * (1 + LOAD_RISE));
  const level = median(after.slice(-3).map((p) => p[1]));
  if (level <= normalHigh) return undefined;
  const smooth = after.map((p, i) => median(after.slice(Math.max(0, i - 1), i + 2).map((q) => q[1])));
  let i = smooth.length - 1;
  while (i > 0 && smooth[i - 1] > normalHigh) i--;
  // without a normal sample since the deploy the load was already up when it began
  return { since: i > 0 ? after[i - 1][0] : after[0][0], before: base, now: level };
}

function loadAdjusted(r: TrendResult, before: readonly number[], after: readonly Point[], limit: number | undefined, now: number, load: LoadSeries): TrendResult {
  const rise = loadRise(load);
  if (!rise) return r;
  const loadStats = { load_before: rise.before, load_now: rise.now, load_ratio: rise.now / rise.before, load_rose_at: rise.since };
  // Memory that grew by a larger factor than the traffic did holds more per request than before:
  // the load does not explain it.
  const memoryRatio = r.stats.current / r.stats.before_median;
  if (memoryRatio > rise.now / rise.before) return { ...r, stats: { ...r.stats, ...loadStats, memory_ratio: memoryRatio } };
  // Growth that showed at the old load is not explained by the new one.
  const atOldLoad = plainTrend(before, after.filter((p) => p[0] <= rise.since), limit, now);
  if (atOldLoad.leaking) return { ...r, stats: { ...r.stats, ...loadStats, leak_before_load_rise: 1 } };
  // Otherwise judge only the stretch after the new load had time to settle.
  const settledFrom = rise.since + load.warmupMs;
  const atNewLoad = plainTrend(before, after.filter((p) => p[0] > settledFrom), limit, now);
  let perRequestUp = false;
  if (atNewLoad.leaking) {
    // memory per request: the fitted memory rise over the fit window against the load's rise
    // over the same window (medians of its first and last thirds, so noise does not decide)
    const s = atNewLoad.stats;
    const win = load.after.filter((p) => p[0] >= s.fit_from && p[0] <= s.fit_to).map((p) => p[1]);
    const third = Math.max(1, Math.floor(win.length / 3));
    const l0 = median(win.slice(0, third));
    const l1 = median(win.slice(-third));
    const memRatio = s.fit_end_level / s.fit_start_level;
    const loadRatio = l0 > 0 && l1 > 0 ? l1 / l0 : 1;
    s.memory_ratio_fit = memRatio;
    s.load_ratio_fit = loadRatio;
    perRequestUp = memRatio > loadRatio;
  }
  if (atNewLoad.leaking && perRequestUp) return { ...atNewLoad, onset: r.onset ?? atNewLoad.onset, stats: { ...atNewLoad.stats, ...loadStats } };
  return {
    leaking: false,
    // the growth seen so far is the load's: say so (the analysis reports it as context)
    stats: { ...r.stats, ...loadStats, load_driven: 1, settled_from: settledFrom, settled_points: atNewLoad.stats.n_after ?? 0 },
    range: r.range,
  };
}

/** Least-squares slope of ys against their index (per sample). */
function olsSlope(ys: readonly number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  let my = 0;
  for (const y of ys) my += y;
  my /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (i - mx) * (ys[i] - my);
    den += (i - mx) * (i - mx);
  }
  return num / den;
}

/**
 * The steepest least-squares slope (per sample) over every window of `w` consecutive samples of
 * `xs`; -Infinity when the series is shorter than two windows (too little to say how it climbs).
 */
function steepestWindowSlope(xs: readonly number[], w: number): number {
  if (w < 3 || xs.length < 2 * w) return -Infinity;
  let best = -Infinity;
  for (let i = 0; i + w <= xs.length; i++) best = Math.max(best, olsSlope(xs.slice(i, i + w)));
  return best;
}
