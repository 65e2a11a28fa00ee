import { describe, expect, it } from 'vitest';
import { ScoringPolicy } from '../../src/policy/scoring-policy.js';
import { extractFeatures } from '../../src/policy/features.js';
import type { Analysis } from '../../src/core/types.js';

const base = extractFeatures({ at: 300_000, deployAt: 0, canary: false, coverage: {}, findings: [] }, 15);
const decide = (over: Record<string, number>) => new ScoringPolicy().decide({ analysis: {} as Analysis, features: { ...base, ...over }, environment: 'production' });

describe('scoring policy', () => {
  it('continues when nothing is wrong', () => expect(decide({}).action).toBe('continue'));
  it('rolls back a version-specific error regression', () => {
    const d = decide({ err_bad: 1, err_delta: 0.05, health_bad: 1, log_new_error: 2, log_code: 40, code_share: 1 });
    expect(d.action).toBe('rollback');
    expect(d.confidence).toBeGreaterThan(0.8);
    expect(d.reasons.join(' ')).toMatch(/error rate/);
  });
  it('scales up a surge and escalates a dependency outage or missing data', () => {
    expect(decide({ err_bad: 1, err_delta: 0.03, lat_bad: 1, lat_rel: 2, health_bad: 1, load_up: 1, load_rel: 2, load_ratio_recent: 3, cap_share: 1 }).action).toBe('scale_up');
    expect(decide({ err_bad: 1, err_delta: 0.2, health_bad: 1, log_new_error: 3, dep_share: 1, log_dependency: 300 }).action).toBe('escalate');
    expect(decide({ data_gap: 1, gapped_metrics: 3 }).action).toBe('escalate');
  });
  it('does not blame the version when the stable group of a canary suffers equally', () => {
    expect(decide({ canary: 1, lat_bad: 1, lat_rel: 0.4, health_bad: 1 }).action).toBe('continue');
  });
  it('escalates a big degradation that began long after the deploy with nothing tying it to the version', () => {
    // error rate +25 points from 14 steps after the deploy, no logs, no canary difference, no restarts
    const late = decide({ err_bad: 1, err_delta: 0.25, err_rel: 30, health_bad: 1, onset_steps: 14 });
    expect(late.action).toBe('escalate');
    expect(late.reasons.join(' ')).toMatch(/14 steps after the deploy/);
    // the same change at the deploy is the version's
    expect(decide({ err_bad: 1, err_delta: 0.25, err_rel: 30, health_bad: 1, onset_steps: 2 }).action).toBe('rollback');
    // late but with new program faults in the logs: still the version
    expect(decide({ err_bad: 1, err_delta: 0.25, health_bad: 1, onset_steps: 14, log_new_error: 2, log_code: 50, code_share: 1 }).action).toBe('rollback');
  });
  it('is confident on clear-cut evidence, unsure on a thin margin', () => {
    const clear = decide({ err_bad: 1, err_delta: 0.07, health_bad: 1, log_new_error: 2, log_code: 40, code_share: 1, onset_steps: 2 });
    expect(clear.confidence).toBeGreaterThanOrEqual(0.93); // such cases are right ~98 % of the time (bench/judgment.ts)
    expect(clear.confidence).toBeLessThanOrEqual(0.97);
    // regression evidence barely above the bar and as much surge evidence: not far above a coin flip
    const split = decide({ err_bad: 1, err_delta: 0.01, lat_bad: 1, lat_rel: 0.2, health_bad: 1, canary: 1, canary_any_bad: 1, load_up: 1, load_rel: 2.5, load_ratio_recent: 3 });
    expect(split.confidence).toBeLessThan(clear.confidence);
    expect(split.confidence).toBeLessThan(clear.confidence - 0.05);
  });
  it('escalates when only warnings name the failing remote call while the error rate jumps', () => {
    const d = decide({ err_bad: 1, err_delta: 0.3, err_rel: 50, health_bad: 1, onset_steps: 7, log_new_warn: 1, log_dependency_warn: 12 });
    expect(d.action).toBe('escalate');
    expect(d.reasons[0]).toMatch(/warnings name failing remote calls/);
    // the same warnings beside new program faults do not excuse the version
    expect(decide({ err_bad: 1, err_delta: 0.3, health_bad: 1, onset_steps: 2, log_dependency_warn: 12, log_new_error: 2, log_code: 40, code_share: 1 }).action).toBe('rollback');
  });
  it('does not blame the deploy for a degradation already under way before it', () => {
    const d = decide({ err_bad: 1, err_delta: 0.35, lat_bad: 1, lat_rel: 3, health_bad: 1, onset_steps: 0, onset_in_warmup: 1, onset_before_deploy: 1 });
    expect(d.action).toBe('escalate');
    expect(d.reasons[0]).toMatch(/before the deploy/);
    expect(decide({ err_bad: 1, err_delta: 0.35, lat_bad: 1, lat_rel: 3, health_bad: 1, onset_steps: 0, onset_in_warmup: 1 }).action).toBe('rollback');
  });
});
