// Causal streaming anomaly detector for one metric series. Pure and deterministic: the score of a
// point depends only on the points before it and itself, so scoring a prefix gives the same scores.
//
// Idea (rank-based "surprise" at several horizons, then a likelihood-style calibration):
// - No distribution is assumed: each feature's tail probability is its rank among the same
//   feature's recent history (SortedWindow). Ranks are scale-free, so one threshold means the same
//   on CPU %, bytes and request counts, and robust to the spikes that wreck mean/stddev detectors.
// - Features, each catching a kind of anomaly:
//     value         – level outside what was seen recently (spikes, dips, new levels)
//     short mean    – a sustained shift that single noisy points hide
//     step          – a jump between consecutive points that stays inside the usual range
//     seasonal diff – the value differs from the same time one day earlier (daily rhythm broken)
// - Surprise = −log(tail) / log(history+1) ∈ [0,1]: 1 means "more extreme than everything in the
//   history window". The first points have little history and cannot reach high scores, which is
//   the honest answer early on.
// - Magnitude: beyond-the-range values are ranked by how far beyond (relative to the range), so two
//   "new maximum" points are not tied.
// - Suppression: after a high score, repeats of the same excursion within a short horizon score
//   lower unless they are more surprising (an alert already raised is not news; NAB-like
//   evaluations and on-call people both punish repeats).
import { SortedWindow } from './detector-window.js';

export interface DetectorOptions {
  /** history length of the value / feature windows (points). Default 1000. */
  history?: number;
}

const DAY_MS = 86_400_000;
/**
 * Fixed weights (one configuration for every series):
 * - base: share of the score given by rank surprise; the rest (1-base) grows with how far beyond the
 *   seen range a value lies, so "just a new max" (noise) ranks below "far outside" (incident);
 * - horizon/damp: a score not above the highest of the last `horizon` points is halved (repeats);
 * - step/season: weight of the change features relative to the level features (they fire on the
 *   same events one point later, so they count a little less).
 */
const K = { base: 0.7, pow: 1, horizon: 100, damp: 0.5, mean: 1, step: 0.9, season: 0.9 };

/** One feature: its recent values and the surprise of a new one. */
class Feature {
  readonly win: SortedWindow;
  constructor(capacity: number) {
    this.win = new SortedWindow(capacity);
  }
  /** surprise of x in [0,1] against the history, then x joins the history. */
  surprise(x: number, twoSided: boolean, norm: number): number {
    const w = this.win;
    let s = 0;
    if (w.size >= 8) {
      const tail = twoSided ? w.twoSidedTail(x) : w.upperTail(x);
      s = (-Math.log(tail) / norm) * K.base;
      // beyond everything seen: add how far beyond, relative to the spread seen
      const lo = w.min();
      const hi = w.max();
      const span = hi - lo;
      if (x > hi || (twoSided && x < lo)) {
        const excess = x > hi ? x - hi : lo - x;
        const rel = span > 0 ? excess / span : excess !== 0 ? 1 : 0;
        s += (1 - K.base) * Math.min(1, Math.pow(rel, K.pow));
      }
    }
    w.push(x);
    return s;
  }
}

export class StreamingDetector {
  private readonly history: number;
  private readonly norm: number;
  private readonly value: Feature;
  private readonly mean: Feature;
  private readonly step: Feature;
  private readonly seasonal: Feature;
  private readonly recent: number[] = [];
  private prev = Number.NaN;
  private prevT = Number.NaN;
  private stepMs = Number.NaN;
  /** values one day back, by position (filled once the sampling step is known) */
  private ring: Float64Array | null = null;
  private ringT: Float64Array | null = null;
  private stepSamples = 0;
  private seen = 0;
  private recentScores: number[] = [];

  constructor(opts: DetectorOptions = {}) {
    this.history = opts.history ?? 1000;
    this.norm = Math.log(this.history + 1);
    this.value = new Feature(this.history);
    this.mean = new Feature(this.history);
    this.step = new Feature(this.history);
    this.seasonal = new Feature(this.history);
  }

  /** Score the next point (timestamp in ms, value). Returns the anomaly score in [0,1]. */
  update(timestampMs: number, x: number): number {
    if (!Number.isFinite(x)) return 0; // missing data is not an anomaly
    // sampling step: the smallest gap among the first points (irregular series have gaps, not
    // shorter steps); it sizes the time-of-day slots of the seasonal feature
    if (Number.isFinite(this.prevT) && timestampMs > this.prevT && this.stepSamples < 20) {
      const gap = timestampMs - this.prevT;
      if (!(gap >= this.stepMs)) this.stepMs = gap;
      if (++this.stepSamples === 20) {
        const slots = Math.round(DAY_MS / this.stepMs);
        if (slots >= 4 && slots <= this.history) {
          this.ring = new Float64Array(slots).fill(Number.NaN);
          this.ringT = new Float64Array(slots).fill(Number.NaN);
        }
      }
    }
    this.prevT = timestampMs;
    this.seen++;

    const sValue = this.value.surprise(x, true, this.norm);

    this.recent.push(x);
    if (this.recent.length > 6) this.recent.shift();
    let m = 0;
    for (const v of this.recent) m += v;
    m /= this.recent.length;
    const sMean = this.recent.length === 6 ? this.mean.surprise(m, true, this.norm) : 0;

    const sStep = Number.isNaN(this.prev) ? 0 : this.step.surprise(Math.abs(x - this.prev), false, this.norm);
    this.prev = x;

    let sSeason = 0;
    if (this.ring && this.ringT) {
      // the value at the same time of day, if it was seen about one day ago (gaps leave holes)
      const slot = Math.floor((((timestampMs % DAY_MS) + DAY_MS) % DAY_MS) / this.stepMs) % this.ring.length;
      const age = timestampMs - this.ringT[slot];
      if (age > 0.5 * DAY_MS && age < 1.5 * DAY_MS) sSeason = this.seasonal.surprise(Math.abs(x - this.ring[slot]), false, this.norm);
      this.ring[slot] = x;
      this.ringT[slot] = timestampMs;
    }

    const raw = Math.max(sValue, K.mean * sMean, K.step * sStep, K.season * sSeason);
    return this.finish(Math.min(1, raw));
  }

  /** Suppress repeats: a score no higher than one given in the last `horizon` points is damped. */
  private finish(raw: number): number {
    const horizon = K.horizon;
    let maxRecent = 0;
    for (const s of this.recentScores) if (s > maxRecent) maxRecent = s;
    const out = raw > maxRecent ? raw : raw * K.damp;
    this.recentScores.push(out);
    if (this.recentScores.length > horizon) this.recentScores.shift();
    return Math.max(0, Math.min(1, out));
  }
}

/** Score a whole series (convenience for tests and batch callers; still causal). */
export function scoreSeries(points: { t: number; v: number }[], opts?: DetectorOptions): number[] {
  const d = new StreamingDetector(opts);
  return points.map((p) => d.update(p.t, p.v));
}
