import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractFeatures, FEATURE_NAMES } from '../../src/policy/features.js';

describe('features', () => {
  it('every feature is present, finite and documented', () => {
    const f = extractFeatures({ at: 60_000, deployAt: 0, canary: false, coverage: { error_rate: 0.5 }, findings: [] }, 15);
    const src = readFileSync(join(import.meta.dirname, '../../src/policy/features.ts'), 'utf8');
    for (const n of FEATURE_NAMES) {
      expect(Number.isFinite(f[n])).toBe(true);
      expect(src).toContain(`// | ${n} `);
    }
    expect(f.minutes_since_deploy).toBe(1);
    expect(f.coverage_min).toBe(0.5);
    expect(f.onset_steps).toBe(-1);
  });
  it('counts remote-call failures that are only warned about apart from error-level ones', () => {
    const log = (level_weight: number, kind_dependency: number, n: number) => ({
      id: `log_new:T${level_weight}${kind_dependency}`, kind: 'log_new' as const, subject: 't', severity: 0.4, direction: 'up' as const, comparison: 'before_after' as const,
      stats: { count_after: n, count_before: 0, level_weight, kind_dependency, kind_code: 0, kind_capacity: 0, kind_config: 0, kind_telemetry: 0 }, text: '',
    });
    const f = extractFeatures({ at: 600_000, deployAt: 0, canary: false, coverage: {}, findings: [log(0.25, 1, 9), log(0.25, 0, 4), log(1, 1, 5)] }, 15);
    expect(f.log_dependency_warn).toBe(9);
    expect(f.log_dependency).toBe(5);
    expect(f.log_new_warn).toBe(2);
    expect(f.dep_share).toBe(1); // shares stay over error-level templates only
  });
});
