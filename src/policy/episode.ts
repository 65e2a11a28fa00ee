// Playing incidents tick by tick and scoring the watch's decision, with the same rules as the
// scenario scorer (shared/tools/score-scenarios.py): the evaluated decision is the first one that is
// not `continue`; it is correct when it is the right action and neither early (before the onset) nor
// late (after the deadline or the data's end). Several deciders are played in one pass so baselines
// are measured on exactly the same ticks.
import type { Action, Analysis, Decision, DeploymentSpec, Features, Policy, SignalBundle } from '../core/types.js';
import type { Scenario, ScenarioTruth } from '../core/scenario.js';
import { parseTime } from '../core/time.js';
import { bundleAt, prepareScenario, tickTimes, type PreparedScenario } from './scenario-bundle.js';

/** The real pipeline's tick (loop/pipeline.ts evaluateTick), injected so policy/ stays below loop/. */
export type TickFn = (input: { deployment: DeploymentSpec; bundle: SignalBundle; now: number; stepSeconds: number; policy: Policy }) => {
  analysis: Analysis;
  features: Features;
  decision: Decision;
};

export interface TickContext {
  scenarioId: string;
  deployment: DeploymentSpec;
  bundle: SignalBundle;
  now: number;
  stepSeconds: number;
  analysis: Analysis;
  features: Features;
}

/** Anything that decides per tick: a Policy, or a baseline that reads raw signals. */
export interface Decider {
  readonly name: string;
  decide(ctx: TickContext): Decision;
}

export function policyDecider(name: string, policy: Policy): Decider {
  return { name, decide: (ctx) => policy.decide({ analysis: ctx.analysis, features: ctx.features, environment: ctx.deployment.environment }) };
}

/** A policy that always continues: used to compute features without deciding anything. */
export const NULL_POLICY: Policy = {
  version: 'null',
  decide: () => ({ action: 'continue', confidence: 0.5, reasons: [], policyVersion: 'null' }),
};

export interface EpisodeResult {
  scenarioId: string;
  decider: string;
  action: Action;
  /** epoch ms of the evaluated decision (undefined when it only continued) */
  at?: number;
  confidence: number;
  propensity: number;
  decision?: Decision;
  features?: Features;
}

export interface TickRecord {
  at: number;
  features: Features;
}

/**
 * Play one scenario through the pipeline's tick, asking every decider each tick until it acts.
 * `onTick` sees every tick's features (training collects them).
 */
export function playScenario(
  scenario: Scenario | PreparedScenario,
  deciders: Decider[],
  tick: TickFn,
  onTick?: (t: TickRecord) => void,
  /** which tick indexes to evaluate when no decider is active any more (training strides) */
  keepTick?: (k: number) => boolean,
): EpisodeResult[] {
  const p = 'logs' in scenario && 'start' in scenario ? (scenario as PreparedScenario) : prepareScenario(scenario as Scenario);
  const results = new Map<string, EpisodeResult>();
  const last = new Map<string, Decision>();
  const lastFeatures = new Map<string, Features>();
  const times = tickTimes(p);
  for (let k = 0; k < times.length; k++) {
    const now = times[k];
    const active = deciders.filter((d) => !results.has(d.name));
    if (active.length === 0 && !onTick) break;
    if (active.length === 0 && keepTick && !keepTick(k)) continue;
    const bundle = bundleAt(p, now);
    const { analysis, features } = tick({ deployment: p.deployment, bundle, now, stepSeconds: p.stepSeconds, policy: NULL_POLICY });
    onTick?.({ at: now, features });
    const ctx: TickContext = { scenarioId: p.id, deployment: p.deployment, bundle, now, stepSeconds: p.stepSeconds, analysis, features };
    for (const d of active) {
      const dec = d.decide(ctx);
      last.set(d.name, dec);
      lastFeatures.set(d.name, features);
      if (dec.action !== 'continue') {
        results.set(d.name, { scenarioId: p.id, decider: d.name, action: dec.action, at: now, confidence: dec.confidence, propensity: dec.propensity ?? 1, decision: dec, features });
      }
    }
  }
  return deciders.map(
    (d) =>
      results.get(d.name) ?? {
        scenarioId: p.id,
        decider: d.name,
        action: 'continue' as Action,
        confidence: last.get(d.name)?.confidence ?? 0.5,
        propensity: last.get(d.name)?.propensity ?? 1,
        decision: last.get(d.name),
        features: lastFeatures.get(d.name),
      },
  );
}

