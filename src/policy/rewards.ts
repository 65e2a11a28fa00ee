// The reward table: what each action is worth in each situation. One place, documented, so the
// policy's incentives can be read and argued about (and so the prior, the online updates and
// the off-policy estimates all agree on the same numbers).
//
// Rewards are per decision tick, in [-1, 1]. The situation is what really happened at that tick
// (known in simulation from the scenario's truth, in production from the verified outcome):
//
// | situation (at the tick)             | continue          | rollback | scale_up | escalate |
// |-------------------------------------|-------------------|----------|----------|----------|
// | healthy / before the onset          | +0.20             | -1.00    | -0.70    | -0.45    |
// | deploy regression (after onset)     | -0.15/min waited  | +1.00 -0.01/min | -0.50 | -0.05   |
// | deploy regression after deadline   | -1.00             | -0.30    | -0.70    | -0.40    |
// | load surge                          | -0.10/min waited  | -0.90    | +1.00    | -0.10    |
// | dependency outage                   | -0.10/min waited  | -0.90    | -0.50    | +1.00    |
// | no data (telemetry lost)            | -0.05/min waited  | -1.00    | -0.80    | +0.80    |
//
// Why these numbers:
// - A false rollback (rolling back a healthy deploy, or one that cannot help) is the most
//   expensive mistake: it throws away a good release and hides the real cause. -1 everywhere.
// - Waiting during a real incident costs per minute, capped at -1: the longer users suffer the
//   worse. Waiting while healthy is mildly good (+0.2): doing nothing is right most of the time.
// - Rolling back a regression quickly is the best outcome (+1, minus a little per minute of delay).
// - Escalating is the right call when the commander cannot fix it (an outage upstream, missing
//   telemetry); elsewhere it costs a person's attention (-0.45 when healthy) but is never as bad as
//   a wrong automatic action.
// - After the deadline (e.g. the projected out-of-memory time) the damage is done: every action is
//   poor and continuing is the worst.
import type { Action, Cause } from '../core/types.js';

export interface Situation {
  /** what is really happening at this tick ('none' also before an incident's onset) */
  cause: Cause;
  /** minutes since the incident's onset (0 when not started or healthy) */
  minutesSinceOnset: number;
  /** true when the incident's deadline (e.g. projected OOM) has passed */
  pastDeadline: boolean;
}

const WAIT_COST_PER_MIN: Record<Cause, number> = {
  none: 0,
  deploy_regression: 0.15,
  load_surge: 0.1,
  dependency_outage: 0.1,
  no_data: 0.05,
};

/** The reward of taking `action` in `situation` (table above). */
export function reward(action: Action, s: Situation): number {
  const m = Math.max(0, s.minutesSinceOnset);
  const wait = -Math.min(1, 0.05 + WAIT_COST_PER_MIN[s.cause] * m);
  switch (s.cause) {
    case 'none':
      return { continue: 0.2, rollback: -1, scale_up: -0.7, escalate: -0.45 }[action];
    case 'deploy_regression':
      if (s.pastDeadline) return { continue: -1, rollback: -0.3, scale_up: -0.7, escalate: -0.4 }[action];
      return { continue: wait, rollback: Math.max(0.5, 1 - 0.01 * m), scale_up: -0.5, escalate: -0.05 }[action];
    case 'load_surge':
      return { continue: wait, rollback: -0.9, scale_up: 1, escalate: -0.1 }[action];
    case 'dependency_outage':
      return { continue: wait, rollback: -0.9, scale_up: -0.5, escalate: 1 }[action];
    case 'no_data':
      return { continue: wait, rollback: -1, scale_up: -0.8, escalate: 0.8 }[action];
  }
}

/** The reward of every action in one situation (full information, as simulation gives it). */
export function rewardVector(s: Situation): Record<Action, number> {
  return {
    continue: reward('continue', s),
    rollback: reward('rollback', s),
    scale_up: reward('scale_up', s),
    escalate: reward('escalate', s),
  };
}

/** The action the table says is best in a situation. */
export function bestAction(s: Situation): Action {
  const r = rewardVector(s);
  return (Object.keys(r) as Action[]).reduce((a, b) => (r[b] > r[a] ? b : a));
}

/**
 * A verified outcome as a reward, for online learning from production: the commander does not
 * know the true cause there, only whether health recovered after what it did.
 * - acted and recovered: the action helped (+1 for a fix, +0.8 for an escalation a person resolved);
 * - acted and not recovered: it did not help (rollback/scale_up -0.9, escalate -0.2);
 * - continued and stayed healthy: +0.2; continued and it turned bad: the per-minute wait cost.
 */
export function outcomeReward(o: { action: Action; recovered: boolean; minutesWaited?: number }): number {
  if (o.action === 'continue') return o.recovered ? 0.2 : -Math.min(1, 0.05 + 0.15 * (o.minutesWaited ?? 0));
  if (o.action === 'escalate') return o.recovered ? 0.8 : -0.2;
  return o.recovered ? 1 : -0.9;
}
