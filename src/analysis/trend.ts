// Resource trends: is memory (or any bounded resource) climbing past where it ever was before the
// deploy, and when does it hit its limit? Theil–Sen slope (robust to the sawtooth of GC and to a
// few outliers) with Sen's interval, turned into a time-to-limit range.
//
// The "memory refills after pods restart" trap is handled by the level gate: refilling climbs
// back to the old level and stops; a leak goes past the pre-deploy range and keeps going.
import type { Point } from '../core/types.js';
import { mad, median, quantile, theilSen } from './stats.js';

export interface TrendResult {
  leaking: boolean;
  stats: Record<string, number>;
  onset?: number;
  range?: [number, number];
}

export function resourceTrend(before: readonly number[], after: readonly Point[], limit: number | undefined, now: number): TrendResult {
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
  const growing = fit.lo > 0 && fit.slope * span >= 0.02 * Math.abs(median(before));
  stats.above_range = aboveRange ? 1 : 0;
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
  }
  return { leaking, stats, onset, range: [seg[0][0], Math.min(now, seg[seg.length - 1][0])] };
}
