// The detection figures bench/nab.ts prints: NAB profiles on the dev corpus, category
// cross-validation (the threshold, the one constant fitted to data, is chosen on the other
// categories), the generated second set scored with its own optimal threshold and with the dev
// threshold carried over, and both sets as one corpus. Returns the figures for scripts that compare
// detector variants.
import { runDetector, type PointScorer } from './nab-corpus.js';
import { PROFILES, fileDetail, optimise, scoreAt, transferThreshold, type LabelledSeries, type Profile } from './nab-score.js';

const f1 = (x: number): string => (Number.isNaN(x) ? '  n/a' : x.toFixed(1).padStart(5));
const short = (p: Profile): string => ({ standard: 'standard', reward_low_FP_rate: 'low-FP', reward_low_FN_rate: 'low-FN' })[p.name] ?? p.name;

export interface Figures {
  dev: Record<string, number>;
  cv: Record<string, number>;
  synth: Record<string, number>;
  synthCarried: Record<string, number>;
  /** dev and the second set as one corpus with one threshold, as NAB scores a mixed corpus */
  together: Record<string, number>;
}

function perFile(files: LabelledSeries[], threshold: number, log: (s: string) => void): void {
  for (const f of files) {
    const d = fileDetail(f, threshold);
    log(`    ${f.name.padEnd(58)} windows [${d.windows.join(', ')}] fp ${d.falsePositives}`);
  }
}

/** Category cross-validation: each category scored at the threshold chosen on the others. */
function crossValidate(files: LabelledSeries[], p: Profile, log: ((s: string) => void) | null): number {
  const cats = [...new Set(files.map((f) => f.category))];
  let s = 0;
  let nWin = 0;
  for (const c of cats) {
    const train = files.filter((f) => f.category !== c);
    const test = files.filter((f) => f.category === c);
    const t = transferThreshold(optimise(train, p));
    const r = scoreAt(test, p, t);
    const own = optimise(test, p);
    s += r.s;
    nWin += r.windows;
    log?.(
      `    ${c.padEnd(22)} ${r.windows > 0 ? `score ${f1(r.score)}` : `S ${r.s.toFixed(2).padStart(6)}  `} at threshold ${t.toFixed(4)} from the others` +
        ` (windows ${r.detected}/${r.windows}, false-positive rows ${r.falsePositives}; its own best threshold ${own.threshold.toFixed(4)}${own.windows > 0 ? ` would score ${f1(own.score).trim()}` : ''})`,
    );
  }
  return (100 * (s + p.fn * nWin)) / ((p.tp + p.fn) * nWin);
}

export function report(
  dev: LabelledSeries[],
  synth: LabelledSeries[],
  make: () => PointScorer,
  opts: { perFile?: boolean; quiet?: boolean } = {},
): Figures {
  const log = opts.quiet ? () => undefined : (s: string) => console.log(s);
  const fig: Figures = { dev: {}, cv: {}, synth: {}, synthCarried: {}, together: {} };
  const secs = runDetector(dev, make);
  const rows = dev.reduce((a, f) => a + f.values.length, 0);
  log(`dev corpus: ${dev.length} files, ${rows} rows, ${dev.reduce((a, f) => a + f.windows.length, 0)} windows (detector ${Math.round(rows / secs).toLocaleString('en-US')} rows/s)`);
  const devT: Record<string, number> = {};
  for (const p of PROFILES) {
    const r = optimise(dev, p);
    devT[p.name] = r.threshold;
    fig.dev[p.name] = r.score;
    log(`  ${short(p).padEnd(9)} ${f1(r.score)}  (threshold ${r.threshold.toFixed(4)}, windows ${r.detected}/${r.windows}, false-positive rows ${r.falsePositives})`);
    if (opts.perFile && p.name === 'standard') perFile(dev, r.threshold, log);
  }
  log('category cross-validation (threshold chosen on the other categories: middle, in flagged rows, of their near-optimal thresholds):');
  for (const p of PROFILES) {
    log(`  ${short(p)}`);
    fig.cv[p.name] = crossValidate(dev, p, log);
    log(`    combined (all ${dev.length} files)  score ${f1(fig.cv[p.name])}`);
  }
  runDetector(synth, make);
  const srows = synth.reduce((a, f) => a + f.values.length, 0);
  log(`second set (generated, bench/synth-series.ts): ${synth.length} files, ${srows} rows, ${synth.reduce((a, f) => a + f.windows.length, 0)} windows`);
  for (const p of PROFILES) {
    const own = optimise(synth, p);
    const carried = scoreAt(synth, p, devT[p.name]);
    fig.synth[p.name] = own.score;
    fig.synthCarried[p.name] = carried.score;
    log(
      `  ${short(p).padEnd(9)} ${f1(own.score)}  (own threshold ${own.threshold.toFixed(4)}, windows ${own.detected}/${own.windows}, fp rows ${own.falsePositives});` +
        `  dev threshold carried over ${f1(carried.score).trim()} (windows ${carried.detected}, fp rows ${carried.falsePositives})`,
    );
    if (opts.perFile && p.name === 'standard') perFile(synth, own.threshold, log);
  }
  for (const p of PROFILES) {
    const r = optimise([...dev, ...synth], p);
    fig.together[p.name] = r.score;
    log(`  both sets as one corpus: ${short(p).padEnd(9)} ${f1(r.score)} (threshold ${r.threshold.toFixed(4)}, windows ${r.detected}/${r.windows}, fp rows ${r.falsePositives})`);
  }
  const cats = [...new Set(synth.map((f) => f.category))];
  const p = PROFILES[0];
  const t = optimise(synth, p).threshold;
  log(
    '  by kind (standard, own threshold): ' +
      cats
        .map((c) => {
          const r = scoreAt(
            synth.filter((f) => f.category === c),
            p,
            t,
          );
          return r.windows > 0 ? `${c} ${r.score.toFixed(0)}` : `${c} fp ${r.falsePositives}`;
        })
        .join(', '),
  );
  return fig;
}

