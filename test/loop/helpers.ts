// Test stand-ins for the judgment stage, so loop tests exercise the loop's machinery (timeline,
// guard, act, verify, resume) independent of how the analysis evolves.
import type { Decision, Point, Policy, SignalBundle } from '../../src/core/types.js';
import type { TickInput, TickResult } from '../../src/loop/pipeline.js';
import { makeGuard } from '../../src/loop/guard.js';
import type { WatchTiming } from '../../src/loop/state.js';
import type { WatchDeps } from '../../src/loop/watch.js';
import type { Store } from '../../src/core/store.js';
import type { VirtualClock } from '../../src/core/clock.js';
import { SimulatedWorld } from '../../src/signals/simulated.js';
import { SimulatedActuator } from '../../src/actions/simulated.js';

const mean = (pts: readonly Point[]): number => (pts.length ? pts.reduce((a, p) => a + p[1], 0) / pts.length : NaN);

/** A crude rule-based judge: compares the last minute after the deploy with the baseline. */
export function stubEvaluate(input: TickInput): TickResult {
  const { deployment: d, bundle, now } = input;
  const series = (m: string) => (bundle.metrics[m] ?? []) as Point[];
  const before = (m: string) => mean(series(m).filter((p) => p[0] < d.at));
  const recent = (m: string) => mean(series(m).filter((p) => p[0] >= Math.max(d.at, now - 60_000) && p[0] <= now));
  const err = recent('error_rate');
  const errBefore = before('error_rate');
  const lat = recent('latency_p95_ms') / before('latency_p95_ms');
  const load = recent('request_rate') / before('request_rate');
  const refused = bundle.logs.some((l) => l.at >= d.at && l.message.includes('ECONNREFUSED'));
  let decision: Decision;
  const mk = (action: Decision['action'], confidence: number, reason: string): Decision => ({ action, confidence, reasons: [reason], policyVersion: 'stub' });
  if (!Number.isFinite(err)) decision = mk('escalate', 0.9, 'no data');
  else if (load > 1.5 && (lat > 1.5 || err > 3 * errBefore)) decision = mk('scale_up', 0.9, 'load up');
  else if (refused && err > 0.02) decision = mk('escalate', 0.9, 'dependency refused');
  else if (err > 0.02 && err > 3 * errBefore) decision = mk('rollback', 0.93, `error rate ${err.toFixed(3)}`);
  else if (lat > 1.6) decision = mk('rollback', 0.9, 'latency up');
  else decision = mk('continue', 0.8, 'healthy');
  const findings = decision.action === 'continue' ? [] : [{ id: `stub:${decision.action}`, kind: 'metric_shift' as const, subject: 'error_rate', severity: 0.9, direction: 'up' as const, comparison: 'before_after' as const, stats: { err }, text: decision.reasons[0] }];
  return {
    analysis: { at: now, deployAt: d.at, findings, coverage: {}, canary: false },
    summary: { headline: decision.reasons[0], lines: [], text: decision.reasons[0], author: 'deterministic' },
    features: { err },
    decision,
  };
}

export const stubPolicy: Policy = { version: 'stub', decide: () => ({ action: 'continue', confidence: 0.5, reasons: [], policyVersion: 'stub' }) };

export const fastTiming: WatchTiming = { windowSeconds: 300, baselineSeconds: 600, stepSeconds: 15, verifySeconds: 120, approvalTimeoutSeconds: 300 };

export const guard = (over: Partial<Parameters<typeof makeGuard>[0]> = {}) =>
  makeGuard({
    dryRun: false,
    cooldownSeconds: 0,
    environments: { production: { autoActConfidence: 0.85, requireApproval: false } },
    defaultAutoActConfidence: 0.8,
    ...over,
  });

export function emptyBundle(): SignalBundle {
  return { metrics: {}, logs: [], spans: [], limits: {}, problems: [] };
}

/** A watch over the simulated world with the stand-in judge (over: what a test changes). */
export function simulatedWatchDeps(store: Store, clock: VirtualClock, over: Partial<WatchDeps> = {}, seed = 7): WatchDeps {
  const world = new SimulatedWorld({ seed });
  return { store, clock, sources: [world], actuator: new SimulatedActuator(world, clock), policy: () => stubPolicy, guard: guard(), timing: fastTiming, evaluate: stubEvaluate, ...over };
}
