// Decisions on the development scenarios and on a second, differently generated set (issue 13),
// through the real pipeline tick and the shipped policy (the bandit prior, as `replay` decides),
// scored with the rules of shared/tools/score-scenarios.py (policy/episode.ts). Prints per set:
// accuracy, false-rollback rate, missed, median/p90 delay, Brier, per-family accuracy and every
// error (scenario, truth, decision, step after the deploy). The check set is the same generator at
// another seed: a gap between "second" and "check" means something was fitted to one draw.
// Run: npx tsx bench/decisions.ts [--dev DIR] [--seed 2] [--check-seed 7] [--per-family 20]
//        [--only dev,second,check] [--policy bandit|scoring]
import type { Scenario } from '../src/core/scenario.js';
import { pipelineTick } from '../src/cli/pipeline-tick.js';
import { metrics, playScenario, policyDecider, scoreInfo, scoreResult, type Scored } from '../src/policy/episode.js';
import { ScoringPolicy } from '../src/policy/scoring-policy.js';
import { BanditPolicy } from '../src/policy/bandit.js';
import { loadPrior } from '../src/policy/prior.js';
import { generateSet } from './gen-scenarios.js';
import { loadDevScenarios } from './dev-scenarios.js';

const args = process.argv.slice(2);
const opt = (name: string, d: string): string => (args.includes(name) ? args[args.indexOf(name) + 1] : d);
const devDir = opt('--dev', '../shared/bench-data/scenarios');
const seed = Number(opt('--seed', '2'));
const checkSeed = Number(opt('--check-seed', '7'));
const per = Number(opt('--per-family', '20'));
const only = opt('--only', 'dev,second,check').split(',');
const which = opt('--policy', 'bandit');
const policy = which === 'scoring' ? new ScoringPolicy() : new BanditPolicy(loadPrior());
const tick = pipelineTick();

/** dev files carry no family: the cause (and canary) stands in for it */
function devFamily(s: Scenario): string {
  return s.truth!.cause === 'deploy_regression' && s.baselineMetrics ? 'regression(canary)' : s.truth!.cause;
}

function run(name: string, cases: Array<{ s: Scenario; family: string }>): void {
  const t0 = Date.now();
  const rows: Scored[] = [];
  for (const c of cases) {
    const [r] = playScenario(c.s, [policyDecider(which, policy)], tick);
    rows.push(scoreResult(scoreInfo(c.s, c.family), r));
  }
  const m = metrics(rows);
  const f = (x: number | null): string => (x === null ? '-' : x.toFixed(1));
  console.log(`\n== ${name}: n=${m.n} accuracy=${m.accuracy.toFixed(3)} false_rollback=${m.falseRollback.toFixed(3)} missed=${m.missed.toFixed(3)} median_delay=${f(m.medianDelay)} p90_delay=${f(m.p90Delay)} brier=${m.brier.toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  const fams = [...new Set(rows.map((r) => r.family!))];
  console.log('   ' + fams.map((fam) => {
    const rs = rows.filter((r) => r.family === fam);
    return `${fam} ${(rs.filter((r) => r.correct).length / rs.length).toFixed(2)}`;
  }).join(' | '));
  const byId = new Map(cases.map((c) => [c.s.id, c.s]));
  for (const r of rows.filter((x) => !x.correct)) {
    const s = byId.get(r.scenarioId)!;
    const stepAt = r.at === undefined ? '-' : String(Math.round((r.at - Date.parse(s.deployment.at)) / 1000 / s.stepSeconds));
    const why = r.early ? ' (early)' : r.late ? ' (late)' : '';
    console.log(`   ✗ ${r.scenarioId.padEnd(28)} truth=${r.best.padEnd(8)} decided=${r.action.padEnd(8)}${why} step=${stepAt} conf=${r.confidence.toFixed(2)}  ${(r.decision?.reasons ?? []).slice(0, 2).join('; ').slice(0, 150)}`);
  }
}

console.log(`policy: ${policy.version}`);
if (only.includes('dev')) {
  const dev = loadDevScenarios(devDir);
  run(`dev (${devDir})`, dev.map((s) => ({ s, family: devFamily(s) })));
}
if (only.includes('second')) run(`second set (bench/gen-scenarios.ts --seed ${seed})`, generateSet(seed, per).map((c) => ({ s: c.scenario, family: c.family })));
if (only.includes('check')) run(`check set (--seed ${checkSeed})`, generateSet(checkSeed, per).map((c) => ({ s: c.scenario, family: c.family })));
