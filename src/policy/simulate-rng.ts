// Small seeded random helpers for the incident simulator (all draws come from core/random.ts so a
// seed gives the same scenario on every machine).
import { normal, seededRandom } from '../core/random.js';

export class Rng {
  private readonly u: () => number;
  constructor(seed: number) {
    this.u = seededRandom(seed);
  }
  next(): number {
    return this.u();
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.u();
  }
  /** log-uniform: effect sizes spread over orders of magnitude */
  logUniform(lo: number, hi: number): number {
    return Math.exp(this.uniform(Math.log(lo), Math.log(hi)));
  }
  int(lo: number, hi: number): number {
    return Math.floor(this.uniform(lo, hi + 1));
  }
  chance(p: number): boolean {
    return this.u() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.u() * xs.length) % xs.length];
  }
  normal(mean = 0, sd = 1): number {
    return mean + sd * normal(this.u);
  }
  /** Student-t-like heavy tail (df 3): occasional large deviations, as real latency has */
  heavy(sd = 1): number {
    const z = normal(this.u);
    let chi = 0;
    for (let i = 0; i < 3; i++) chi += normal(this.u) ** 2;
    return (sd * z) / Math.sqrt(Math.max(chi, 1e-6) / 3);
  }
  poisson(lambda: number): number {
    if (lambda > 30) return Math.max(0, Math.round(this.normal(lambda, Math.sqrt(lambda))));
    const l = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.u();
    } while (p > l);
    return k - 1;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(this.u() * 16).toString(16);
    return s;
  }
}
