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
});
