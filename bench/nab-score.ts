// NAB scoring as described in ../shared/bench-data/nab-dev/README.md: probationary period, windows,
// scaled sigmoid, ONE corpus-wide threshold per profile chosen by a sweep over every distinct score,
// normalisation against the null detector. Shared by bench/nab.ts (dev corpus, category
// cross-validation) and the generated second set (bench/synth-series.ts), so both are scored alike.

export interface Profile {
  name: string;
  tp: number;
  fn: number;
  fp: number;
}
export const PROFILES: Profile[] = [
  { name: 'standard', tp: 1.0, fn: 1.0, fp: 0.11 },
  { name: 'reward_low_FP_rate', tp: 1.0, fn: 1.0, fp: 0.22 },
  { name: 'reward_low_FN_rate', tp: 1.0, fn: 2.0, fp: 0.11 },
];

/** One labelled series and, once run, its scores. */
export interface LabelledSeries {
  name: string;
  category: string;
  times: Float64Array;
  values: Float64Array;
  /** windows as inclusive row ranges */
  windows: [number, number][];
  scores?: Float64Array;
}

/** NAB's probationary period: min(floor(0.15 n), 750) rows. */
export function probation(n: number): number {
  return Math.min(Math.floor(0.15 * n), 750);
}

/** σ(y) = 2/(1+e^{5y}) − 1, with σ(y) = −1 for y > 3. */
function sigma(y: number): number {
  if (y > 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

/**
 * NAB's labelling rule, for generated series: a budget of 10% of the rows split equally among the
 * anomalies, each window centred on its anomaly and cut at the ends, overlaps merged, windows that
 * start inside the probationary period dropped.
 */
export function windowsFor(n: number, anomalies: number[]): [number, number][] {
  if (anomalies.length === 0) return [];
  const len = Math.floor((0.1 * n) / anomalies.length);
  const raw = [...anomalies]
    .sort((a, b) => a - b)
    .map((a): [number, number] => [Math.max(0, a - Math.floor(len / 2)), Math.min(n - 1, a + Math.floor(len / 2))]);
  const merged: [number, number][] = [];
  for (const w of raw) {
    const last = merged[merged.length - 1];
    if (last && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
    else merged.push([w[0], w[1]]);
  }
  const p = probation(n);
  return merged.filter(([l]) => l >= p);
}

interface Item {
  score: number;
  win: number;
  value: number;
}

/** Every scored row's value as a detection, for one file (windows numbered from `winBase`). */
function fileItems(f: LabelledSeries, p: Profile, winBase: number, out: Item[]): void {
  const s = f.scores;
  if (!s) throw new Error(`${f.name}: not scored`);
  let w = 0; // the window at or after row i
  let prevEnd = -1;
  let prevW = 0;
  for (let i = probation(s.length); i < s.length; i++) {
    while (w < f.windows.length && f.windows[w][1] < i) {
      prevEnd = f.windows[w][1];
      prevW = f.windows[w][1] - f.windows[w][0] + 1;
      w++;
    }
    let win = -1;
    let value: number;
    if (w < f.windows.length && i >= f.windows[w][0]) {
      const [l, r] = f.windows[w];
      const width = r - l + 1;
      win = winBase + w;
      value = (p.tp * sigma(-(r - i + 1) / width)) / sigma(-1);
    } else if (prevEnd < 0) value = -p.fp;
    else value = p.fp * sigma((i - prevEnd) / Math.max(1, prevW - 1));
    out.push({ score: s[i], win, value });
  }
}

export interface ProfileResult {
  /** normalised score (NaN when the corpus has no window) */
  score: number;
  /** raw corpus score S */
  s: number;
  threshold: number;
  windows: number;
  detected: number;
  falsePositives: number;
  /** the lowest threshold that reaches the same best S (the optimum is an interval of thresholds) */
  thresholdLow: number;
  /** the threshold carried to held-out data (see transferThreshold) */
  thresholdMid: number;
}

function collect(files: LabelledSeries[], p: Profile): { items: Item[]; nWin: number } {
  const items: Item[] = [];
  let nWin = 0;
  for (const f of files) {
    fileItems(f, p, nWin, items);
    nWin += f.windows.length;
  }
  items.sort((a, b) => b.score - a.score);
  return { items, nWin };
}

function normalise(s: number, nWin: number, p: Profile): number {
  const perfect = p.tp * nWin;
  const nul = -p.fn * nWin;
  return nWin === 0 ? Number.NaN : (100 * (s - nul)) / (perfect - nul);
}

function tally(items: Item[], nWin: number, p: Profile, threshold: number): ProfileResult {
  const best = new Float64Array(nWin).fill(Number.NaN);
  let s = -p.fn * nWin;
  let fps = 0;
  for (const it of items) {
    if (it.score < threshold) break;
    if (it.win < 0) {
      s += it.value;
      fps++;
    } else if (Number.isNaN(best[it.win])) {
      s += it.value + p.fn;
      best[it.win] = it.value;
    } else if (it.value > best[it.win]) {
      s += it.value - best[it.win];
      best[it.win] = it.value;
    }
  }
  const detected = best.reduce((a, v) => a + (Number.isNaN(v) ? 0 : 1), 0);
  return { score: normalise(s, nWin, p), s, threshold, windows: nWin, detected, falsePositives: fps, thresholdLow: threshold, thresholdMid: threshold };
}

/** How much below the optimum (in raw score S, i.e. windows) a threshold may score and still count
 * as near-optimal when a threshold is carried to held-out data (see transferThreshold). */
export const NEAR_OPTIMAL = 0.5;

/** NAB's threshold optimisation: sweep every distinct score, highest first. */
export function optimise(files: LabelledSeries[], p: Profile): ProfileResult {
  const { items, nWin } = collect(files, p);
  const best = new Float64Array(nWin).fill(Number.NaN);
  let s = -p.fn * nWin;
  let bestS = s;
  let bestT = Infinity;
  let lowT = Infinity;
  // the sweep: S after each distinct threshold, and how many rows that threshold flags
  const curve: { t: number; s: number; rows: number }[] = [{ t: Infinity, s, rows: 0 }];
  let k = 0;
  while (k < items.length) {
    const t = items[k].score;
    while (k < items.length && items[k].score === t) {
      const it = items[k++];
      if (it.win < 0) s += it.value;
      else if (Number.isNaN(best[it.win])) {
        s += it.value + p.fn;
        best[it.win] = it.value;
      } else if (it.value > best[it.win]) {
        s += it.value - best[it.win];
        best[it.win] = it.value;
      }
    }
    curve.push({ t, s, rows: k });
    if (s > bestS + 1e-12) {
      bestS = s;
      bestT = t;
      lowT = t;
    } else if (Math.abs(s - bestS) <= 1e-12 && bestT !== Infinity) lowT = t;
  }
  const r = tally(items, nWin, p, bestT);
  // the near-optimal thresholds' extent, and the one flagging half-way between its ends (in rows)
  const near = curve.filter((c) => c.s >= bestS - NEAR_OPTIMAL);
  const top = near[0];
  const bottom = near[near.length - 1];
  let mid = top.t;
  if (Number.isFinite(bottom.t)) {
    const target = (top.rows + bottom.rows) / 2;
    mid = curve.reduce((a, c) => (Number.isFinite(c.t) && c.t >= bottom.t && Math.abs(c.rows - target) < Math.abs(a.rows - target) ? c : a), bottom).t;
  }
  return { ...r, thresholdLow: lowT, thresholdMid: mid };
}

/** Score a corpus at a given threshold (a threshold chosen elsewhere). */
export function scoreAt(files: LabelledSeries[], p: Profile, threshold: number): ProfileResult {
  const { items, nWin } = collect(files, p);
  return tally(items, nWin, p, threshold);
}

/**
 * The threshold a held-out fold is scored with, chosen on the training files only. NAB takes the top
 * of the optimal interval: the threshold that barely catches the training windows, the least likely
 * to carry over, and on a few training files often a single knife-edge value. Here: the middle of the
 * thresholds within NEAR_OPTIMAL of the training optimum, counted in flagged rows rather than score
 * units, so that it does not depend on how a detector scales its scores (any monotone rescaling of the
 * scores picks the same rows).
 */
export function transferThreshold(r: ProfileResult): number {
  return r.thresholdMid;
}

/** Per-file detail at a threshold: for each window the first detection (offset/width) or a miss. */
export function fileDetail(f: LabelledSeries, threshold: number): { windows: string[]; falsePositives: number } {
  const s = f.scores!;
  const p = probation(s.length);
  const windows = f.windows.map(([l, r]) => {
    for (let i = Math.max(l, p); i <= r; i++) if (s[i] >= threshold) return `${i - l}/${r - l + 1}`;
    return 'miss';
  });
  let fps = 0;
  for (let i = p; i < s.length; i++) if (s[i] >= threshold && !f.windows.some(([l, r]) => i >= l && i <= r)) fps++;
  return { windows, falsePositives: fps };
}
