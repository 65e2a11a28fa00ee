// Causal streaming anomaly detector for one metric series. Pure and deterministic: the score of a
// point depends only on the points before it and itself, so scoring a prefix gives the same scores.
//
// Three published ideas, one configuration for every series (no per-series or per-category tuning):
// 1. Raw score: the largest excursion (excursion.ts) among five causal views of the series, each
//    judged against its own last `history` values: the value (spikes, dips, new levels), its mean over
//    the last 12 points (a sustained shift single noisy points hide), the step from the previous point
//    (a jump that stays inside the usual range), the distance from the same time of day in the last
//    three days (a daily rhythm broken: seasonality.ts), and how long the value has not changed (a
//    stuck sensor or a dead exporter). Most points are inside all five ranges and score 0.
// 2. Anomaly likelihood (anomaly-likelihood.ts, Numenta's HTM detector): the raw score's short-term
//    average is judged against its own history in this series, so a series that leaves its range all
//    the time (bursty traffic, tweet counts) needs far bigger excursions to alarm than a quiet one,
//    and one threshold serves every series. Log-scaled: 0.5 is a tail probability of 1e-5.
// 3. Rest period and repeat damping (CAD OSE's rest period): after a strong alarm the same episode's
//    later points are not news, and a score no higher than one of the last 100 points is damped.
import { AnomalyLikelihood, logScore } from './anomaly-likelihood.js';
import { Excursion } from './excursion.js';
import { CycleMemory, DAY_MS } from './seasonality.js';
import { SlidingMoments } from './sliding-moments.js';
import { SlidingRange } from './sliding-range.js';

export interface DetectorOptions {
  /** values each view is judged against (points). Default 1000. */
  history?: number;
}

/**
 * The one configuration. Chosen on the NAB development categories and checked by leaving each
 * category out and on a differently generated set (bench/nab.ts); the scores sit on a plateau around
 * these values (e.g. likelihood floor 0.03..0.05, rest 150..300 give the same figures within ±1).
 */
const K = {
  /** points in the short mean */
  meanWindow: 12,
  /** a run of unchanged values is judged against runs of at least this many points */
  runFloor: 10,
  /** cycles of the daily reference (median of the same time in the last 3 days) */
  cycles: 3,
  /** gaps that fix the sampling step (the smallest of them) before the daily view starts */
  stepSamples: 20,
  likelihood: { shortWindow: 3, history: 4000, minHistory: 150, minStd: 0.04 },
  /** after a score of `restBar` or more, the next `rest` points score 0 */
  rest: 150,
  restBar: 0.5,
  /** a score not above the highest of the last `horizon` scores is multiplied by `damp` */
  horizon: 100,
  damp: 0.3,
};

export class StreamingDetector {
  private readonly value: Excursion;
  private readonly mean: Excursion;
  private readonly step: Excursion;
  private readonly daily: Excursion;
  private readonly stuck: Excursion;
  private cycle: CycleMemory | null = null;
  private readonly likelihood = new AnomalyLikelihood(K.likelihood);
  private readonly recent = new SlidingMoments(K.meanWindow);
  private prev = Number.NaN;
  private run = 0;
  private prevT = Number.NaN;
  private stepMs = Infinity;
  private gaps = 0;
  private n = 0;
  /** the last point whose score reached the rest bar */
  private lastStrong = -Infinity;
  private readonly outs = new SlidingRange(K.horizon);

  constructor(opts: DetectorOptions = {}) {
    const h = opts.history ?? 1000;
    this.value = new Excursion(h, true);
    this.mean = new Excursion(h, true);
    this.step = new Excursion(h, false);
    this.daily = new Excursion(h, false);
    this.stuck = new Excursion(h, false, K.runFloor);
  }

  /** Score the next point (timestamp in ms, value). Returns the anomaly score in [0,1]. */
  update(t: number, x: number): number {
    if (!Number.isFinite(x)) return 0; // missing data is not an anomaly, and is not remembered
    this.learnStep(t);
    let raw = this.value.update(x);

    this.recent.push(x);
    if (this.recent.seen >= K.meanWindow) raw = Math.max(raw, this.mean.update(this.recent.mean()));

    if (!Number.isNaN(this.prev)) {
      raw = Math.max(raw, this.step.update(Math.abs(x - this.prev)));
      // while a run of unchanged values is longer than any in the history it is a small excursion
      // at every point, which the likelihood turns into an alarm once it lasts (a stuck sensor, a
      // counter that stopped, a silence in a count that never stays at 0 this long)
      this.run = x === this.prev ? this.run + 1 : 0;
      raw = Math.max(raw, this.stuck.update(this.run));
    }
    this.prev = x;

    if (this.cycle) {
      const ref = this.cycle.reference(t);
      if (!Number.isNaN(ref)) raw = Math.max(raw, this.daily.update(Math.abs(x - ref)));
      this.cycle.push(t, x);
    }

    const score = logScore(this.likelihood.update(Math.min(1, raw)));
    return this.suppress(score);
  }

  /** The sampling step is the smallest of the first gaps (irregular series have gaps, not shorter
   * steps); it sizes the daily view's time-of-day slots. */
  private learnStep(t: number): void {
    if (this.gaps < K.stepSamples && Number.isFinite(this.prevT) && t > this.prevT) {
      this.stepMs = Math.min(this.stepMs, t - this.prevT);
      if (++this.gaps === K.stepSamples) {
        const c = new CycleMemory(DAY_MS, this.stepMs, K.cycles);
        if (c.trackable) this.cycle = c;
      }
    }
    this.prevT = t;
  }

  private suppress(score: number): number {
    const i = this.n++;
    let out = i - this.lastStrong <= K.rest ? 0 : score;
    if (score >= K.restBar) this.lastStrong = i;
    if (this.outs.size > 0 && out <= this.outs.max()) out *= K.damp;
    this.outs.push(out);
    return out;
  }
}

/** Score a whole series (convenience for tests and batch callers; still causal). */
export function scoreSeries(points: readonly { t: number; v: number }[], opts?: DetectorOptions): number[] {
  const d = new StreamingDetector(opts);
  return points.map((p) => d.update(p.t, p.v));
}
