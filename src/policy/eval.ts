// Evaluation against baselines measured in the same run, on the same ticks: the learning policy
// (bandit), the transparent ScoringPolicy, Argo-Rollouts-style thresholds, a Kayenta-style judge and
// the oracle. Accuracy, false-rollback rate, missed incidents, median and p90 detection delay in
// steps and the Brier score, scored with the scenario scorer's rules (episode.ts).
import type { Scenario, ScenarioTruth } from '../core/scenario.js';
import type { Policy } from '../core/types.js';
import { argoDecider, kayentaDecider, oracleDecider } from './baselines.js';
import { metrics, playScenario, policyDecider, reliability, scoreInfo, scoreResult, type Decider, type Metrics, type Scored, type TickFn } from './episode.js';

export interface EvalCase {
  scenario: Scenario;
  family?: string;
}

export interface EvalSet {
  name: string;
  n: number;
  deciders: string[];
  metrics: Record<string, Metrics>;
  perFamily: Record<string, Record<string, { correct: number; n: number }>>;
  reliability: Record<string, ReturnType<typeof reliability>>;
  rows: Scored[];
}

export function evaluateSet(name: string, cases: EvalCase[], policies: Record<string, Policy>, tick: TickFn, progress?: (done: number, total: number) => void): EvalSet {
  const truths = new Map<string, ScenarioTruth>();
  for (const c of cases) if (c.scenario.truth) truths.set(c.scenario.id, c.scenario.truth);
  const rows: Scored[] = [];
  cases.forEach((c, i) => {
    if (!c.scenario.truth) return;
    // Argo counts failures per analysis run: a fresh instance per scenario.
    const deciders: Decider[] = [...Object.entries(policies).map(([n, p]) => policyDecider(n, p)), argoDecider(), kayentaDecider(), oracleDecider(truths)];
    const info = scoreInfo(c.scenario, c.family ?? `${c.scenario.truth.cause}${c.scenario.baselineMetrics ? '+canary' : ''}`);
    for (const r of playScenario(c.scenario, deciders, tick)) rows.push(scoreResult(info, r));
    progress?.(i + 1, cases.length);
  });
  const names = [...new Set(rows.map((r) => r.decider))];
  const out: EvalSet = { name, n: cases.length, deciders: names, metrics: {}, perFamily: {}, reliability: {}, rows };
  for (const d of names) {
    const mine = rows.filter((r) => r.decider === d);
    out.metrics[d] = metrics(mine);
    out.reliability[d] = reliability(mine, 10);
    const fam: Record<string, { correct: number; n: number }> = {};
    for (const r of mine) {
      const f = (fam[r.family ?? '?'] ??= { correct: 0, n: 0 });
      f.n++;
      if (r.correct) f.correct++;
    }
    out.perFamily[d] = fam;
  }
  return out;
}

const fmt = (v: number | null, nd = 3): string => (v === null ? '-' : v.toFixed(nd));

/** The table `devops-commander eval` prints. */
export function formatSet(s: EvalSet): string {
  const lines = [`== ${s.name}: ${s.n} incidents`, 'decider            accuracy  false_rb  missed  missed_reg  med_delay  p90_delay  brier'];
  for (const d of s.deciders) {
    const m = s.metrics[d];
    lines.push(`${d.padEnd(18)} ${fmt(m.accuracy).padStart(8)}  ${fmt(m.falseRollback).padStart(8)}  ${fmt(m.missed).padStart(6)}  ${String(m.missedRegressions).padStart(10)}  ${fmt(m.medianDelay, 1).padStart(9)}  ${fmt(m.p90Delay, 1).padStart(9)}  ${fmt(m.brier).padStart(5)}`);
  }
  const fams = [...new Set(s.rows.map((r) => r.family ?? '?'))].sort();
  lines.push('', `accuracy per family   ${s.deciders.map((d) => d.slice(0, 12).padStart(12)).join(' ')}`);
  for (const f of fams) lines.push(`${f.padEnd(22)}${s.deciders.map((d) => { const x = s.perFamily[d][f]; return (x ? `${x.correct}/${x.n}` : '-').padStart(12); }).join(' ')}`);
  for (const d of s.deciders.filter((x) => x === 'bandit' || x === 'scoring')) {
    lines.push('', `reliability (${d}): confidence bin → n, mean confidence, accuracy`);
    for (const b of s.reliability[d]) if (b.n) lines.push(`  [${b.lo.toFixed(1)}, ${b.hi.toFixed(1)}${b.hi === 1 ? ']' : ')'}  n=${String(b.n).padStart(4)}  conf=${b.meanConfidence.toFixed(3)}  acc=${b.accuracy.toFixed(3)}`);
  }
  return lines.join('\n');
}
