// Off-policy evaluation: before a candidate policy is promoted, its value is estimated on the logged
// decisions of the current one. Each logged decision carries the propensity the logging policy had
// of taking it (Decision.propensity) and the reward it earned.
// - IPS (inverse propensity scoring): mean of π(aᵢ|xᵢ)/pᵢ · rᵢ — unbiased, high variance.
// - SNIPS: the self-normalized version (divides by the sum of the weights), less variance.
// - DR (doubly robust): a reward model q̂ fills in for actions not taken, IPS corrects its bias:
//   mean of Σₐ π(a|xᵢ) q̂(xᵢ,a) + π(aᵢ|xᵢ)/pᵢ · (rᵢ − q̂(xᵢ,aᵢ)).
// Candidates here are deterministic (greedy in production), so π(a|x) is 1 for the action it
// would take and 0 otherwise.
import type { Action, Features } from '../core/types.js';
import { ACTIONS } from '../core/types.js';
import { expectedRewards, type BanditModel } from './bandit.js';

export interface LoggedDecision {
  features: Features;
  action: Action;
  /** probability the logging policy had of choosing `action` (1 for a greedy choice) */
  propensity: number;
  reward: number;
}

/** π(·|x) of the candidate: probabilities per action. */
export type CandidatePolicy = (features: Features) => Partial<Record<Action, number>>;

export function deterministic(choose: (f: Features) => Action): CandidatePolicy {
  return (f) => ({ [choose(f)]: 1 });
}

export interface OpeEstimate {
  n: number;
  ips: number;
  snips: number;
  dr: number;
  /** share of logged decisions where the candidate agrees with what was done */
  matchRate: number;
  /** standard error of the DR terms */
  drStdErr: number;
}

/** The reward model for DR: the posterior mean reward of a bandit model. */
export function modelQ(model: BanditModel): (f: Features, a: Action) => number {
  return (f, a) => expectedRewards(model, f)[a];
}

export function estimate(logs: readonly LoggedDecision[], candidate: CandidatePolicy, q: (f: Features, a: Action) => number, minPropensity = 0.01): OpeEstimate {
  const n = logs.length;
  if (n === 0) return { n: 0, ips: 0, snips: 0, dr: 0, matchRate: 0, drStdErr: 0 };
  let ips = 0;
  let wsum = 0;
  let wr = 0;
  let match = 0;
  const drTerms: number[] = [];
  for (const l of logs) {
    const pi = candidate(l.features);
    const p = Math.max(minPropensity, Math.min(1, l.propensity)); // clipped: bounded variance
    const w = (pi[l.action] ?? 0) / p;
    ips += w * l.reward;
    wsum += w;
    wr += w * l.reward;
    if ((pi[l.action] ?? 0) > 0.5) match++;
    let direct = 0;
    for (const a of ACTIONS) direct += (pi[a] ?? 0) * q(l.features, a);
    drTerms.push(direct + w * (l.reward - q(l.features, l.action)));
  }
  const dr = drTerms.reduce((a, b) => a + b, 0) / n;
  const varDr = drTerms.reduce((a, b) => a + (b - dr) ** 2, 0) / Math.max(1, n - 1);
  return { n, ips: ips / n, snips: wsum > 0 ? wr / wsum : 0, dr, matchRate: match / n, drStdErr: Math.sqrt(varDr / n) };
}

export interface PromotionVerdict {
  promote: boolean;
  reason: string;
  candidate: OpeEstimate;
  current: OpeEstimate;
}

/**
 * Promote a candidate only when, on the logged history, its doubly-robust value is not worse than
 * the current policy's by more than one standard error, and there is enough history to tell.
 */
export function promotionCheck(logs: readonly LoggedDecision[], candidate: BanditModel, current: BanditModel, minLogs = 20): PromotionVerdict {
  const q = modelQ(current);
  const greedy = (m: BanditModel): CandidatePolicy => {
    const qm = modelQ(m);
    return deterministic((f) => ACTIONS.reduce((a, b) => (qm(f, b) > qm(f, a) ? b : a)));
  };
  const c = estimate(logs, greedy(candidate), q);
  const k = estimate(logs, greedy(current), q);
  if (logs.length < minLogs) return { promote: true, reason: `only ${logs.length} logged decisions (< ${minLogs}): promoted on its conjugate update alone`, candidate: c, current: k };
  const ok = c.dr >= k.dr - Math.max(c.drStdErr, 1e-9);
  return {
    promote: ok,
    reason: ok ? `DR value ${c.dr.toFixed(3)} ≥ current ${k.dr.toFixed(3)} − 1 s.e.` : `DR value ${c.dr.toFixed(3)} below current ${k.dr.toFixed(3)} − 1 s.e. (${c.drStdErr.toFixed(3)})`,
    candidate: c,
    current: k,
  };
}
