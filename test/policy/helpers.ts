// Small synthetic problems for the policy's unit tests: one feature per cause, so what the bandit
// should learn is known exactly.
import type { Action, Analysis, Features } from '../../src/core/types.js';
import { ACTIONS } from '../../src/core/types.js';
import { createModel, updateArm, basis, type BanditModel } from '../../src/policy/bandit.js';
import { seededRandom } from '../../src/core/random.js';

export const NAMES = ['err', 'load', 'dep', 'gap'];

export function analysisAt(at = 0): Analysis {
  return { at, deployAt: 0, findings: [], coverage: {}, canary: false };
}

/** A context where feature k is "on" (k = -1: healthy), with noise. */
export function context(k: number, rand: () => number): Features {
  const f: Features = {};
  NAMES.forEach((n, i) => (f[n] = (i === k ? 3 : 0) + 0.3 * (rand() - 0.5)));
  return f;
}

export const BEST: Action[] = ['rollback', 'scale_up', 'escalate', 'escalate'];
export function rewardOf(k: number, a: Action): number {
  const best = k < 0 ? 'continue' : BEST[k];
  return a === best ? 1 : a === 'continue' ? -0.2 : -1;
}

/** A bandit trained with full information on n synthetic contexts. */
export function trainedModel(n = 400, seed = 1): BanditModel {
  const m = createModel({ version: 'test-v1', featureNames: NAMES, center: [0, 0, 0, 0], scale: [1, 1, 1, 1], hinge: false });
  const rand = seededRandom(seed);
  for (let i = 0; i < n; i++) {
    const k = (i % 5) - 1;
    const { x } = basis(m, context(k, rand));
    for (const a of ACTIONS) updateArm(m.arms[a], x, rewardOf(k, a));
  }
  return m;
}
