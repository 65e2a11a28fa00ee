// `devops-commander train [--seed N] [--out FILE] [--scenarios N] [--held-out N]`: trains the
// policy prior on simulated incidents played through the real pipeline, reproducibly from the seed,
// and writes it (default: the shipped src/policy/prior.json). Progress goes to stderr.
// `devops-commander train --write-scenarios DIR [--seed N] [--count N]` writes simulated scenario
// files instead (the product's mock-data/scenarios are made this way).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { intOption, parseArgs } from '../args.js';
import { CliError } from '../errors.js';
import { pipelineTick } from '../pipeline-tick.js';
import { trainPrior } from '../../policy/train.js';
import { defaultPriorPath, savePrior } from '../../policy/prior.js';
import { SIM_FAMILIES, simulateScenario, type SimFamily } from '../../policy/simulate.js';

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { values: ['seed', 'out', 'scenarios', 'held-out', 'write-scenarios', 'count', 'families'], flags: ['quiet'] });
  const seed = intOption(p, 'seed', 42, 0, 2 ** 31);
  const families = parseFamilies(p.values.families);
  const say = (m: string): void => {
    if (!p.flags.has('quiet')) process.stderr.write(`train: ${m}\n`);
  };
  if (p.values['write-scenarios'] !== undefined) {
    const dir = p.values['write-scenarios'];
    const count = intOption(p, 'count', 20, 1, 10_000);
    writeScenarios(dir, seed, count, families);
    say(`${count} scenarios written to ${dir}`);
    return 0;
  }
  const out = p.values.out ?? defaultPriorPath();
  const t0 = Date.now();
  const { model, report } = trainPrior({
    seed,
    scenarios: intOption(p, 'scenarios', 200, 10, 100_000),
    heldOut: intOption(p, 'held-out', 80, 10, 100_000),
    families,
    tick: pipelineTick(),
    progress: say,
  });
  try {
    savePrior(model, out);
  } catch (e) {
    throw new CliError(`cannot write ${out}: ${e instanceof Error ? e.message : String(e)}`);
  }
  say(`wrote ${out} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  return 0;
}

function parseFamilies(raw: string | undefined): SimFamily[] {
  if (!raw) return [...SIM_FAMILIES];
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) if (!(SIM_FAMILIES as readonly string[]).includes(n)) throw new CliError(`unknown family '${n}' (one of ${SIM_FAMILIES.join(', ')})`);
  return names as SimFamily[];
}

/**
 * Simulated scenario files: every family in turn, a canary variant every third file, small log
 * volume so each file stays well under 150 KB, plus families.json for the scorer.
 */
export function writeScenarios(dir: string, seed: number, count: number, families: readonly SimFamily[] = SIM_FAMILIES): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new CliError(`cannot create ${dir}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const fam: Record<string, { family: string }> = {};
  for (let i = 0; i < count; i++) {
    const family = families[i % families.length];
    const round = Math.floor(i / families.length);
    const canary = family === 'canary_regression' ? true : round % 3 === 1;
    const id = `mock-${String(i + 1).padStart(4, '0')}`;
    const s = simulateScenario({ seed: seed * 1000 + i, family, canary, logsPerMinute: 2, id, stepSeconds: [15, 30, 60][round % 3] });
    writeFileSync(join(dir, `${id}.json`), JSON.stringify(s) + '\n');
    fam[id] = { family: `${family}${s.baselineMetrics && family !== 'canary_regression' ? '+canary' : ''}` };
  }
  writeFileSync(join(dir, 'families.json'), JSON.stringify({ families: fam }, null, 1) + '\n');
}
