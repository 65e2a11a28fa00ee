// Per-service thresholds: a metric above its configured limit after the warm-up is a finding the
// summary shows; it never breaches on missing data; it turns only a `continue` into an
// escalation, and the policy's own inputs are the same with or without thresholds.
import { describe, expect, it } from 'vitest';
import type { Point, SignalBundle } from '../../src/core/types.js';
import { applyThresholds, thresholdFindings } from '../../src/analysis/thresholds.js';
import { evaluateTick } from '../../src/loop/pipeline.js';
import { ScoringPolicy } from '../../src/policy/scoring-policy.js';

const at = Date.parse('2026-03-02T12:00:00Z');
const step = 15;
const deployment = { service: 'checkout', environment: 'production', version: 'v2.0.0', previousVersion: 'v1.9.0', at };

/** A metric every 15 s from 30 min before the deploy to `until` min after, level by phase, with a little deterministic wobble. */
function series(before: number, after: number, untilMin = 5, from = -30): Point[] {
  const pts: Point[] = [];
  for (let t = at + from * 60_000, i = 0; t <= at + untilMin * 60_000; t += step * 1000, i++) {
    const level = t < at ? before : after;
    pts.push([t, level * (1 + 0.04 * Math.sin(i * 1.7))]);
  }
  return pts;
}

const bundle = (metrics: SignalBundle['metrics']): SignalBundle => ({ metrics, logs: [], spans: [], limits: {}, problems: [] });
const now = at + 5 * 60_000;

describe('thresholdFindings', () => {
  it('finds a metric above its limit after the warm-up, with the numbers behind it', () => {
    const f = thresholdFindings({ deployment, metrics: { error_rate: series(0.004, 0.031), latency_p95_ms: series(120, 130) }, thresholds: { error_rate: 0.02, latency_p95_ms: 800 }, now, stepSeconds: step });
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ id: 'threshold:error_rate', kind: 'threshold', subject: 'error_rate', stats: { threshold: 0.02, samples: 5, samples_above: 5, breached_before: 0 } });
    expect(f[0].text).toMatch(/^Error rate 3\.\d+% is above this service's threshold of 2% \(5 of the last 5 samples\); 0\.4% before the deploy$/);
    expect(f[0].severity).toBeCloseTo(0.9);
  });

  it('says when the metric was above the limit before the deploy already, and weighs it less', () => {
    const [f] = thresholdFindings({ deployment, metrics: { latency_p95_ms: series(900, 950) }, thresholds: { latency_p95_ms: 800 }, now, stepSeconds: step });
    expect(f.stats.breached_before).toBe(1);
    expect(f.text).toMatch(/and was above it before the deploy \(900 ms\)/);
    expect(f.severity).toBeCloseTo(0.75);
  });

  it('never breaches on missing data, on the warm-up alone, or below the limit', () => {
    const none = (metrics: SignalBundle['metrics'], n = now) => thresholdFindings({ deployment, metrics, thresholds: { error_rate: 0.02 }, now: n, stepSeconds: step });
    expect(none({})).toEqual([]);
    expect(none({ error_rate: series(0.004, 0.05, 5, -30).filter((p) => p[0] < at) })).toEqual([]); // nothing after the deploy
    expect(none({ error_rate: series(0.004, 0.05) }, at + 50_000)).toEqual([]); // still warming up (45 s) and only one sample after
    expect(none({ error_rate: series(0.004, 0.019) })).toEqual([]);
    // a gap: only two samples after the warm-up
    expect(none({ error_rate: series(0.004, 0.05).filter((p, i, a) => p[0] < at + 45_000 || i >= a.length - 2) })).toEqual([]);
  });

  it('counts restarts since the deploy, not the counter since the pods started', () => {
    const restarts: Point[] = series(7, 7).map(([t]) => [t, t < at + 90_000 ? 7 : 10]);
    expect(thresholdFindings({ deployment, metrics: { restarts }, thresholds: { restarts: 5 }, now, stepSeconds: step })).toEqual([]);
    const [f] = thresholdFindings({ deployment, metrics: { restarts }, thresholds: { restarts: 2 }, now, stepSeconds: step });
    expect(f.text).toMatch(/^Restarts since the deploy 3 is above this service's threshold of 2/);
  });

  it('is not fooled by metric names that are Object.prototype keys', () => {
    expect(thresholdFindings({ deployment, metrics: {}, thresholds: { constructor: 1, toString: 0 }, now, stepSeconds: step })).toEqual([]);
  });
});

