import { describe, expect, it } from 'vitest';
import type { Analysis, Features } from '../../src/core/types.js';
import { ACTIONS } from '../../src/core/types.js';
import { BanditPolicy, basis, createModel, expectedRewards, MAX_PROTOTYPES, NOVEL_BELOW, observe, type BanditModel } from '../../src/policy/bandit.js';
import { expertRewardMatrix } from '../../src/policy/expert-prior.js';
import { extractFeatures } from '../../src/policy/features.js';
import { learn } from '../../src/policy/learn.js';
import { RESIDUAL_FEATURES } from '../../src/policy/train.js';

// Outcomes in a state no prototype of the local residual covers: before, such a state had an
// all-zero basis and nothing could be learned there, however many outcomes came.
const base = extractFeatures({ at: 600_000, deployAt: 0, canary: false, coverage: {}, findings: [] }, 15);
const f = (over: Record<string, number>): Features => ({ ...base, ...over });
const analysis = { at: 900_000, deployAt: 0, findings: [], coverage: {}, canary: false } as Analysis;

const KNOWN: Features[] = [
  f({}),
  f({ err_bad: 1, err_delta: 0.05, health_bad: 1, log_new_error: 2, log_code: 40, code_share: 1, onset_steps: 2, onset_minutes: 0.5, onset_in_warmup: 1 }),
  f({ err_bad: 1, err_delta: 0.2, health_bad: 1, log_new_error: 3, dep_share: 1, log_dependency: 300, onset_steps: 1, onset_minutes: 0.25, onset_in_warmup: 1 }),
];
// errors and latency up eleven minutes after the deploy, no log line yet: the evidence says roll
// back; in this world it is a dependency outage every time
const LATE = f({ err_bad: 1, err_delta: 0.6, err_rel: 100, err_sig_up: 1, lat_bad: 1, lat_rel: 2, health_bad: 1, onset_steps: 11, onset_minutes: 11, max_severity: 0.97 });

function localModel(): BanditModel {
  const names = [...RESIDUAL_FEATURES];
  const probe = { featureNames: names, center: names.map(() => 0), scale: names.map(() => 1), hinge: false };
  const centers = KNOWN.map((s) => basis(probe, s).z);
  const m = createModel({ ...probe, version: 'novel-test', priorPrecision: 10, noiseVar: 0.25, rbf: { centers, width: 1, labels: centers.map(() => 'known'), newPrecision: 10 } });
  m.expert = { policy: 'scoring-v1', rewards: expertRewardMatrix() };
  return m;
}

describe('local residual: states no prototype covers', () => {
  it('gives a novel state a prototype of its own, which changes nothing until outcomes move it', () => {
    const m0 = localModel();
    expect(Math.max(...basis(m0, LATE).x)).toBeLessThan(NOVEL_BELOW);
    const m1 = learn(m0, [{ id: 'late-1', features: LATE, action: 'rollback', reward: -0.9 }], 'v1');
    expect(m1.rbf!.centers).toHaveLength(KNOWN.length + 1);
    expect(m1.rbf!.labels.at(-1)).toMatch(/learned online.*rollback/);
    expect(m0.rbf!.centers).toHaveLength(KNOWN.length); // learn is pure
    for (const a of ACTIONS) expect(m1.arms[a].precision).toHaveLength(KNOWN.length + 1);
    // the known states are too far from the new bump to be moved by it
    for (const s of KNOWN) {
      const before = expectedRewards(m0, s);
      const after = expectedRewards(m1, s);
      for (const a of ACTIONS) expect(after[a]).toBeCloseTo(before[a], 6);
    }
    // the same state again is covered now: no second prototype
    const m2 = learn(m1, [{ id: 'late-2', features: LATE, action: 'rollback', reward: -0.9 }], 'v2');
    expect(m2.rbf!.centers).toHaveLength(KNOWN.length + 1);
  });

  it('learns there from a few outcomes: the rollbacks that never helped stop being chosen', () => {
    let m = localModel();
    const decide = (mm: BanditModel, s: Features) => new BanditPolicy(mm).decide({ analysis, features: s, environment: 'production' });
    expect(decide(m, LATE).action).toBe('rollback');
    const knownBefore = KNOWN.map((s) => decide(m, s).action);
    for (let i = 0; i < 5; i++) m = learn(m, [{ id: `late-${i}`, features: LATE, action: 'rollback', reward: -0.9 }], `v${i}`);
    const after = decide(m, LATE);
    expect(after.action).not.toBe('rollback');
    expect(after.reasons.join(' ')).toMatch(/learned online/);
    expect(KNOWN.map((s) => decide(m, s).action)).toEqual(knownBefore);
  });

  it('stops adding prototypes at MAX_PROTOTYPES', () => {
    const m = localModel();
    // states on a grid 3 apart (bumps of width 1 fade below NOVEL_BELOW within 1.6)
    const grid = (i: number, k: number): number => 3 * (Math.floor(i / 3 ** k) % 3) - 3;
    for (let i = 0; i < MAX_PROTOTYPES + 20; i++) {
      observe(m, f({ load_ratio_recent: grid(i, 0), onset_minutes: grid(i, 1), log_dependency_warn: grid(i, 2), dep_share: grid(i, 3), cap_share: grid(i, 4), code_share: grid(i, 5) }), 'rollback', -0.9);
    }
    expect(m.rbf!.centers).toHaveLength(MAX_PROTOTYPES);
    expect(m.arms.rollback.b).toHaveLength(MAX_PROTOTYPES);
  });
});
