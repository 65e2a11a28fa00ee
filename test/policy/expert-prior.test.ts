import { describe, expect, it } from 'vitest';
import type { Analysis, Features } from '../../src/core/types.js';
import { BanditPolicy, basis, createModel, posterior, withCauseEvidence, type BanditModel } from '../../src/policy/bandit.js';
import { expertRewardMatrix } from '../../src/policy/expert-prior.js';
import { extractFeatures } from '../../src/policy/features.js';
import { learn } from '../../src/policy/learn.js';
import { ScoringPolicy } from '../../src/policy/scoring-policy.js';
import { RESIDUAL_FEATURES } from '../../src/policy/train.js';

const base = extractFeatures({ at: 300_000, deployAt: 0, canary: false, coverage: {}, findings: [] }, 15);
const f = (over: Record<string, number>): Features => ({ ...base, ...over });
const analysis = { at: 300_000, deployAt: 0, findings: [], coverage: {}, canary: false } as Analysis;

const CASES: Record<string, Features> = {
  healthy: f({}),
  regression: f({ err_bad: 1, err_delta: 0.05, health_bad: 1, log_new_error: 2, log_code: 40, code_share: 1, onset_steps: 2 }),
  surge: f({ err_bad: 1, err_delta: 0.03, lat_bad: 1, lat_rel: 2, health_bad: 1, load_up: 1, load_rel: 2, load_ratio_recent: 3, cap_share: 1 }),
  outage: f({ err_bad: 1, err_delta: 0.2, health_bad: 1, log_new_error: 3, dep_share: 1, log_dependency: 300 }),
  noData: f({ data_gap: 1, gapped_metrics: 3 }),
  split: f({ err_bad: 1, err_delta: 0.01, lat_bad: 1, lat_rel: 0.2, health_bad: 1, canary: 1, canary_any_bad: 1, load_up: 1, load_rel: 2.5, load_ratio_recent: 3 }),
};

// standardized around a quiet deploy, as training standardizes around the typical tick
const QUIET = withCauseEvidence(base);

function expertModel(priorPrecision = 1000): BanditModel {
  const names = [...RESIDUAL_FEATURES];
  const m = createModel({ version: 'expert-test', featureNames: names, center: names.map((n) => QUIET[n] ?? 0), scale: names.map(() => 1), hinge: false, priorPrecision, noiseVar: 0.3 });
  m.expert = { policy: 'scoring-v1', rewards: expertRewardMatrix() };
  return m;
}

describe('bandit with the scoring policy as its prior mean', () => {
  it('starts from the scoring policy: same action, its confidence as P(best)', () => {
    const bandit = new BanditPolicy(expertModel());
    const scoring = new ScoringPolicy();
    for (const [name, features] of Object.entries(CASES)) {
      const b = bandit.decide({ analysis, features, environment: 'production' });
      const s = scoring.decide({ analysis, features, environment: 'production' });
      expect(b.action, name).toBe(s.action);
      expect(Math.abs(b.confidence - s.confidence), name).toBeLessThan(0.03);
      // the evidence that moved it comes first
      if (s.action !== 'continue') expect(b.reasons[0], name).toBe(s.reasons[0]);
    }
  });

  it('is less sure where its residual is uncertain (weak prior) than where it is not', () => {
    const firm = posterior(expertModel(1000), CASES.regression, 1).pBest.rollback;
    const loose = posterior(expertModel(1), CASES.regression, 1).pBest.rollback;
    expect(loose).toBeLessThan(firm - 0.05);
  });

  it('explores only where a decision is in play, never on a deploy that looks fine', () => {
    const p = new BanditPolicy(expertModel(30), { explore: true });
    const quiet = new Set<number | undefined>();
    const split = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const a = { ...analysis, at: analysis.at + i * 15_000 };
      const q = p.decide({ analysis: a, features: CASES.healthy, environment: 'staging' });
      expect(q.action).toBe('continue');
      quiet.add(q.propensity);
      const d = p.decide({ analysis: a, features: CASES.split, environment: 'staging' });
      split.add(d.action);
      expect(d.propensity).toBeLessThan(1);
    }
    expect([...quiet]).toEqual([1]);
    expect(split.size).toBeGreaterThan(1);
  });

  it('learns a local correction where the evidence misleads it, and only there', () => {
    // remote-call failures the logs call program faults: the evidence says roll back, rollbacks never help
    const misleading = f({ err_bad: 1, err_delta: 0.2, health_bad: 1, log_new_error: 2, code_share: 0.6, dep_share: 0.4, log_code: 60, log_dependency: 40, canary: 1, canary_any_bad: 0 });
    let m = localModel([...Object.values(CASES), misleading]);
    const p0 = new BanditPolicy(m).decide({ analysis, features: misleading, environment: 'production' });
    expect(p0.action).toBe('rollback');
    for (let i = 0; i < 40; i++) {
      m = learn(m, [
        { id: `o${i}`, features: misleading, action: 'rollback', reward: -0.9 },
        { id: `e${i}`, features: misleading, action: 'escalate', reward: 1 },
      ], `v${i}`);
    }
    const p1 = new BanditPolicy(m).decide({ analysis, features: misleading, environment: 'production' });
    expect(p1.action).toBe('escalate');
    expect(p1.reasons[0]).toMatch(/^the evidence alone points to rollback/);
    expect(p1.reasons.some((r) => r.startsWith('learned from outcomes of incidents like this one'))).toBe(true);
    // everything else decides as before
    const before = new BanditPolicy(localModel([...Object.values(CASES), misleading]));
    for (const [name, features] of Object.entries(CASES)) {
      expect(new BanditPolicy(m).decide({ analysis, features, environment: 'production' }).action, name).toBe(before.decide({ analysis, features, environment: 'production' }).action);
    }
  });
});

/** An expert-prior model with a local residual: one bump per given state. */
function localModel(states: Features[]): BanditModel {
  const names = [...RESIDUAL_FEATURES];
  const probe = { featureNames: names, center: names.map(() => 0), scale: names.map(() => 1), hinge: false };
  const centers = states.map((s) => basis(probe, s).z);
  const m = createModel({ ...probe, version: 'local-test', priorPrecision: 100, noiseVar: 0.3, rbf: { centers, width: 1, labels: centers.map(() => 'test') } });
  m.expert = { policy: 'scoring-v1', rewards: expertRewardMatrix() };
  return m;
}
