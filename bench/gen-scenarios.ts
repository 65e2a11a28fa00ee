// A second, differently generated scenario set (issue 13): the same v1 file format and the same
// ten families as the development set, from an independent generator (bench/gen/) with other noise
// (heavy tails, daily cycles, level shifts before the deploy, gaps, counters that reset, quantised
// counts and latency buckets), other step sizes and other log styles. Deterministic given --seed.
// Run: npx tsx bench/gen-scenarios.ts --seed 2 --per-family 20 --out /tmp/second-set
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAMILIES, generate, type Family } from './gen/scenario.js';
import type { Scenario } from '../src/core/scenario.js';

/** The set in memory: `perFamily` incidents of every family, ids `<prefix>-<family>-<nn>`. */
export function generateSet(seed: number, perFamily: number, prefix = `s${seed}`): Array<{ family: Family; scenario: Scenario }> {
  const out: Array<{ family: Family; scenario: Scenario }> = [];
  FAMILIES.forEach((family, fi) => {
    for (let i = 0; i < perFamily; i++) {
      const s = (Math.imul(seed, 1000003) + fi * 7919 + i * 104729) >>> 0;
      out.push({ family, scenario: generate(s, family, `${prefix}-${family}-${String(i + 1).padStart(2, '0')}`) });
    }
  });
  return out;
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string, d: string): string => (args.includes(name) ? args[args.indexOf(name) + 1] : d);
  const seed = Number(opt('--seed', '2'));
  const per = Number(opt('--per-family', '20'));
  const dir = opt('--out', '/tmp/second-set');
  mkdirSync(dir, { recursive: true });
  const set = generateSet(seed, per);
  for (const { scenario } of set) writeFileSync(join(dir, `${scenario.id}.json`), JSON.stringify(scenario));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ format: 'scenario-v1', set: `second-s${seed}`, count: set.length, scenarios: set.map(({ family, scenario }) => ({ id: scenario.id, file: `${scenario.id}.json`, family })) }, null, 1));
  console.log(`wrote ${set.length} scenarios (seed ${seed}, ${per} per family) to ${dir}`);
}

if (process.argv[1] && /gen-scenarios\.[tj]s$/.test(process.argv[1])) main();
