// `devops-commander eval [--seed N] [--scenarios N] [--dir DIR] [--prior FILE] [--json]`: the
// learning policy against baselines measured in the same run (policy/eval.ts), on seeded simulated
// incidents (held out: a different seed range than training) and optionally on a folder of scenario
// files. Progress on stderr, the tables on stdout.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { intOption, parseArgs } from '../args.js';
import { CliError } from '../errors.js';
import { pipelineTick } from '../pipeline-tick.js';
import { evaluateSet, formatSet, type EvalCase, type EvalSet } from '../../policy/eval.js';
import { BanditPolicy } from '../../policy/bandit.js';
import { loadPrior } from '../../policy/prior.js';
import { ScoringPolicy } from '../../policy/scoring-policy.js';
import { simulateMix } from '../../policy/simulate.js';
import type { Scenario } from '../../core/scenario.js';

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { values: ['seed', 'scenarios', 'dir', 'prior'], flags: ['json', 'quiet'] });
  const seed = intOption(p, 'seed', 2027, 0, 2 ** 31);
  const count = intOption(p, 'scenarios', 50, 0, 100_000);
  let model;
  try {
    model = loadPrior(p.values.prior);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  const policies = { bandit: new BanditPolicy(model), scoring: new ScoringPolicy() };
  const say = (m: string): void => {
    if (!p.flags.has('quiet')) process.stderr.write(`eval: ${m}\n`);
  };
  const progress = (label: string) => (d: number, t: number) => {
    if (d === t || d % 10 === 0) say(`${label}: ${d}/${t}`);
  };
  const sets: EvalSet[] = [];
  const tick = pipelineTick();
  if (count > 0) {
    const cases: EvalCase[] = simulateMix(seed, count).map((c) => ({ scenario: c.scenario, family: c.family }));
    sets.push(evaluateSet(`simulated (seed ${seed})`, cases, policies, tick, progress('simulated')));
  }
  if (p.values.dir) sets.push(evaluateSet(p.values.dir, readDir(p.values.dir), policies, tick, progress(p.values.dir)));
  if (!sets.length) throw new CliError('nothing to evaluate: --scenarios 0 and no --dir');
  if (p.flags.has('json')) {
    process.stdout.write(JSON.stringify(sets.map(({ rows: _rows, ...rest }) => rest), null, 1) + '\n');
  } else {
    const prior = model.expert ? `, prior mean ${model.expert.policy}` : '';
    const residual = model.rbf ? `, local residual over ${model.rbf.centers.length} prototype states` : '';
    process.stdout.write(`policy ${model.version} (acting threshold ${model.actThreshold}${prior}${residual})\n\n` + sets.map(formatSet).join('\n\n') + '\n');
  }
  return 0;
}

function readDir(dir: string): EvalCase[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'index.json' && f !== 'families.json').sort();
  } catch {
    throw new CliError(`cannot read directory ${dir}`);
  }
  let families: Record<string, { family: string }> = {};
  try {
    families = (JSON.parse(readFileSync(join(dir, 'families.json'), 'utf8')) as { families: Record<string, { family: string }> }).families;
  } catch {
    // no families file: families are the truth's cause
  }
  const out: EvalCase[] = [];
  for (const f of files) {
    let s: Scenario;
    try {
      s = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Scenario;
    } catch {
      throw new CliError(`${join(dir, f)} is not valid JSON`);
    }
    if (!s.truth || !s.deployment || !s.metrics) continue; // only scored scenarios
    out.push({ scenario: s, family: families[s.id]?.family });
  }
  if (!out.length) throw new CliError(`no scenario files with a truth in ${dir}`);
  return out;
}
