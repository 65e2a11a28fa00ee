// Accuracy of the replay over a directory of scenario files, scored with the same rules as
// ../shared/tools/score-scenarios.py (evaluated decision = the earliest non-continue; correct =
// right action, not before onset, not after deadline / last timestamp). Runs in-process so a
// whole set takes seconds; truth is read here for scoring only and never passed to the replay.
//   npx tsx bench/scenarios.ts [DIR] [--verbose] [--policy bandit|scoring]   (bandit: the default decider)
// For the official figure run the python scorer against the built CLI (see README of the set).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario } from '../src/signals/scenario-file.js';
import { replayScenario } from '../src/loop/replay.js';
import { isoTime } from '../src/core/time.js';
import { BanditPolicy } from '../src/policy/bandit.js';
import { loadPrior } from '../src/policy/prior.js';
import { ScoringPolicy } from '../src/policy/scoring-policy.js';

const args = process.argv.slice(2);
const dir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--policy') ?? '../shared/bench-data/scenarios';
const verbose = args.includes('--verbose');
const which = args.includes('--policy') ? args[args.indexOf('--policy') + 1] : 'bandit';
const policy = which === 'scoring' ? new ScoringPolicy() : new BanditPolicy(loadPrior());
const files = readdirSync(dir).filter((f) => /\.json$/.test(f) && f !== 'index.json').sort();

interface Row { id: string; cause: string; best: string; action: string; correct: boolean; early: boolean; late: boolean; delay?: number; conf: number; ms: number }
const rows: Row[] = [];
for (const f of files) {
  const { scenario, truth } = loadScenario(join(dir, f));
  if (!truth) continue;
  const t0 = performance.now();
  const r = replayScenario(scenario, { policy });
  const ms = performance.now() - t0;
  const ev = r.decisions.find((d) => d.action !== 'continue');
  const action = ev?.action ?? 'continue';
  const at = ev?.at ?? Date.parse(scenario.deployment.at);
  const conf = ev?.confidence ?? r.decisions[r.decisions.length - 1]?.confidence ?? 0.5;
  const deployAt = Date.parse(scenario.deployment.at);
  const onset = truth.onset ? Date.parse(truth.onset) : undefined;
  let end = -Infinity;
  for (const m of [scenario.metrics, scenario.baselineMetrics ?? {}]) for (const s of Object.values(m)) for (const p of s) end = Math.max(end, Date.parse(p[0]));
  for (const l of scenario.logs) end = Math.max(end, Date.parse(l.at));
  const deadline = truth.deadline ? Math.min(Date.parse(truth.deadline), end) : end;
  const early = action !== 'continue' && onset !== undefined && at < onset;
  const late = action !== 'continue' && at > deadline;
  const correct = action === truth.bestAction && !early && !late;
  const delay = correct && action !== 'continue' ? (at - Math.max(onset ?? deployAt, deployAt)) / (scenario.stepSeconds * 1000) : undefined;
  rows.push({ id: scenario.id, cause: truth.cause, best: truth.bestAction, action, correct, early, late, delay, conf, ms });
  if (verbose || !correct)
    console.log(`${correct ? 'ok  ' : 'MISS'} ${scenario.id} ${truth.cause.padEnd(17)} best=${truth.bestAction.padEnd(8)} got=${action.padEnd(8)} at=${ev ? isoTime(at) : '-'} onset=${truth.onset ?? '-'}${early ? ' EARLY' : ''}${late ? ' LATE' : ''}${delay !== undefined ? ` delay=${delay}` : ''} conf=${conf} | ${ev?.reasons.join('; ') ?? ''}`);
}
const n = rows.length;
const acc = rows.filter((r) => r.correct).length / n;
const notRb = rows.filter((r) => r.best !== 'rollback');
const falseRb = notRb.filter((r) => r.action === 'rollback').length / Math.max(1, notRb.length);
const notCont = rows.filter((r) => r.best !== 'continue');
const missed = notCont.filter((r) => r.action === 'continue').length / Math.max(1, notCont.length);
const delays = rows.map((r) => r.delay).filter((d): d is number => d !== undefined).sort((a, b) => a - b);
const q = (p: number) => (delays.length ? delays[Math.min(delays.length - 1, Math.ceil(p * delays.length) - 1)] : NaN);
const brier = rows.reduce((s, r) => s + (r.conf - (r.correct ? 1 : 0)) ** 2, 0) / n;
const rbOnNone = rows.filter((r) => r.cause === 'none' && r.action === 'rollback').length;
const missedRegr = rows.filter((r) => r.cause === 'deploy_regression' && !r.correct).length;
const maxMs = Math.max(...rows.map((r) => r.ms));
console.log(
  `scenarios=${n} accuracy=${acc.toFixed(3)} false_rollback=${falseRb.toFixed(3)} missed=${missed.toFixed(3)} ` +
    `median_delay=${q(0.5)} p90_delay=${q(0.9)} brier=${brier.toFixed(3)} rollback_on_none=${rbOnNone} regressions_wrong=${missedRegr} max_replay_ms=${maxMs.toFixed(0)}`,
);
