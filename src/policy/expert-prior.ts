// The transparent scoring policy as the bandit's prior mean. The bandit does not rediscover from
// simulated incidents what the evidence model (scoring-policy.ts) already knows; it starts from it
// and learns corrections:
//
//   expected reward of action a  =  Σ_b P(b is the right action) · R[b][a]   (the expert's view)
//                                 +  θ_a · x(features)                          (learned residual)
//
// P(b is right) is the scoring policy's calibrated per-action probability (its `scores`), and
// R[b][a] is what action a earns when b is the right one (a typical row of the reward table in
// rewards.ts, one minute into an incident). With θ = 0 the greedy choice is the expert's choice and
// P(best) is its calibrated confidence; verified outcomes (and simulated ones in training) move θ.
// Why an offset and not only features: a linear model over the expert's evidence must first learn
// the expert's thresholds and gates back from data, and any mismatch between the simulator and real
// telemetry then shows up as wrong decisions (0.82 accuracy on the dev scenarios when it was tried).
import type { Action, Decision, Features } from '../core/types.js';
import { ACTIONS } from '../core/types.js';
import { extractFeatures } from './features.js';
import { reward } from './rewards.js';
import { scoreCauses, ScoringPolicy } from './scoring-policy.js';

export type RewardMatrix = Record<Action, Record<Action, number>>;

/** What action a earns (columns) when action b is right (rows), from the reward table. */
export function expertRewardMatrix(): RewardMatrix {
  const m = 1; // one minute into the incident: the table's per-minute terms barely matter here
  const row = (cause: Parameters<typeof reward>[1]['cause']): Record<Action, number> =>
    Object.fromEntries(ACTIONS.map((a) => [a, reward(a, { cause, minutesSinceOnset: cause === 'none' ? 0 : m, pastDeadline: false })])) as Record<Action, number>;
  return { continue: row('none'), rollback: row('deploy_regression'), scale_up: row('load_surge'), escalate: row('dependency_outage') };
}

/**
 * The transparent policy's evidence per cause, added as context features: the residual learns how
 * much to trust each cause's evidence where the expert is wrong, not the evidence itself.
 */
export const CAUSE_FEATURES = ['ev_regression', 'ev_surge', 'ev_dependency', 'ev_no_data', 'sp_rollback', 'sp_scale_up', 'sp_escalate'] as const;
const EXPERT = new ScoringPolicy();
const NO_ANALYSIS = { at: 0, deployAt: 0, findings: [], coverage: {}, canary: false };
/** every documented feature at its "nothing found" value, so partial feature sets are complete */
const DEFAULTS = extractFeatures(NO_ANALYSIS);

export interface ExpertView {
  /** the scoring policy's probability that each action is the right one */
  p: Record<Action, number>;
  decision: Decision;
}

/** The scoring policy's verdict on a (possibly partial) feature set. */
export function expertView(raw: Features): ExpertView {
  const decision = EXPERT.decide({ analysis: NO_ANALYSIS, features: { ...DEFAULTS, ...raw }, environment: 'production' });
  const s = decision.scores ?? {};
  const p = Object.fromEntries(ACTIONS.map((a) => [a, Math.max(0, s[a] ?? 0)])) as Record<Action, number>;
  const sum = ACTIONS.reduce((acc, a) => acc + p[a], 0) || 1;
  for (const a of ACTIONS) p[a] /= sum;
  return { p, decision };
}

/** Expected reward per action under the expert's probabilities (the prior mean). */
export function expertOffsets(rewards: RewardMatrix, p: Record<Action, number>): Record<Action, number> {
  const o = {} as Record<Action, number>;
  for (const a of ACTIONS) o[a] = ACTIONS.reduce((s, b) => s + p[b] * rewards[b][a], 0);
  return o;
}

export function withCauseEvidence(raw: Features): Features {
  if (typeof raw.ev_regression === 'number') return raw;
  const f = { ...DEFAULTS, ...raw };
  let c: ReturnType<typeof scoreCauses>;
  try {
    c = scoreCauses(f);
  } catch {
    return { ...raw, ev_regression: 0, ev_surge: 0, ev_dependency: 0, ev_no_data: 0, sp_rollback: 0, sp_scale_up: 0, sp_escalate: 0 };
  }
  const sum = (xs: Array<{ weight: number }>): number => xs.reduce((a, e) => a + e.weight, 0);
  // the expert's own verdict (its thresholds and gates), one-hot
  const d = EXPERT.decide({ analysis: NO_ANALYSIS, features: f, environment: 'production' });
  return {
    ...raw,
    ev_regression: sum(c.regression),
    ev_surge: sum(c.surge),
    ev_dependency: sum(c.dependency),
    ev_no_data: sum(c.noData),
    sp_rollback: d.action === 'rollback' ? 1 : 0,
    sp_scale_up: d.action === 'scale_up' ? 1 : 0,
    sp_escalate: d.action === 'escalate' ? 1 : 0,
  };
}
