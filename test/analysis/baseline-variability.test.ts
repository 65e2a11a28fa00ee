// The metric judge measured against the baseline's own behaviour (issue 13): a metric on the rising
// side of its daily cycle, an autocorrelated wander, a restart counter reset by the deploy, and a
// regression landing right after an unrelated pre-deploy bump.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { lag1RankAutocorrelation } from '../../src/analysis/metric-judge.js';
import type { DeploymentSpec, Point } from '../../src/core/types.js';
import { normal, seededRandom } from '../../src/core/random.js';

const STEP = 30_000;
const DEPLOY = Date.parse('2026-03-01T08:00:00Z');
const dep: DeploymentSpec = { service: 'quotes', environment: 'production', version: 'v2', previousVersion: 'v1', at: DEPLOY, replicas: 4 };

function series(from: number, to: number, f: (k: number) => number): Point[] {
  const out: Point[] = [];
  for (let k = from; k <= to; k++) out.push([DEPLOY + k * STEP, f(k)]);
  return out;
}
function run(metrics: Record<string, Point[]>, nowK: number) {
  return analyze({ deployment: dep, bundle: { metrics, logs: [], spans: [], limits: {}, problems: [] }, now: DEPLOY + nowK * STEP, stepSeconds: 30 });
}

describe('judging against the baseline itself', () => {
  it('latency on the rising side of its daily cycle is not called a regression, and says why', () => {
    const r = seededRandom(3);
    // +45% per hour (a morning ramp), 3% noise: 30 min before to 20 min after the deploy
    const lat = series(-60, 40, (k) => 200 * Math.exp(0.45 * (k / 120)) * (1 + 0.03 * normal(r)));
    const a = run({ latency_p95_ms: lat }, 40);
    const f = a.findings.find((x) => x.id === 'metric_shift:latency_p95_ms');
    // either not a practical change against the last minutes before the deploy, or dated before
    // the deploy (the ramp began before it): both say "not the deploy's doing", in the text too
    if (f && f.stats.practical === 1) {
      expect(f.stats.pre_shift_steps).toBeGreaterThan(0);
      expect(f.text).toMatch(/already under way \d+ steps before the deploy/);
    } else if (f) expect(f.text).toMatch(/within the pre-deploy range/);
  });

  it('the same latency with a real regression on top is still found', () => {
    const r = seededRandom(3);
    const lat = series(-60, 40, (k) => 200 * Math.exp(0.45 * (k / 120)) * (1 + 0.03 * normal(r)) * (k >= 2 ? 1.8 : 1));
    const f = run({ latency_p95_ms: lat }, 12).findings.find((x) => x.id === 'metric_shift:latency_p95_ms');
    expect(f?.stats.practical).toBe(1);
    expect(f?.direction).toBe('up');
  });

  it('lag-1 rank autocorrelation: near 0 for independent samples, high for a wander', () => {
    const r = seededRandom(5);
    const iid = Array.from({ length: 120 }, () => normal(r));
    let x = 0;
    const ar = Array.from({ length: 120 }, () => (x = 0.9 * x + normal(r)));
    expect(lag1RankAutocorrelation(iid)).toBeLessThan(0.25);
    expect(lag1RankAutocorrelation(ar)).toBeGreaterThan(0.6);
  });

  it('a restart counter that the deploy reset to 0 counts the restarts since', () => {
    const restarts = series(-60, 20, (k) => (k < 0 ? 37 : k < 4 ? 0 : k - 3));
    const f = run({ restarts }, 20).findings.find((x) => x.id === 'restarts');
    expect(f?.stats.increase).toBe(17);
  });

  it('a regression landing after an unrelated pre-deploy bump is dated at the deploy', () => {
    const r = seededRandom(9);
    const lat = series(-60, 20, (k) => (k >= -12 && k < -4 ? 40 : 34) * (1 + 0.03 * normal(r)) * (k >= 1 ? 2.3 : 1));
    const f = run({ latency_p95_ms: lat }, 12).findings.find((x) => x.id === 'metric_shift:latency_p95_ms');
    expect(f?.stats.practical).toBe(1);
    expect(f?.stats.pre_shift_steps ?? 0).toBe(0);
    expect(f!.onset!).toBeGreaterThanOrEqual(DEPLOY);
  });
});
