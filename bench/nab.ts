// Detection figures for `devops-commander detect`, scored as NAB scores (bench/nab-score.ts):
//   1. the NAB dev corpus, threshold optimised on it (standard / low-FP / low-FN profiles);
//   2. category cross-validation: each category scored at a threshold chosen on the others;
//   3. a second, differently generated set (bench/synth-series.ts), with its own threshold and with
//      the dev threshold carried over, and both sets as one corpus;
//   4. speed: the detector alone and the `detect` command end to end on a long generated series.
// Usage: npx tsx bench/nab.ts [DIR] [--per-file] [--charts OUTDIR] [--seed N] [--rows N]
//   DIR defaults to ../shared/bench-data/nab-dev; --charts writes SVG charts of a few series.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { StreamingDetector } from '../src/analysis/detector.js';
import { chartSvg } from './nab-chart.js';
import { loadCorpus } from './nab-corpus.js';
import { report } from './nab-report.js';
import { optimise, PROFILES, type LabelledSeries } from './nab-score.js';
import { generateSynthSet, longSeries } from './synth-series.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const valued = new Set(['--charts', '--seed', '--rows']);
const root = join(import.meta.dirname, '..');
// the checkout sits next to shared/ (or one level deeper, as a worktree)
const defaultDir = [join(root, '../shared/bench-data/nab-dev'), join(root, '../../shared/bench-data/nab-dev')].find((d) => existsSync(d));
const given = args.find((a, i) => !a.startsWith('--') && !valued.has(args[i - 1]));
if (!given && !defaultDir) {
  console.error('usage: npx tsx bench/nab.ts [DIR]  (no ../shared/bench-data/nab-dev next to the checkout)');
  process.exit(2);
}
const dir = resolve(given ?? defaultDir!);

const dev = loadCorpus(dir);
const synth = generateSynthSet(opt('--seed') ? Number(opt('--seed')) : undefined);
report(dev, synth, () => new StreamingDetector(), { perFile: args.includes('--per-file') });

// speed on one long series: the detector alone (CPU time), then the command end to end
const rows = Number(opt('--rows') ?? 1_000_000);
const long = longSeries(rows);
const det = new StreamingDetector();
const t0 = process.cpuUsage();
for (let i = 0; i < long.values.length; i++) det.update(long.times[i], long.values[i]);
const u = process.cpuUsage(t0);
const detRate = rows / ((u.user + u.system) / 1e6);
const tmp = mkdtempSync(join(tmpdir(), 'nab-bench-'));
try {
  const csv = join(tmp, 'long.csv');
  const lines = ['timestamp,value'];
  for (let i = 0; i < long.values.length; i++) lines.push(`${new Date(long.times[i]).toISOString().slice(0, 19).replace('T', ' ')},${long.values[i].toFixed(3)}`);
  writeFileSync(csv, lines.join('\n') + '\n');
  const small = join(tmp, 'small.csv');
  writeFileSync(small, lines.slice(0, 3).join('\n') + '\n');
  // bash's `time` reports the child's CPU seconds, which a loaded machine does not inflate as it
  // does wall time; both are printed
  const timed = (file: string): { wall: number; cpu: number } => {
    const cmd = `TIMEFORMAT='%U %S'; time ${JSON.stringify(process.execPath)} --import tsx src/cli/main.ts detect --input ${JSON.stringify(file)} > /dev/null`;
    const w0 = performance.now();
    const r = spawnSync('bash', ['-c', cmd], { cwd: root, encoding: 'utf8' });
    const wall = (performance.now() - w0) / 1000;
    if (r.status !== 0) throw new Error(`detect failed: ${r.stderr}`);
    const [user, sys] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    return { wall, cpu: user + sys };
  };
  // the command on the long file less the same command on a two-row file (node and tsx start-up)
  const base = timed(small);
  const full = timed(csv);
  const cpu = full.cpu - base.cpu;
  const wall = full.wall - base.wall;
  const rate = (secs: number): string => Math.round(rows / secs).toLocaleString('en-US');
  console.log(
    `speed (${rows.toLocaleString('en-US')}-row series): detector alone ${Math.round(detRate).toLocaleString('en-US')} rows/s; ` +
      `detect end to end (read, score, write CSV; start-up excluded) ${rate(cpu)} rows/s CPU time, ${rate(wall)} rows/s wall (${wall.toFixed(2)} s)`,
  );
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const chartDir = opt('--charts');
if (chartDir) {
  mkdirSync(chartDir, { recursive: true });
  const t = optimise([...dev, ...synth], PROFILES[0]).threshold;
  const pick = (files: LabelledSeries[], names: RegExp): LabelledSeries[] => files.filter((f) => names.test(f.name));
  const shown = [...pick(dev, /jumpsup|load_balancer|ec2_cpu_utilization_825cc2|grok_asg|rds_cpu_utilization_e47b3b/), ...pick(synth, /synth_0[0-9]|synth_1[0-2]/)];
  for (const f of shown) writeFileSync(join(chartDir, f.name.replace(/[/.]/g, '_') + '.svg'), chartSvg(f, t));
  console.log(`charts: ${shown.length} SVG files in ${chartDir} (threshold ${t.toFixed(4)}, the standard profile's on both sets as one corpus)`);
}
