import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/core/types.js';
import { ACTIONS } from '../../src/core/types.js';
import { deterministic, estimate, modelQ, promotionCheck, type LoggedDecision } from '../../src/policy/ope.js';
import { seededRandom } from '../../src/core/random.js';
import { learn } from '../../src/policy/learn.js';
import { BEST, context, rewardOf, trainedModel } from './helpers.js';

function uniformLogs(n: number, seed: number): LoggedDecision[] {
  const rand = seededRandom(seed);
  const out: LoggedDecision[] = [];
  for (let i = 0; i < n; i++) {
    const k = (i % 5) - 1;
    const action = ACTIONS[Math.floor(rand() * 4)];
    out.push({ features: { ...context(k, rand), k }, action, propensity: 0.25, reward: rewardOf(k, action) });
  }
  return out;
}
const oracle = deterministic((f) => (f.k < 0 ? 'continue' : BEST[f.k]) as Action);
const always = (a: Action) => deterministic(() => a);

describe('off-policy evaluation', () => {
  const logs = uniformLogs(2000, 5);
  it('IPS, SNIPS and DR recover the value of a policy from uniformly logged decisions', () => {
    const q = () => 0;
    const e = estimate(logs, oracle, q);
    expect(e.ips).toBeGreaterThan(0.85);
    expect(e.snips).toBeCloseTo(1, 1);
    expect(e.dr).toBeCloseTo(e.ips, 6); // q = 0: DR is IPS
    const bad = estimate(logs, always('rollback'), q);
    expect(bad.ips).toBeLessThan(0);
    expect(e.matchRate).toBeGreaterThan(0.2);
  });

  it('a good reward model makes DR closer to the truth than IPS on little data', () => {
    const model = trainedModel(400);
    const q = modelQ(model);
    const errs = { ips: 0, dr: 0 };
    for (let s = 0; s < 20; s++) {
      const small = uniformLogs(40, 100 + s);
      const e = estimate(small, oracle, q);
      errs.ips += (e.ips - 1) ** 2;
      errs.dr += (e.dr - 1) ** 2;
    }
    expect(errs.dr).toBeLessThan(errs.ips);
  });

  it('refuses to promote a candidate that got worse on the logged history', () => {
    const current = trainedModel(400);
    let worse = current;
    const f = { err: 3, load: 0, dep: 0, gap: 0 };
    for (let i = 0; i < 200; i++) worse = learn(worse, [{ id: 'x', features: f, action: 'rollback', reward: -1 }], 'w');
    const v = promotionCheck(uniformLogs(400, 9), worse, current);
    expect(v.promote).toBe(false);
    expect(promotionCheck(uniformLogs(400, 9), current, current).promote).toBe(true);
  });
});
