// Small statistics the judge needs. Written here rather than taken from a package because the
// maintained JS stats libraries (simple-statistics, jstat) lack tie-corrected Mann-Whitney with a
// Hodges-Lehmann interval, Sen's slope interval, conformal p-values and mixture boundaries, and
// each of these is a few lines. Pure and deterministic (no randomness: subsampling is by stride).

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** Linear-interpolated quantile (type 7); NaN for an empty input. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return quantileSorted(s, q);
}

export function quantileSorted(s: ArrayLike<number>, q: number): number {
  const n = s.length;
  if (n === 0) return NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

/** Median absolute deviation scaled to a normal sigma (×1.4826). */
export function mad(xs: readonly number[], center = median(xs)): number {
  return 1.4826 * median(xs.map((x) => Math.abs(x - center)));
}

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length ? s / xs.length : NaN;
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf). */
export function normCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(z) / Math.SQRT2);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp((-z * z) / 2);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** Every k-th element so that at most `max` remain (deterministic subsample). */
export function thin<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return xs.slice();
  const out: T[] = [];
  const step = xs.length / max;
  for (let i = 0; i < max; i++) out.push(xs[Math.floor(i * step)]);
  return out;
}

export interface RankTest {
  /** Mann-Whitney U of `after` over `before` */
  u: number;
  /** tie-corrected normal z of U (positive: after tends to be larger) */
  z: number;
  /** P(after > before) + ½ P(tie): the common-language effect size */
  auc: number;
  /** Cliff's delta = 2·auc − 1 in [−1, 1] */
  cliffsDelta: number;
}

/** Mann-Whitney U test (normal approximation with tie correction). */
export function mannWhitney(before: readonly number[], after: readonly number[]): RankTest {
  const n1 = before.length;
  const n2 = after.length;
  if (n1 === 0 || n2 === 0) return { u: 0, z: 0, auc: 0.5, cliffsDelta: 0 };
  const all: Array<[number, number]> = [];
  for (const v of before) all.push([v, 0]);
  for (const v of after) all.push([v, 1]);
  all.sort((a, b) => a[0] - b[0]);
  const N = all.length;
  let rankSumAfter = 0;
  let tieTerm = 0;
  for (let i = 0; i < N; ) {
    let j = i;
    while (j + 1 < N && all[j + 1][0] === all[i][0]) j++;
    const r = (i + j + 2) / 2;
    const t = j - i + 1;
    if (t > 1) tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k][1] === 1) rankSumAfter += r;
    i = j + 1;
  }
  const u = rankSumAfter - (n2 * (n2 + 1)) / 2;
  const mu = (n1 * n2) / 2;
  const varU = ((n1 * n2) / 12) * (N + 1 - tieTerm / (N * (N - 1)));
  const z = varU > 0 ? (u - mu) / Math.sqrt(varU) : 0;
  const auc = u / (n1 * n2);
  return { u, z, auc, cliffsDelta: 2 * auc - 1 };
}

export interface ShiftEstimate {
  shift: number;
  lo: number;
  hi: number;
}

/**
 * Hodges–Lehmann shift (median of after−before pairwise differences) with the distribution-free
 * confidence interval from the order statistics of those differences (Lehmann 1963). Inputs are
 * thinned to ≤150 each so the cost stays bounded for long windows.
 */
export function hodgesLehmann(before: readonly number[], after: readonly number[], conf = 0.95, maxEach = 150): ShiftEstimate {
  const a = thin(before, maxEach);
  const b = thin(after, maxEach);
  if (a.length === 0 || b.length === 0) return { shift: NaN, lo: NaN, hi: NaN };
  const d = new Float64Array(a.length * b.length);
  let k = 0;
  for (const y of b) for (const x of a) d[k++] = y - x;
  d.sort();
  const n1 = a.length;
  const n2 = b.length;
  const zq = zQuantile(1 - (1 - conf) / 2);
  const c = Math.floor((n1 * n2) / 2 - zq * Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12));
  const lo = d[Math.max(0, Math.min(d.length - 1, c))];
  const hi = d[Math.max(0, Math.min(d.length - 1, d.length - 1 - c))];
  return { shift: quantileSorted(d, 0.5), lo, hi };
}

/** Inverse normal CDF (Acklam's rational approximation; |error| < 1.2e-9). */
export function zQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - pl) return -zQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * Always-valid threshold for a standardized statistic looked at after every new sample: the
 * normal-mixture boundary (Robbins 1970; Howard et al. 2021). Crossing it at ANY look has
 * probability ≤ alpha under no change, so checking every tick does not inflate false alarms.
 * `n` is the number of samples behind the statistic, `rho` the mixture's prior scale in samples.
 */
