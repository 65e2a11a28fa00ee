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
});
