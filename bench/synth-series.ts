// A second, differently generated detection set: labelled series unlike the NAB dev files (daily
// and weekly cycles, trends, level shifts, spikes and dips, variance changes, counters that reset,
// quantised counts, traffic-like and tweet-count-like bursty series with heavy tails, flat-lines,
// missing steps), with NAB-style windows (windowsFor). Deterministic given the seed. The labelled
// point is the onset of each anomaly, as NAB's labellers marked them.
//   npx tsx bench/synth-series.ts --write DIR [--seed N]   writes it in the NAB layout
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normal, seededRandom } from '../src/core/random.js';
import { probation, windowsFor, type LabelledSeries } from './nab-score.js';

type Rand = () => number;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

interface Draft {
  kind: string;
  stepMs: number;
  n: number;
  /** value of row i at time t (ms); NaN = missing value */
  values: Float64Array;
  times: Float64Array;
  anomalies: number[];
}

const pick = <T>(r: Rand, xs: T[]): T => xs[Math.floor(r() * xs.length)];
const uniform = (r: Rand, a: number, b: number): number => a + (b - a) * r();
const intIn = (r: Rand, a: number, b: number): number => Math.floor(uniform(r, a, b + 1));

/** Poisson draw (Knuth for small means, normal approximation above 50). */
function poisson(r: Rand, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 50) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(r)));
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > l);
  return k - 1;
}

/** Regular grid; with `gaps`, some steps are skipped (a sampler that missed them). */
function grid(r: Rand, n: number, stepMs: number, gaps: number): Float64Array {
  const t = new Float64Array(n);
  let now = Date.UTC(2025, intIn(r, 0, 11), intIn(r, 1, 28), intIn(r, 0, 23), 0, 0);
  for (let i = 0; i < n; i++) {
    t[i] = now;
    now += stepMs * (r() < gaps ? 1 + intIn(r, 1, 12) : 1);
  }
  return t;
}

/** Onset rows for k anomalies, after the probationary period and apart from each other. */
function onsets(r: Rand, n: number, k: number): number[] {
  const lo = Math.max(probation(n) + Math.floor(0.06 * n), Math.floor(0.2 * n));
  const hi = Math.floor(0.93 * n);
  const out: number[] = [];
  for (let tries = 0; out.length < k && tries < 1000; tries++) {
    const a = intIn(r, lo, hi);
    if (out.every((b) => Math.abs(a - b) > 0.12 * n)) out.push(a);
  }
  return out.sort((a, b) => a - b);
}

const hourOf = (t: number): number => (t % DAY) / HOUR;
const dayOfWeek = (t: number): number => new Date(t).getUTCDay();
const weekend = (t: number): boolean => dayOfWeek(t) === 0 || dayOfWeek(t) === 6;
/** business-hours bump: 0 at night, 1 mid-afternoon */
const busy = (t: number): number => Math.max(0, Math.sin(((hourOf(t) - 6) / 16) * Math.PI));

/** Daily and weekly load with multiplicative heavy-ish noise; anomalies: holiday, spike, dip, outage-low. */
function seasonal(r: Rand): Draft {
  const stepMs = pick(r, [5 * MIN, 10 * MIN, 30 * MIN]);
  const n = Math.min(intIn(r, 3000, 9000), Math.floor((42 * DAY) / stepMs));
  const times = grid(r, n, stepMs, r() < 0.3 ? 0.01 : 0);
  const base = uniform(r, 50, 5000);
  const amp = uniform(r, 0.5, 3);
  const wkd = uniform(r, 0.2, 0.7);
  const noise = uniform(r, 0.03, 0.15);
  const an = onsets(r, n, intIn(r, 1, 3));
  const kinds = an.map(() => pick(r, ['holiday', 'spike', 'dip', 'low', 'evening']));
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = times[i];
    let shape = 1 + amp * busy(t) * (weekend(t) ? wkd : 1);
    for (let k = 0; k < an.length; k++) {
      const d = i - an[k];
      const steps = (x: number): number => Math.round(x / stepMs);
      if (kinds[k] === 'holiday' && d >= 0 && d < steps(DAY)) shape = 1 + amp * busy(t) * wkd * 0.5;
      if (kinds[k] === 'spike' && d >= 0 && d < 3) shape *= 2.5 + r();
      if (kinds[k] === 'dip' && d >= 0 && d < steps(2 * HOUR)) shape *= 0.3;
      if (kinds[k] === 'low' && d >= 0 && d < steps(8 * HOUR)) shape *= 0.6;
      if (kinds[k] === 'evening' && d >= 0 && d < steps(4 * HOUR)) shape += amp * 0.8;
    }
    values[i] = base * shape * Math.exp(noise * normal(r));
  }
  return { kind: 'seasonal', stepMs, n, values, times, anomalies: an };
}