export interface Scored extends EpisodeResult {
  best: Action;
  correct: boolean;
  early: boolean;
  late: boolean;
  /** detection delay in steps for correct non-continue decisions */
  delaySteps?: number;
  family?: string;
}

/** What scoring needs from a scenario (so the big parts can be dropped once played). */
export interface ScoreInfo {
  id: string;
  truth: ScenarioTruth;
  deployAt: number;
  stepSeconds: number;
  /** latest timestamp of any data */
  end: number;
  family?: string;
}

export function scoreInfo(s: Scenario, family?: string): ScoreInfo {
  if (!s.truth) throw new Error(`scenario ${s.id} has no truth to score against`);
  return { id: s.id, truth: s.truth, deployAt: parseTime(s.deployment.at), stepSeconds: s.stepSeconds, end: scenarioEnd(s), family };
}

/** Score one evaluated decision against the truth (score-scenarios.py rules). */
export function scoreResult(info: ScoreInfo, r: EpisodeResult): Scored {
  const truth = info.truth;
  const best = truth.bestAction;
  const family = info.family;
  if (r.action === 'continue' || r.at === undefined) return { ...r, best, correct: best === 'continue', early: false, late: false, family };
  const onset = truth.onset ? parseTime(truth.onset) : undefined;
  let deadline = truth.deadline ? parseTime(truth.deadline) : undefined;
  deadline = deadline === undefined ? info.end : Math.min(deadline, info.end);
  const early = onset !== undefined && r.at < onset;
  const late = r.at > deadline;
  const correct = r.action === best && !early && !late;
  const delaySteps = correct ? (r.at - Math.max(onset ?? info.deployAt, info.deployAt)) / 1000 / info.stepSeconds : undefined;
  return { ...r, best, correct, early, late, delaySteps, family };
}

/** latest timestamp in metrics, baselineMetrics or logs (nothing can be decided after it) */
export function scenarioEnd(s: Scenario): number {
  let m = parseTime(s.deployment.at);
  for (const group of [s.metrics, s.baselineMetrics ?? {}]) {
    for (const pts of Object.values(group)) if (pts && pts.length) m = Math.max(m, parseTime(pts[pts.length - 1][0]));
  }
  for (const l of s.logs) m = Math.max(m, parseTime(l.at));
  return m;
}

export interface Metrics {
  n: number;
  accuracy: number;
  falseRollback: number;
  missed: number;
  missedRegressions: number;
  medianDelay: number | null;
  p90Delay: number | null;
  brier: number;
}

function pct(xs: number[], q: number): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function metrics(rows: Scored[]): Metrics {
  const n = rows.length;
  const notRollback = rows.filter((r) => r.best !== 'rollback');
  const notContinue = rows.filter((r) => r.best !== 'continue');
  const regressions = rows.filter((r) => r.best === 'rollback');
  const delays = rows.filter((r) => r.correct && r.delaySteps !== undefined).map((r) => r.delaySteps as number);
  return {
    n,
    accuracy: n ? rows.filter((r) => r.correct).length / n : 0,
    falseRollback: notRollback.length ? notRollback.filter((r) => r.action === 'rollback').length / notRollback.length : 0,
    missed: notContinue.length ? notContinue.filter((r) => r.action === 'continue').length / notContinue.length : 0,
    missedRegressions: regressions.filter((r) => r.action === 'continue').length,
    medianDelay: pct(delays, 0.5),
    p90Delay: pct(delays, 0.9),
    brier: n ? rows.reduce((s, r) => s + (r.confidence - (r.correct ? 1 : 0)) ** 2, 0) / n : 0,
  };
}

/** Reliability table: confidence bins with mean confidence and observed accuracy. */
export function reliability(rows: Array<{ confidence: number; correct: boolean }>, bins = 5): Array<{ lo: number; hi: number; n: number; meanConfidence: number; accuracy: number }> {
  const out = [];
  for (let i = 0; i < bins; i++) {
    const lo = i / bins;
    const hi = (i + 1) / bins;
    const inBin = rows.filter((r) => r.confidence >= lo && (i === bins - 1 ? r.confidence <= hi : r.confidence < hi));
    out.push({
      lo,
      hi,
      n: inBin.length,
      meanConfidence: inBin.length ? inBin.reduce((s, r) => s + r.confidence, 0) / inBin.length : 0,
      accuracy: inBin.length ? inBin.filter((r) => r.correct).length / inBin.length : 0,
    });
  }
  return out;
}
