// Loads a NAB-layout corpus (<category>/<file>.csv + windows.json) and runs a detector over it.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from './csv.js';
import type { LabelledSeries } from './nab-score.js';

const toMs = (s: string): number => Date.parse(s.trim().replace(' ', 'T').replace(/\.\d+$/, '') + 'Z');

export function loadCorpus(dir: string): LabelledSeries[] {
  const windowsJson = JSON.parse(readFileSync(join(dir, 'windows.json'), 'utf8')) as Record<string, [string, string][]>;
  const rels = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(dir, d.name)).filter((f) => f.endsWith('.csv')).map((f) => `${d.name}/${f}`))
    .filter((rel) => existsSync(join(dir, rel)))
    .sort();
  return rels.map((rel) => {
    const rows = parseCsv(readFileSync(join(dir, rel), 'utf8')).slice(1).filter((r) => r.length >= 2);
    const times = Float64Array.from(rows, (r) => toMs(r[0]));
    const values = Float64Array.from(rows, (r) => (r[1].trim() === '' ? Number.NaN : Number(r[1])));
    const idxOf = new Map(Array.from(times, (t, i) => [t, i]));
    const windows = (windowsJson[rel] ?? []).map(([a, b]): [number, number] => {
      const l = idxOf.get(toMs(a));
      const r = idxOf.get(toMs(b));
      if (l === undefined || r === undefined) throw new Error(`${rel}: window ${a}..${b} not on a row`);
      return [l, r];
    });
    return { name: rel, category: rel.split('/')[0], times, values, windows };
  });
}

/** Something that scores one point at a time (a fresh one per series). */
export interface PointScorer {
  update(timestampMs: number, value: number): number;
}

/** Runs a fresh detector over every series; returns the CPU seconds spent in the detectors. */
export function runDetector(files: LabelledSeries[], make: () => PointScorer): number {
  const t0 = process.cpuUsage();
  for (const f of files) {
    const d = make();
    const s = new Float64Array(f.values.length);
    for (let i = 0; i < s.length; i++) {
      s[i] = d.update(f.times[i], f.values[i]);
      if (!(s[i] >= 0 && s[i] <= 1)) throw new Error(`${f.name}: row ${i + 1}: score ${s[i]} outside [0,1]`);
    }
    f.scores = s;
  }
  const u = process.cpuUsage(t0);
  return (u.user + u.system) / 1e6;
}