/** Trend with AR(1) noise; anomalies: a persistent level shift or a change of slope. */
function trendShift(r: Rand): Draft {
  const stepMs = pick(r, [MIN, 5 * MIN, HOUR]);
  const n = intIn(r, 2000, 6000);
  const times = grid(r, n, stepMs, 0);
  const sd = uniform(r, 0.5, 3);
  const slope = uniform(r, -0.002, 0.004) * sd;
  const an = onsets(r, n, intIn(r, 1, 2));
  const kinds = an.map(() => pick(r, ['up', 'down', 'slope']));
  const values = new Float64Array(n);
  let e = 0;
  let level = uniform(r, 20, 200);
  for (let i = 0; i < n; i++) {
    e = 0.7 * e + sd * normal(r);
    level += slope;
    let v = level + e;
    for (let k = 0; k < an.length; k++) {
      const d = i - an[k];
      if (d < 0) continue;
      if (kinds[k] === 'up') v += 6 * sd;
      if (kinds[k] === 'down') v -= 6 * sd;
      if (kinds[k] === 'slope') v += d * 0.05 * sd;
    }
    values[i] = v;
  }
  return { kind: 'trend-shift', stepMs, n, values, times, anomalies: an };
}

/** Stationary noise whose variance rises for a while, plus an occasional single outlier. */
function variance(r: Rand): Draft {
  const stepMs = pick(r, [MIN, 5 * MIN]);
  const n = intIn(r, 2500, 7000);
  const times = grid(r, n, stepMs, 0.02);
  const an = onsets(r, n, 2);
  const len = intIn(r, 50, 300);
  const values = new Float64Array(n);
  const mean = uniform(r, 10, 90);
  const sd = uniform(r, 1, 5);
  for (let i = 0; i < n; i++) {
    let v = mean + sd * normal(r);
    if (i >= an[0] && i < an[0] + len) v = mean + 4 * sd * normal(r);
    if (an[1] !== undefined && i === an[1]) v = mean + (r() < 0.5 ? -1 : 1) * 9 * sd;
    values[i] = v;
  }
  return { kind: 'variance', stepMs, n, values, times, anomalies: an };
}

/** A cumulative counter (bytes, requests) that resets on restarts; anomaly: the rate jumps or stops. */
function counter(r: Rand): Draft {
  const stepMs = pick(r, [MIN, 5 * MIN]);
  const n = intIn(r, 3000, 8000);
  const times = grid(r, n, stepMs, 0);
  const an = onsets(r, n, 1);
  const kind = pick(r, ['faster', 'stalled']);
  const rate = uniform(r, 10, 1000);
  const resetEvery = intIn(r, 200, 600);
  const values = new Float64Array(n);
  let c = 0;
  for (let i = 0; i < n; i++) {
    if (i > 0 && i % resetEvery === 0) c = 0;
    let rt = rate * (1 + 0.5 * busy(times[i])) * Math.exp(0.2 * normal(r));
    if (i >= an[0] && i < an[0] + 150) rt = kind === 'faster' ? rt * 6 : 0;
    c += rt;
    values[i] = Math.round(c);
  }
  return { kind: 'counter', stepMs, n, values, times, anomalies: an };
}

