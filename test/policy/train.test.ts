// Training on a synthetic tick (features computed straight from the signals) so the machinery is
// tested in seconds; the real pipeline is exercised by test/cli/train.test.ts and `train` itself.
import { describe, expect, it } from 'vitest';
import type { Features } from '../../src/core/types.js';
import type { TickFn } from '../../src/policy/episode.js';
import { fitCalibration, situationAt, trainPrior } from '../../src/policy/train.js';
import { BanditPolicy } from '../../src/policy/bandit.js';

/** error rate, latency, request rate and coverage after vs before the deploy */
const quickTick: TickFn = ({ deployment, bundle, now }) => {
  const f: Features = { minutes_since_deploy: (now - deployment.at) / 60_000 };
  for (const m of ['error_rate', 'latency_p95_ms', 'request_rate']) {
    const pts = bundle.metrics[m] ?? [];
    const before = pts.filter((p) => p[0] < deployment.at).map((p) => p[1]);
    const after = pts.filter((p) => p[0] >= deployment.at && p[0] > now - 120_000).map((p) => p[1]);
    const avg = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0);
    f[`${m}_ratio`] = after.length ? Math.min(50, (avg(after) + 1e-3) / (avg(before) + 1e-3)) : 1;
    f[`${m}_missing`] = now - deployment.at > 90_000 && after.length === 0 ? 1 : 0;
  }
  const analysis = { at: now, deployAt: deployment.at, findings: [], coverage: {}, canary: !!bundle.baselineMetrics };
  return { analysis, features: f, decision: { action: 'continue', confidence: 0.5, reasons: [], policyVersion: 'null' } };
};

describe('training the prior', () => {
  const families = ['healthy', 'error_regression', 'no_data'] as const;
  // the synthetic tick's features are not the ones the scoring policy reads: no expert prior mean
  const run = () => trainPrior({ seed: 3, scenarios: 9, heldOut: 6, families, tick: quickTick, stride: 6, expert: false, residualFeatures: 'all', prototypes: 0, priorPrecisions: [1] });

  it('is reproducible from the seed and learns something useful', () => {
    const a = run();
    const b = run();
    expect(JSON.stringify(b.model)).toBe(JSON.stringify(a.model));
    expect(a.report.ticks).toBeGreaterThan(50);
    expect(a.report.heldOut.accuracy).toBeGreaterThan(0.5);
    expect(a.model.memory.length).toBe(9);
    // an obvious regression is rolled back by the trained policy
    const p = new BanditPolicy(a.model);
    const d = p.decide({ analysis: { at: 0, deployAt: 0, findings: [], coverage: {}, canary: false }, features: { minutes_since_deploy: 3, error_rate_ratio: 40, latency_p95_ms_ratio: 1, request_rate_ratio: 1, error_rate_missing: 0, latency_p95_ms_missing: 0, request_rate_missing: 0 }, environment: 'production' });
    expect(d.action).toBe('rollback');
  }, 60_000);

  it('rewards the truth at each tick: nothing is wrong before the onset', () => {
    const truth = { cause: 'deploy_regression' as const, onset: '2026-01-01T00:05:00Z', bestAction: 'rollback' as const, deadline: '2026-01-01T00:20:00Z' };
    const dep = Date.parse('2026-01-01T00:00:00Z');
    expect(situationAt(truth, dep + 60_000, dep).cause).toBe('none');
    expect(situationAt(truth, dep + 7 * 60_000, dep)).toMatchObject({ cause: 'deploy_regression', minutesSinceOnset: 2, pastDeadline: false });
    expect(situationAt(truth, dep + 30 * 60_000, dep).pastDeadline).toBe(true);
  });

  it('fits a monotone calibration map', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ confidence: i / 200, correct: (i * 7919) % 200 < i }));
    const c = fitCalibration(rows);
    for (let i = 1; i < c.y.length; i++) expect(c.y[i]).toBeGreaterThanOrEqual(c.y[i - 1]);
    expect(c.y[0]).toBeLessThan(0.3);
    expect(c.y.at(-1)).toBeGreaterThan(0.7);
  });
});
