// NAB-style scoring of the streaming detector, as described in ../shared/bench-data/nab-dev/README.md:
// probationary period, windows, scaled sigmoid, ONE corpus-wide threshold per profile chosen by a
// sweep over every distinct score, normalisation against the null detector.
// Usage: npx tsx bench/nab.ts [DIR] [--per-file]
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StreamingDetector } from '../src/analysis/detector.js';
import { parseCsv } from './csv.js';

const args = process.argv.slice(2);
const perFile = args.includes('--per-file');
const dir = resolve(args.find((a) => !a.startsWith('--')) ?? join(import.meta.dirname, '../../shared/bench-data/nab-dev'));

interface Profile {
  name: string;
  tp: number;
  fn: number;
  fp: number;
}
const PROFILES: Profile[] = [
  { name: 'standard', tp: 1.0, fn: 1.0, fp: 0.11 },
  { name: 'reward_low_FP_rate', tp: 1.0, fn: 1.0, fp: 0.22 },
  { name: 'reward_low_FN_rate', tp: 1.0, fn: 2.0, fp: 0.11 },
];

/** σ(y) = 2/(1+e^{5y}) − 1, with σ(y) = −1 for y > 3. */
function sigma(y: number): number {
  if (y > 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

const toMs = (s: string): number => Date.parse(s.trim().replace(' ', 'T').replace(/\.\d+$/, '') + 'Z');

interface FileData {
  name: string;
  scores: Float64Array;
  probation: number;
  /** windows as inclusive row ranges */
  windows: [number, number][];
}

function loadFile(rel: string, windowsJson: Record<string, [string, string][]>): FileData {
  const rows = parseCsv(readFileSync(join(dir, rel), 'utf8')).slice(1).filter((r) => r.length >= 2);
  const det = new StreamingDetector();
  const scores = new Float64Array(rows.length);
  const times: number[] = [];
  rows.forEach((r, i) => {
    const t = toMs(r[0]);
    times.push(t);
    scores[i] = det.update(t, Number(r[1]));
  });
  const idxOf = new Map(times.map((t, i) => [t, i]));
  const windows = (windowsJson[rel] ?? []).map(([a, b]): [number, number] => {
    const l = idxOf.get(toMs(a));
    const r = idxOf.get(toMs(b));
    if (l === undefined || r === undefined) throw new Error(`${rel}: window ${a}..${b} not on a row`);
    return [l, r];
  });
  const n = rows.length;
  return { name: rel, scores, probation: Math.min(Math.floor(0.15 * n), 750), windows };
}

/** Value of a detection at row i for one file (window index or -1, and its value). */
function rowValue(f: FileData, i: number, p: Profile): { win: number; value: number } {
  let prevEnd = -1;
  let prevW = 0;
  for (let w = 0; w < f.windows.length; w++) {
    const [l, r] = f.windows[w];
    if (i >= l && i <= r) {
      const width = r - l + 1;
      return { win: w, value: (p.tp * sigma(-(r - i + 1) / width)) / sigma(-1) };
    }
    if (r < i && r > prevEnd) {
      prevEnd = r;
      prevW = r - l + 1;
    }
  }
  if (prevEnd < 0) return { win: -1, value: -p.fp };
  return { win: -1, value: p.fp * sigma((i - prevEnd) / Math.max(1, prevW - 1)) };
}

function optimise(files: FileData[], p: Profile): { score: number; threshold: number; s: number; tp: number; fp: number } {
  // every scored row with its value; windows numbered corpus-wide
  const items: { score: number; win: number; value: number }[] = [];
  let nWin = 0;
  for (const f of files) {
    for (let i = f.probation; i < f.scores.length; i++) {
      const v = rowValue(f, i, p);
      items.push({ score: f.scores[i], win: v.win >= 0 ? nWin + v.win : -1, value: v.value });
    }
    nWin += f.windows.length;
  }
  items.sort((a, b) => b.score - a.score);
  const best = new Float64Array(nWin).fill(Number.NaN);
  let s = -p.fn * nWin; // nothing detected
  let bestS = s;
  let bestT = Infinity;
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
    if (s > bestS) {
      bestS = s;
      bestT = t;
    }
  }
  const sPerfect = p.tp * nWin;
  const sNull = -p.fn * nWin;
  // count detections at the chosen threshold, for information
  let tp = 0;
  let fp = 0;
  const hit = new Set<number>();
  for (const it of items) {
    if (it.score < bestT) break;
    if (it.win >= 0) hit.add(it.win);
    else fp++;
  }
  tp = hit.size;
  return { score: (100 * (bestS - sNull)) / (sPerfect - sNull), threshold: bestT, s: bestS, tp, fp };
}

const windowsJson = JSON.parse(readFileSync(join(dir, 'windows.json'), 'utf8')) as Record<string, [string, string][]>;
const rels = readdirSync(dir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(join(dir, d.name)).filter((f) => f.endsWith('.csv')).map((f) => `${d.name}/${f}`))
  .filter((rel) => existsSync(join(dir, rel)))
  .sort();
const t0 = process.cpuUsage();
const files = rels.map((rel) => loadFile(rel, windowsJson));
const used = process.cpuUsage(t0);
const rowsTotal = files.reduce((a, f) => a + f.scores.length, 0);
console.log(`${files.length} files, ${rowsTotal} rows, ${files.reduce((a, f) => a + f.windows.length, 0)} windows; detector ${Math.round(rowsTotal / ((used.user + used.system) / 1e6)).toLocaleString('en-US')} rows/s`);
for (const p of PROFILES) {
  const r = optimise(files, p);
  console.log(`${p.name.padEnd(20)} score ${r.score.toFixed(1)}  (threshold ${r.threshold.toFixed(4)}, windows detected ${r.tp}, false-positive rows ${r.fp})`);
  if (perFile && p.name === 'standard') {
    for (const f of files) {
      const det = f.windows.map(([l, r2]) => {
        for (let i = Math.max(l, f.probation); i <= r2; i++) if (f.scores[i] >= r.threshold) return `${i - l}/${r2 - l + 1}`;
        return 'miss';
      });
      let fps = 0;
      for (let i = f.probation; i < f.scores.length; i++) if (f.scores[i] >= r.threshold && !f.windows.some(([l, r2]) => i >= l && i <= r2)) fps++;
      console.log(`  ${f.name.padEnd(58)} windows [${det.join(', ')}] fp ${fps}`);
    }
  }
}