export function mixtureBoundaryZ(n: number, alpha: number, rho = 2): number {
  const m = Math.max(1, n);
  return Math.sqrt((1 + rho / m) * (Math.log(1 + m / rho) + 2 * Math.log(1 / alpha)));
}

/** Conformal p-value of `x` being this high (or low) against exchangeable reference values. */
export function conformalP(reference: readonly number[], x: number, upper: boolean): number {
  let k = 0;
  for (const r of reference) if (upper ? r >= x : r <= x) k++;
  return (k + 1) / (reference.length + 1);
}

/**
 * Run test on the newest points: the smallest p over trailing runs of length 2..maxRun, where a
 * run of k points whose conformal p-values are all ≤ a has probability ≈ a^k under no change.
 * Multiplied by maxRun for the choice of k. Returns the best p and the run length that gave it.
 */
export function trailingRunP(reference: readonly number[], recent: readonly number[], upper: boolean, maxRun = 6): { p: number; run: number } {
  let best = { p: 1, run: 0 };
  let worst = 0;
  const kmax = Math.min(maxRun, recent.length);
  for (let k = 1; k <= kmax; k++) {
    const x = recent[recent.length - k];
    worst = Math.max(worst, conformalP(reference, x, upper));
    if (k < 2) continue;
    const p = Math.min(1, Math.pow(worst, k) * (maxRun - 1));
    if (p < best.p) best = { p, run: k };
  }
  return best;
}

/** ln Γ(x) (Lanczos), for the binomial tail. */
function lnGamma(x: number): number {
  const g = [676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406, 12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = 0.9999999999998099;
  const t = x + 7.5;
  for (let i = 0; i < 8; i++) a += g[i] / (x + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(X ≥ k) for X ~ Binomial(n, p): exact sum by term recurrence (one lnΓ), normal beyond 20k. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  if (n > 20000) {
    const mu = n * p;
    const sd = Math.sqrt(n * p * (1 - p));
    return 1 - normCdf((k - 0.5 - mu) / sd);
  }
  let term = Math.exp(lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log(1 - p));
  let s = term;
  const r = p / (1 - p);
  for (let i = k; i < n; i++) {
    term *= ((n - i) / (i + 1)) * r;
    s += term;
    if (term < s * 1e-15) break;
  }
  return Math.min(1, s);
}

/**
 * Count-aware rate comparison (conditional binomial test for two Poisson rates): given `kAfter`
 * events over exposure `eAfter` and `kBefore` over `eBefore`, the p-value that the after rate is
 * no higher. Works with a zero baseline, where ratio tests break down.
 */
export function poissonRateIncreaseP(kAfter: number, eAfter: number, kBefore: number, eBefore: number): number {
  const n = Math.round(kAfter + kBefore);
  if (n === 0 || eAfter <= 0) return 1;
  const p = eAfter / (eAfter + Math.max(eBefore, 1e-9));
  return binomialUpperTail(Math.round(kAfter), n, p);
}

export interface SlopeEstimate {
  slope: number;
  lo: number;
  hi: number;
  intercept: number;
}

/**
 * Theil–Sen slope with Sen's (1968) distribution-free interval from Kendall's S variance.
 * Points are thinned to ≤120 so the O(n²) pair set stays small. x in any unit (we use minutes).
 */
export function theilSen(xs: readonly number[], ys: readonly number[], conf = 0.95): SlopeEstimate {
  const idx = thin(
    xs.map((_, i) => i),
    120,
  );
  const slopes: number[] = [];
  for (let a = 0; a < idx.length; a++)
    for (let b = a + 1; b < idx.length; b++) {
      const dx = xs[idx[b]] - xs[idx[a]];
      if (dx !== 0) slopes.push((ys[idx[b]] - ys[idx[a]]) / dx);
    }
  if (slopes.length === 0) return { slope: NaN, lo: NaN, hi: NaN, intercept: NaN };
  const s = Float64Array.from(slopes).sort();
  const n = idx.length;
  const slope = quantileSorted(s, 0.5);
  const zq = zQuantile(1 - (1 - conf) / 2);
  const c = zq * Math.sqrt((n * (n - 1) * (2 * n + 5)) / 18);
  const N = s.length;
  const m1 = Math.max(0, Math.min(N - 1, Math.floor((N - c) / 2)));
  const m2 = Math.max(0, Math.min(N - 1, Math.ceil((N + c) / 2)));
  const intercept = median(ys.map((y, i) => y - slope * xs[i]));
  return { slope, lo: s[m1], hi: s[m2], intercept };
}
