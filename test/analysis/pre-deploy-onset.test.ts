// A degradation already under way before the deploy (a dependency outage) must be dated before
// the deploy, so it is not taken for a regression of the new version; one that starts after the
// deploy must not. Real-shaped series: 30 s steps, a 30 min baseline, a noisy low error rate.
import { describe, expect, it } from 'vitest';
import { analyze, splitPreShift } from '../../src/analysis/analyze.js';
import type { DeploymentSpec, Point } from '../../src/core/types.js';
import { seededRandom, normal } from '../../src/core/random.js';

const STEP = 30_000;
const DEPLOY = Date.parse('2026-03-01T12:00:00Z');
const dep: DeploymentSpec = { service: 'checkout', environment: 'production', version: 'v2', previousVersion: 'v1', at: DEPLOY, replicas: 3 };

/** Error rate 0.4% ± noise from 60 steps before the deploy to 20 after; `bad(k)` adds the incident. */
function errorRate(seed: number, bad: (k: number) => boolean): Point[] {
  const r = seededRandom(seed);
  const out: Point[] = [];
  for (let k = -60; k <= 20; k++) {
    const base = Math.max(0, 0.004 + 0.0015 * normal(r));
    out.push([DEPLOY + k * STEP, bad(k) ? base + 0.25 * (0.85 + 0.3 * r()) : base]);
  }
  return out;
}

function finding(err: Point[], nowK: number) {
  const a = analyze({ deployment: dep, bundle: { metrics: { error_rate: err }, logs: [], spans: [], limits: {}, problems: [] }, now: DEPLOY + nowK * STEP, stepSeconds: 30 });
  return a.findings.find((f) => f.id === 'metric_shift:error_rate');
}

describe('onset of a change that began before the deploy', () => {
  for (const start of [-3, -4, -5]) {
    it(`an outage from ${-start} steps before the deploy is dated before it`, () => {
      const f = finding(errorRate(10 - start, (k) => k >= start), 8);
      expect(f).toBeDefined();
      expect(f!.direction).toBe('up');
      expect(f!.stats.pre_shift_steps).toBe(-start);
      expect(f!.onset).toBe(DEPLOY + start * STEP);
    });
  }

  it('an outage that began long before the deploy is found although the shorter tails it contains are not beyond their own earlier samples', () => {
    // 19 of 60 baseline samples are already degraded: a 3-sample tail's "earlier samples" hold
    // the other 16, whose range covers the new level
    const f = finding(errorRate(31, (k) => k >= -19), 8);
    expect(f!.stats.pre_shift_steps).toBe(19);
    expect(f!.onset).toBe(DEPLOY - 19 * STEP);
  });

  it('a flapping outage (on and off) before the deploy is dated from its first bad sample', () => {
    const on = new Set([-5, -4, -2, -1, 1, 2, 3, 5, 6, 7, 9, 10, 12, 13, 14, 16, 17, 19, 20]);
    const err = errorRate(41, (k) => on.has(k));
    expect(splitPreShift(err.filter((p) => p[0] < DEPLOY).map((p) => p[1])).shifted).toBe(5);
    const f = finding(err, 20);
    expect(f!.stats.pre_shift_steps).toBe(5);
    expect(f!.onset).toBe(DEPLOY - 5 * STEP);
  });

  it('a regression that starts right after the deploy is dated after it', () => {
    for (const start of [0, 1, 2]) {
      const f = finding(errorRate(50 + start, (k) => k >= start), 10);
      expect(f).toBeDefined();
      expect(f!.stats.pre_shift_steps).toBeUndefined();
      expect(f!.onset).toBeGreaterThanOrEqual(DEPLOY);
    }
  });

  it('a healthy baseline, or one passing blip in it, is not a change before the deploy', () => {
    for (let seed = 60; seed < 80; seed++) {
      const before = errorRate(seed, () => false).filter((p) => p[0] < DEPLOY).map((p) => p[1]);
      expect(splitPreShift(before).shifted).toBe(0);
      const blip = errorRate(seed, (k) => k >= -8 && k <= -6).filter((p) => p[0] < DEPLOY).map((p) => p[1]);
      expect(splitPreShift(blip).shifted).toBe(0);
    }
  });
});