/** Small integer counts (errors per minute, queue depth); anomaly: a burst or a long silence. */
function quantised(r: Rand): Draft {
  const stepMs = pick(r, [MIN, 5 * MIN]);
  const n = intIn(r, 3000, 9000);
  const times = grid(r, n, stepMs, 0.01);
  const lambda = uniform(r, 0.3, 4);
  const an = onsets(r, n, intIn(r, 1, 2));
  const kinds = an.map(() => pick(r, ['burst', 'burst', 'silence']));
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = lambda * (0.4 + 1.2 * busy(times[i]));
    for (let k = 0; k < an.length; k++) {
      const d = i - an[k];
      if (kinds[k] === 'burst' && d >= 0 && d < 30) m = lambda * 8 + 6;
      if (kinds[k] === 'silence' && d >= 0 && d < 300) m = lambda * 0.02;
    }
    values[i] = poisson(r, m);
  }
  return { kind: 'quantised', stepMs, n, values, times, anomalies: an };
}

/** Tweet-count-like: a daily cycle with heavy-tailed bursts as normal life; anomaly: a burst far
 * above the usual ones that lasts hours. */
function bursty(r: Rand): Draft {
  const stepMs = 5 * MIN;
  const n = intIn(r, 6000, 16000);
  const times = grid(r, n, stepMs, 0.002);
  const base = uniform(r, 5, 120);
  const an = onsets(r, n, intIn(r, 1, 3));
  const values = new Float64Array(n);
  let burst = 0;
  for (let i = 0; i < n; i++) {
    burst *= 0.85;
    if (r() < 0.01) burst += base * Math.min(20, Math.pow(r(), -1 / 1.6) - 1); // Pareto-sized bursts
    let m = base * (0.3 + busy(times[i])) + burst;
    for (const a of an) {
      const d = i - a;
      if (d >= 0 && d < 60) m += base * 25 * Math.exp(-d / 25);
    }
    values[i] = poisson(r, m * Math.exp(0.25 * normal(r)));
  }
  return { kind: 'bursty', stepMs, n, values, times, anomalies: an };
}

/** Road-speed-like: free flow with weekday rush-hour slow-downs, irregular sampling; anomalies: a
 * slow-down at an unusual hour (accident) or a stuck sensor. */
function traffic(r: Rand): Draft {
  const stepMs = 5 * MIN;
  const n = intIn(r, 1800, 3000);
  const times = grid(r, n, stepMs, 0.15);
  const free = uniform(r, 55, 75);
  const an = onsets(r, n, intIn(r, 1, 2));
  const kinds = an.map(() => pick(r, ['accident', 'accident', 'stuck']));
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = times[i];
    const h = hourOf(t);
    const rush = weekend(t) ? 0 : Math.exp(-(((h - 8) / 1.2) ** 2)) + Math.exp(-(((h - 17.5) / 1.5) ** 2));
    let v = free * (1 - 0.55 * rush) + 3 * normal(r);
    for (let k = 0; k < an.length; k++) {
      const d = i - an[k];
      if (kinds[k] === 'accident' && d >= 0 && d < 24) v = free * 0.3 + 2 * normal(r);
      if (kinds[k] === 'stuck' && d >= 0 && d < 200) v = values[an[k] - 1];
    }
    values[i] = Math.max(0, Math.round(v));
  }
  return { kind: 'traffic', stepMs, n, values, times, anomalies: an };
}

/** A sensor that goes flat (stuck), or a flat series that steps to another level. */
function flatline(r: Rand): Draft {
  const stepMs = pick(r, [MIN, 5 * MIN, 15 * MIN]);
  const n = intIn(r, 2000, 5000);
  const times = grid(r, n, stepMs, 0);
  const an = onsets(r, n, 1);
  const values = new Float64Array(n);
  const stuck = r() < 0.5;
  const level = uniform(r, 1, 100);
  for (let i = 0; i < n; i++) {
    if (stuck) values[i] = i >= an[0] ? values[an[0] - 1] : level + 0.05 * level * Math.sin((2 * Math.PI * times[i]) / DAY) + 0.02 * level * normal(r);
    else values[i] = i >= an[0] && i < an[0] + 400 ? level * 1.3 : level;
  }
  return { kind: 'flatline', stepMs, n, values, times, anomalies: an };
}