describe('a breach in the judgment', () => {
  const policy = new ScoringPolicy();

  it('escalates what the policy would continue, shows it in the summary, leaves the policy inputs alone', () => {
    // latency was already above the service's limit before the deploy: no change, but not healthy
    const b = bundle({ error_rate: series(0.004, 0.004), latency_p95_ms: series(950, 960), request_rate: series(50, 50) });
    const plain = evaluateTick({ deployment, bundle: b, now, stepSeconds: step, policy });
    const judged = evaluateTick({ deployment, bundle: b, now, stepSeconds: step, policy, thresholds: { latency_p95_ms: 800 } });
    expect(plain.decision.action).toBe('continue');
    expect(judged.decision).toMatchObject({ action: 'escalate', overriddenBy: 'thresholds', propensity: 1 });
    expect(judged.decision.confidence).toBeCloseTo(6 / 7);
    expect(judged.decision.reasons[0]).toMatch(/p95 latency .* above this service's threshold of 800 ms/);
    expect(judged.summary.text).toMatch(/threshold of 800 ms/);
    expect(judged.analysis.findings.map((f) => f.id)).toContain('threshold:latency_p95_ms');
    const { threshold_breaches, ...features } = judged.features;
    expect(threshold_breaches).toBe(1);
    expect(features).toEqual(plain.features);
    // replay is deterministic
    expect(evaluateTick({ deployment, bundle: b, now, stepSeconds: step, policy, thresholds: { latency_p95_ms: 800 } })).toEqual(judged);
  });

  it('keeps the policy its rollback, with the breach among the reasons, and shows both lines', () => {
    const b = bundle({ error_rate: series(0.004, 0.09), latency_p95_ms: series(120, 125), request_rate: series(50, 50) });
    const plain = evaluateTick({ deployment, bundle: b, now, stepSeconds: step, policy });
    const judged = evaluateTick({ deployment, bundle: b, now, stepSeconds: step, policy, thresholds: { error_rate: 0.02 } });
    expect(plain.decision.action).toBe('rollback');
    expect(judged.decision.action).toBe('rollback');
    expect(judged.decision.overriddenBy).toBeUndefined();
    expect(judged.decision.confidence).toBe(plain.decision.confidence);
    expect(judged.decision.reasons.at(-1)).toMatch(/threshold of 2%/);
    expect(judged.summary.lines.map((l) => l.findingId)).toEqual(expect.arrayContaining(['threshold:error_rate', 'metric_shift:error_rate']));
  });

  it('without breaches the decision is the policy\'s, untouched', () => {
    const d = { action: 'continue' as const, confidence: 0.9, reasons: ['ok'], policyVersion: 'p' };
    expect(applyThresholds(d, [])).toBe(d);
  });
});

describe('learning', () => {
  it('does not learn from the outcome of an escalation a threshold chose', async () => {
    const { createSqliteStore } = await import('../../src/store/sqlite.js');
    const { createPolicyRuntime } = await import('../../src/loop/policy-runtime.js');
    const store = createSqliteStore(':memory:');
    try {
      const runtime = await createPolicyRuntime({ store, clock: { now: () => now }, decide: 'bandit', learn: true, log: () => undefined });
      const b = bundle({ error_rate: series(0.004, 0.004), latency_p95_ms: series(950, 960), request_rate: series(50, 50) });
      const judged = evaluateTick({ deployment, bundle: b, now, stepSeconds: step, policy: runtime.current(), thresholds: { latency_p95_ms: 800 } });
      expect(judged.decision.overriddenBy).toBe('thresholds');
      const ctx = (decision: typeof judged.decision, id: string) => ({
        deployment: { ...deployment, id, source: 'api', receivedAt: at, status: 'escalated' as const },
        outcome: { recovered: true, action: 'escalate' as const, detail: 'x', reward: 0.5 },
        decision: { id: `${id}-d1`, tick: 20, at: now, decision, guard: { mode: 'execute' as const, reason: 'ok' }, features: judged.features, approval: 'not_needed' as const },
      });
      await runtime.hooks.outcome!(ctx(judged.decision, 'dep-threshold'));
      expect(await store.audit({ type: 'policy.updated' })).toEqual([]);
      // the same outcome of the policy's own escalation is learned from
      const { overriddenBy: _o, ...own } = judged.decision;
      await runtime.hooks.outcome!(ctx(own, 'dep-policy'));
      expect((await store.audit({ type: 'policy.updated' })).map((e) => e.payload.fromDeployment)).toEqual(['dep-policy']);
    } finally {
      await store.close();
    }
  });
});
