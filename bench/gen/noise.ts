// Measurement shapes for the second scenario set: what real telemetry does to a clean signal.
//  - heavy tails: AR(1) log-noise with Student-t innovations, plus Pareto spikes;
//  - a daily cycle with two harmonics (a morning ramp is steeper than a sine), phase chosen so the
//    deploy can land on its rising or falling part;
//  - counts: error rates are errors / requests per scrape, both Poisson, so a quiet service's error
//    rate is coarse (0, 1/n, 2/n …) and bursty;
//  - latency as Prometheus computes it: histogram_quantile(0.95) over fixed buckets, linear
//    interpolation inside the bucket (coarse, biased, flat between bucket edges);
//  - missing samples and scrape gaps that take out every metric of a target at once.
import type { Gen } from './rng.js';

const DAY = 86_400_000;

/** daily load multiplier at time t (≈1 on average) */
export function dailyCycle(amp: number, phase: number): (t: number) => number {
  return (t) => {
    const th = (2 * Math.PI * (t % DAY)) / DAY + phase;
    return Math.exp(amp * (Math.sin(th) + 0.45 * Math.sin(2 * th)));
  };
}

/** AR(1) noise with Student-t innovations and occasional Pareto spikes (multiplicative) */
export class LogNoise {
  private x = 0;
  constructor(
    private readonly g: Gen,
    private readonly sigma: number,
    private readonly phi: number,
    private readonly nu: number,
    private readonly spikeP: number,
    private readonly spikeAlpha: number,
  ) {
    this.x = (sigma * g.studentT(nu)) / Math.sqrt(1 - phi * phi);
  }
  next(): number {
    this.x = this.phi * this.x + this.sigma * this.g.studentT(this.nu);
    let m = Math.exp(this.x);
    if (this.g.u() < this.spikeP) m *= Math.min(12, this.g.pareto(this.spikeAlpha));
    return m;
  }
}

const BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];

function normCdf(z: number): number {
  // Abramowitz–Stegun 7.1.26 through erf
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/**
 * p95 as histogram_quantile reports it: `requests` lognormal latencies around `p95` (spread s),
 * counted per bucket with Poisson noise, then linearly interpolated inside the 95th-percentile bucket.
 */
export function histogramP95(g: Gen, p95: number, s: number, requests: number): number {
  const mu = Math.log(p95) - 1.645 * s;
  const counts: number[] = [];
  let prev = 0;
  for (const b of [...BUCKETS_MS, Infinity]) {
    const c = b === Infinity ? 1 : normCdf((Math.log(b) - mu) / s);
    counts.push(g.poisson(Math.max(0, (c - prev) * requests)));
    prev = c;
  }
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return NaN;
  const rank = 0.95 * total;
  let cum = 0;
  for (let i = 0; i < counts.length; i++) {
    if (cum + counts[i] >= rank) {
      if (i >= BUCKETS_MS.length) return BUCKETS_MS[BUCKETS_MS.length - 1];
      const lo = i === 0 ? 0 : BUCKETS_MS[i - 1];
      const hi = BUCKETS_MS[i];
      return Math.round((lo + ((hi - lo) * (rank - cum)) / Math.max(1, counts[i])) * 10) / 10;
    }
    cum += counts[i];
  }
  return BUCKETS_MS[BUCKETS_MS.length - 1];
}

/** which sample slots are missing: i.i.d. drops plus short whole-target scrape gaps */
export function missingMask(g: Gen, n: number, dropP: number, gaps: number, maxGap: number, avoidFrom = n): boolean[] {
  const miss = Array.from({ length: n }, () => g.u() < dropP);
  for (let i = 0; i < gaps; i++) {
    const len = g.int(1, Math.max(1, maxGap));
    const at = g.int(2, Math.max(2, Math.min(avoidFrom, n) - len - 2));
    for (let k = at; k < at + len && k < n; k++) miss[k] = true;
  }
  miss[0] = false;
  return miss;
}