/** Machine-temperature-like: slow wander; anomaly: a drift then a drop (failure). Some values missing. */
function temperature(r: Rand): Draft {
  const stepMs = 5 * MIN;
  const n = intIn(r, 4000, 12000);
  const times = grid(r, n, stepMs, 0.01);
  const an = onsets(r, n, intIn(r, 1, 2));
  const values = new Float64Array(n);
  let w = 0;
  for (let i = 0; i < n; i++) {
    w = 0.995 * w + 0.15 * normal(r);
    let v = 80 + w + 1.5 * Math.sin((2 * Math.PI * times[i]) / DAY) + 0.3 * normal(r);
    for (const a of an) {
      const d = i - a;
      if (d >= 0 && d < 100) v -= 0.3 * d;
      else if (d >= 100 && d < 160) v -= 30;
    }
    values[i] = r() < 0.003 ? Number.NaN : v;
  }
  return { kind: 'temperature', stepMs, n, values, times, anomalies: an };
}

/** No anomaly at all: every detection is a false positive. */
function quiet(r: Rand): Draft {
  const d = pick(r, [seasonal, bursty, variance, traffic, quantised, counter])(r);
  // regenerate without anomalies by cutting the series before its first onset and stretching
  // nothing: simpler to keep only the part before the first anomaly when it is long enough
  const cut = d.anomalies[0] ?? d.n;
  return { ...d, kind: 'quiet', n: cut, values: d.values.slice(0, cut), times: d.times.slice(0, cut), anomalies: [] };
}

const MAKERS = [seasonal, seasonal, trendShift, variance, counter, quantised, bursty, bursty, traffic, flatline, temperature, quiet, quiet];

export function generateSynthSet(seed = 20260511, count = 39): LabelledSeries[] {
  const r = seededRandom(seed);
  const out: LabelledSeries[] = [];
  for (let k = 0; k < count; k++) {
    const d = MAKERS[k % MAKERS.length](r);
    out.push({
      name: `${d.kind}/synth_${String(k).padStart(2, '0')}.csv`,
      category: d.kind,
      times: d.times,
      values: d.values,
      windows: windowsFor(d.n, d.anomalies),
    });
  }
  return out;
}

/** One long series for speed figures: a minute-by-minute daily load with noise and bursts. */
export function longSeries(n: number, seed = 7): { times: Float64Array; values: Float64Array } {
  const r = seededRandom(seed);
  const times = new Float64Array(n);
  const values = new Float64Array(n);
  const start = Date.UTC(2025, 0, 1);
  let burst = 0;
  for (let i = 0; i < n; i++) {
    const t = start + i * MIN;
    burst = 0.9 * burst + (r() < 0.002 ? 50 * r() : 0);
    times[i] = t;
    values[i] = 100 * (1 + busy(t)) * Math.exp(0.1 * normal(r)) + burst;
  }
  return { times, values };
}

function writeSet(dir: string, files: LabelledSeries[]): void {
  const fmt = (t: number): string => new Date(t).toISOString().replace('T', ' ').slice(0, 19);
  const windows: Record<string, [string, string][]> = {};
  for (const f of files) {
    mkdirSync(join(dir, f.category), { recursive: true });
    const lines = ['timestamp,value'];
    for (let i = 0; i < f.values.length; i++) lines.push(`${fmt(f.times[i])},${Number.isNaN(f.values[i]) ? '' : +f.values[i].toFixed(4)}`);
    writeFileSync(join(dir, f.name), lines.join('\n') + '\n');
    windows[f.name] = f.windows.map(([l, r]) => [fmt(f.times[l]) + '.000000', fmt(f.times[r]) + '.000000']);
  }
  writeFileSync(join(dir, 'windows.json'), JSON.stringify(windows, null, 2) + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--write');
  const seedAt = args.indexOf('--seed');
  if (at < 0 || !args[at + 1]) {
    console.error('usage: npx tsx bench/synth-series.ts --write DIR [--seed N]');
    process.exit(2);
  }
  const files = generateSynthSet(seedAt >= 0 ? Number(args[seedAt + 1]) : undefined);
  writeSet(args[at + 1], files);
  console.log(`${files.length} series, ${files.reduce((a, f) => a + f.windows.length, 0)} windows written to ${args[at + 1]}`);
}
