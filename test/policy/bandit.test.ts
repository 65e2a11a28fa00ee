import { describe, expect, it } from 'vitest';
import { BanditPolicy, basis, calibrate, posterior, type BanditModel } from '../../src/policy/bandit.js';
import { seededRandom } from '../../src/core/random.js';
import { analysisAt, BEST, context, trainedModel } from './helpers.js';

describe('Thompson-sampling bandit', () => {
  const model = trainedModel();

  it('learns which action is best in each context', () => {
    const p = new BanditPolicy(model);
    const rand = seededRandom(9);
    for (let k = -1; k < 4; k++) {
      const d = p.decide({ analysis: analysisAt(), features: context(k, rand), environment: 'production' });
      expect(d.action).toBe(k < 0 ? 'continue' : BEST[k]);
      expect(d.confidence).toBeGreaterThan(0.5);
      expect(d.confidence).toBeLessThanOrEqual(1);
      expect(d.policyVersion).toBe('test-v1');
    }
  });

  it('is deterministic, and P(best) sums to one', () => {
    const p = new BanditPolicy(model);
    const f = context(0, seededRandom(3));
    const a = p.decide({ analysis: analysisAt(5), features: f, environment: 'staging' });
    const b = p.decide({ analysis: analysisAt(5), features: f, environment: 'staging' });
    expect(b).toEqual(a);
    const post = posterior(model, f, 1);
    expect(Object.values(post.pBest).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 6);
  });

  it('is uncertain where it has seen nothing, and names the features that moved it', () => {
    const p = new BanditPolicy(model);
    const unseen = { err: 3, load: 3, dep: 3, gap: 0 };
    const d = p.decide({ analysis: analysisAt(), features: unseen, environment: 'staging' });
    const sure = p.decide({ analysis: analysisAt(), features: context(0, seededRandom(4)), environment: 'staging' });
    expect(d.confidence).toBeLessThan(sure.confidence);
    expect(sure.reasons[0]).toMatch(/^err=/);
  });

  it('never explores on production; explores (propensity < 1) only outside it', () => {
    const p = new BanditPolicy(model, { explore: true });
    const rand = seededRandom(11);
    const actions = new Set<string>();
    let explored = false;
    for (let i = 0; i < 60; i++) {
      const f = { err: 1.5 + rand(), load: 1.5 + rand(), dep: 0, gap: 0 };
      const prod = p.decide({ analysis: analysisAt(i), features: f, environment: 'production' });
      expect(prod.propensity).toBe(1);
      const st = p.decide({ analysis: analysisAt(i), features: f, environment: 'staging' });
      actions.add(st.action);
      if ((st.propensity ?? 1) < 1) explored = true;
    }
    expect(explored).toBe(true);
    expect(actions.size).toBeGreaterThan(1);
  });

  it('does not act below the acting threshold, and applies the calibration map', () => {
    const strict: BanditModel = { ...model, actThreshold: 1.01 };
    const d = new BanditPolicy(strict).decide({ analysis: analysisAt(), features: context(0, seededRandom(2)), environment: 'production' });
    expect(d.action).toBe('continue');
    const cal: BanditModel = { ...model, calibration: { x: [0, 0.5, 1], y: [0.1, 0.4, 0.8] } };
    expect(calibrate(cal, 1)).toBeCloseTo(0.8);
    expect(calibrate(cal, 0.75)).toBeCloseTo(0.6);
    expect(calibrate(model, 0.3)).toBe(0.3);
  });

  it('treats missing or non-finite features as the average case', () => {
    const { z } = basis(model, { err: Number.NaN });
    expect(z).toEqual([0, 0, 0, 0]);
  });
});
