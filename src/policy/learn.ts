// Online learning: a verified outcome becomes a reward (rewards.ts) and one conjugate update of the
// acted-on action's posterior (its residual around the expert prior mean, bandit.ts observe).
// Pure: returns a NEW model (the caller stores it as a new version), the input model is never
// modified. Only the action that was taken learns (bandit feedback): in
// production the commander cannot know what another action would have earned.
import type { Action, Features, Outcome } from '../core/types.js';
import { cloneModel, observe, remember, type BanditModel } from './bandit.js';
import { outcomeReward } from './rewards.js';

export interface Experience {
  /** features the decision was made on */
  features: Features;
  action: Action;
  reward: number;
  /** where it came from (deployment id or scenario id), for the "similar incidents" memory */
  id: string;
  label?: string;
}

/** Rewards are clipped so one odd outcome cannot swing the policy far (never reckless). */
export const MAX_ABS_REWARD = 1;

export function learn(model: BanditModel, batch: readonly Experience[], version: string): BanditModel {
  const next = cloneModel(model);
  next.version = version;
  for (const e of batch) {
    const r = Math.max(-MAX_ABS_REWARD, Math.min(MAX_ABS_REWARD, e.reward));
    if (!Number.isFinite(r)) continue;
    const z = observe(next, e.features, e.action, r, 1, `${e.action}${e.label ? ', ' + e.label : ''}`);
    remember(next, { id: e.id, z, action: e.action, reward: r, ...(e.label ? { label: e.label } : {}) });
  }
  return next;
}

/** A verified outcome of one watch as an experience (the decision that was acted on, its features). */
export function experienceFromOutcome(o: { deploymentId: string; features: Features; outcome: Outcome; minutesWaited?: number }): Experience {
  const reward = o.outcome.reward ?? outcomeReward({ action: o.outcome.action, recovered: o.outcome.recovered, minutesWaited: o.minutesWaited });
  return { id: o.deploymentId, features: o.features, action: o.outcome.action, reward, label: o.outcome.recovered ? 'recovered' : 'not recovered' };
}
