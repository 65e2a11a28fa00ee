// Anomaly likelihood (Ahmad, Lavin, Purdy, Agha 2017, "Unsupervised real-time anomaly detection for
// streaming data", section 4): a raw anomaly score is noisy and its level differs per series, so what
// is judged is whether the raw score's short-term average is unusual for THIS series: the tail
// probability of that average under a normal fitted to the same average over a long history.
// A series that is always somewhat unpredictable (bursty traffic) thereby needs far more surprise
// than a clean one before it alarms, and one threshold can serve every series.
// Causal and exact: the history is a sliding window with running sums, no periodic re-estimation.
import { SlidingMoments } from './sliding-moments.js';

export interface LikelihoodOptions {
  /** points averaged into the short-term raw score (the paper's W'). Default 10. */
  shortWindow?: number;
  /** points of averaged score the normal is fitted to (the paper's W). Default 4000. */
  history?: number;
  /** averages needed before any judgement; tail is 1 (no evidence) until then. Default 150. */
  minHistory?: number;
  /** floor of the fitted standard deviation, so a series whose raw score never moved cannot make
   * a tiny wobble look like a 10-sigma event. Default 0.02. */
  minStd?: number;
}

/** Upper tail Q(z) = P(N(0,1) > z), accurate in relative terms far into the tail (erfc by the
 * Chebyshev fit of Numerical Recipes §6.2, relative error < 1.2e-7), which the log score needs. */
export function normalTail(z: number): number {
  const x = z / Math.SQRT2;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.5 * ax);
  const erfcAbs =
    t *
    Math.exp(
      -ax * ax -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return 0.5 * (x >= 0 ? erfcAbs : 2 - erfcAbs);
}

/**
 * Log-scaled likelihood in [0,1]: 0 for a tail of 1, 0.5 at 1e-5, close to 1 from 1e-10 on. The
 * mapping Numenta uses to report it, so a threshold s reads as "a tail of 10^(-10·s)".
 */
export function logScore(tail: number): number {
  return Math.min(1, Math.max(0, Math.log(1e-10 + tail) / Math.log(1e-10)));
}

/** Sliding-window anomaly likelihood of a raw score stream. */
export class AnomalyLikelihood {
  private readonly minHistory: number;
  private readonly minStd: number;
  private readonly recent: SlidingMoments;
  private readonly past: SlidingMoments;

  constructor(opts: LikelihoodOptions = {}) {
    this.minHistory = opts.minHistory ?? 150;
    this.minStd = opts.minStd ?? 0.02;
    this.recent = new SlidingMoments(opts.shortWindow ?? 10);
    this.past = new SlidingMoments(opts.history ?? 4000);
  }

  /**
   * Feed the next raw score; returns the upper tail probability of the current short-term average
   * against the history before it (1 while the history is too short). Only unusually HIGH averages
   * are anomalous: a series becoming more predictable is not news (its tail is 1).
   */
  update(raw: number): number {
    this.recent.push(raw);
    const avg = this.recent.mean();
    let tail = 1;
    if (this.past.seen >= this.minHistory) {
      const mean = this.past.mean();
      const std = Math.max(this.minStd, Math.sqrt(this.past.variance()));
      if (avg > mean) tail = normalTail((avg - mean) / std);
    }
    // the average joins the history after it was judged
    this.past.push(avg);
    return tail;
  }
}
