// `devops-commander replay --scenario FILE [--json]`: plays one scenario through the pipeline as
// if live (virtual clock, simulated target) and prints the decisions (CONTRACTS.md).
import { parseArgs } from '../args.js';
import { CliError } from '../errors.js';
import { loadScenario, ScenarioError } from '../../signals/scenario-file.js';
import { replayScenario } from '../../loop/replay.js';
import { isoTime } from '../../core/time.js';
import { BanditPolicy } from '../../policy/bandit.js';
import { loadPrior } from '../../policy/prior.js';

export async function run(args: string[]): Promise<number> {
  const p = parseArgs(args, { values: ['scenario', 'policy'], flags: ['json', 'all'] });
  // --policy bandit (default: the shipped learned prior, as the loop decides) | scoring (the
  // transparent evidence model alone)
  const which = p.values.policy ?? 'bandit';
  if (which !== 'scoring' && which !== 'bandit') throw new CliError('--policy must be scoring or bandit');
  const file = p.values.scenario ?? p.positional[0];
  if (!file) throw new CliError('replay needs --scenario FILE');
  let loaded;
  try {
    loaded = loadScenario(file);
  } catch (e) {
    if (e instanceof ScenarioError) throw new CliError(e.message);
    throw e;
  }
  // truth (if the file has one) is deliberately not passed on: deciding code never sees it
  let policy: BanditPolicy | undefined;
  if (which === 'bandit') {
    try {
      policy = new BanditPolicy(loadPrior());
    } catch (e) {
      throw new CliError(e instanceof Error ? e.message : String(e));
    }
  }
  const result = replayScenario(loaded.scenario, { continueAfterAct: p.flags.has('all'), ...(policy ? { policy } : {}) });
  if (p.flags.has('json')) {
    const out = {
      scenario: result.scenario,
      decisions: result.decisions.map((d) => ({ at: isoTime(d.at), action: d.action, confidence: d.confidence, summary: d.summary, reasons: d.reasons })),
    };
    process.stdout.write(JSON.stringify(out) + '\n');
    return 0;
  }
  const lines = [`scenario ${result.scenario}: ${result.ticks} ticks of ${loaded.scenario.stepSeconds}s from the deploy at ${loaded.scenario.deployment.at}`];
  for (const d of result.decisions) {
    lines.push(`${isoTime(d.at)}  ${d.action.padEnd(8)} confidence ${d.confidence.toFixed(2)}${d.acted ? `  → acted (simulated target; guard: ${d.guard.mode}, ${d.guard.reason})` : ''}`);
    lines.push(`    ${d.summary}`);
    for (const r of d.reasons) lines.push(`    - ${r}`);
  }
  if (!result.decisions.some((d) => d.acted)) lines.push('no action taken: the deploy looked healthy to the end of the scenario');
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
