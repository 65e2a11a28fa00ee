// The simulated world and its actuator: deterministic signals, and a world that answers
// actions truthfully (rollback ends a deploy regression, scale_up ends a load surge, neither
// ends a dependency outage).
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import type { ActuatedAction, Deployment, Point, SignalBundle } from '../../src/core/types.js';
import { SimulatedActuator } from '../../src/actions/simulated.js';
import { SimulatedWorld, type Behaviour } from '../../src/signals/simulated.js';

const T0 = Date.UTC(2026, 2, 2, 12, 0, 0);
const MIN = 60_000;

function deployment(version: string): Deployment {
  return { id: 'dep1', service: 'checkout', environment: 'production', version, previousVersion: 'v1.9.0', at: T0, replicas: 3, source: 'test', receivedAt: T0, status: 'watching' };
}

const mean = (pts: readonly Point[] | undefined, from: number, to: number): number => {
  const xs = (pts ?? []).filter((p) => p[0] >= from && p[0] <= to).map((p) => p[1]);
  return xs.reduce((a, b) => a + b, 0) / xs.length;
};

async function window(world: SimulatedWorld, d: Deployment, to: number): Promise<SignalBundle> {
  return world.collect({ deployment: d, from: T0 - 30 * MIN, to, stepSeconds: 15 });
}

async function scenario(behaviour: Behaviour, action?: ActuatedAction) {
  const world = new SimulatedWorld({ seed: 3 });
  const d = deployment(`v2.0.0-${behaviour}`);
  world.plan(d.service, d.version, behaviour);
  const clock = new VirtualClock(T0 + 4 * MIN);
  if (action) {
    const r = await new SimulatedActuator(world, clock).execute({ id: 'a1', action, deployment: d, reason: 'test' });
    expect(r.ok).toBe(true);
  }
  const b = await window(world, d, T0 + 12 * MIN);
  const m = (name: string, from: number, to: number) => mean(b.metrics[name], from, to);
  return {
    b,
    before: (name: string) => m(name, T0 - 30 * MIN, T0),
    during: (name: string) => m(name, T0 + 2.5 * MIN, T0 + 4 * MIN),
    late: (name: string) => m(name, T0 + 7 * MIN, T0 + 12 * MIN),
  };
}

describe('simulated world', () => {
  it('is deterministic: the same query gives the same samples and logs', async () => {
    const a = new SimulatedWorld({ seed: 9 });
    const b = new SimulatedWorld({ seed: 9 });
    const d = deployment('v2.0.0-bug');
    expect(await window(a, d, T0 + 5 * MIN)).toEqual(await window(b, d, T0 + 5 * MIN));
    const c = new SimulatedWorld({ seed: 10 });
    expect(await window(c, d, T0 + 5 * MIN)).not.toEqual(await window(a, d, T0 + 5 * MIN));
  });

  it('reveals nothing after the query end, and every standard metric is present', async () => {
    const w = new SimulatedWorld();
    const b = await window(w, deployment('v2'), T0 + 5 * MIN);
    for (const name of ['error_rate', 'latency_p95_ms', 'cpu_utilization', 'memory_bytes', 'request_rate', 'restarts']) {
      expect(b.metrics[name]!.length).toBeGreaterThan(100);
      expect(Math.max(...b.metrics[name]!.map((p) => p[0]))).toBeLessThanOrEqual(T0 + 5 * MIN);
    }
    expect(b.logs.every((l) => l.at <= T0 + 5 * MIN)).toBe(true);
    expect(b.limits.memory_bytes).toBeGreaterThan(0);
  });

  it('a healthy version looks like the one before it', async () => {
    const s = await scenario('healthy');
    expect(s.late('error_rate')).toBeLessThan(2 * s.before('error_rate'));
    expect(s.late('latency_p95_ms') / s.before('latency_p95_ms')).toBeCloseTo(1, 0);
  });

  it('an error regression raises errors with a new error message; a rollback ends it', async () => {
    const s = await scenario('error_regression');
    expect(s.during('error_rate')).toBeGreaterThan(10 * s.before('error_rate'));
    expect(s.b.logs.some((l) => l.at > T0 && l.message.startsWith('TypeError'))).toBe(true);
    expect(s.b.logs.some((l) => l.at < T0 && l.message.startsWith('TypeError'))).toBe(false);
    expect(s.late('error_rate')).toBeGreaterThan(10 * s.before('error_rate'));
    const fixed = await scenario('error_regression', 'rollback');
    expect(fixed.late('error_rate')).toBeLessThan(2 * fixed.before('error_rate'));
  });

  it('a memory leak grows towards the limit; rollback stops the growth', async () => {
    const s = await scenario('memory_leak');
    expect(s.late('memory_bytes') - s.before('memory_bytes')).toBeGreaterThan(50 * 1024 * 1024);
    const fixed = await scenario('memory_leak', 'rollback');
    expect(Math.abs(fixed.late('memory_bytes') - fixed.before('memory_bytes'))).toBeLessThan(10 * 1024 * 1024);
  });

  it('a load surge raises traffic, latency and errors; scale_up ends the harm, rollback does not', async () => {
    const s = await scenario('load_surge');
    expect(s.late('request_rate')).toBeGreaterThan(2 * s.before('request_rate'));
    expect(s.late('latency_p95_ms')).toBeGreaterThan(2 * s.before('latency_p95_ms'));
    const scaled = await scenario('load_surge', 'scale_up');
    expect(scaled.late('request_rate')).toBeGreaterThan(2 * scaled.before('request_rate'));
    expect(scaled.late('latency_p95_ms')).toBeLessThan(1.3 * scaled.before('latency_p95_ms'));
    const rolled = await scenario('load_surge', 'rollback');
    expect(rolled.late('latency_p95_ms')).toBeGreaterThan(2 * rolled.before('latency_p95_ms'));
  });

  it('a dependency outage is not ended by rollback nor scale_up', async () => {
    for (const action of [undefined, 'rollback', 'scale_up'] as const) {
      const s = await scenario('dependency_outage', action);
      expect(s.late('error_rate'), String(action)).toBeGreaterThan(0.1);
      expect(s.b.logs.some((l) => l.at > T0 && l.message.includes('ECONNREFUSED'))).toBe(true);
    }
  });

  it('a latency regression slows requests; rollback ends it', async () => {
    const s = await scenario('latency_regression');
    expect(s.late('latency_p95_ms')).toBeGreaterThan(2 * s.before('latency_p95_ms'));
    const fixed = await scenario('latency_regression', 'rollback');
    expect(fixed.late('latency_p95_ms')).toBeLessThan(1.3 * fixed.before('latency_p95_ms'));
  });

  it('the actuator is idempotent on the action id and reports what changed', async () => {
    const world = new SimulatedWorld();
    const act = new SimulatedActuator(world, new VirtualClock(T0 + MIN));
    const req = { id: 'x1', action: 'scale_up' as const, deployment: deployment('v2'), reason: 'test' };
    const a = await act.execute(req);
    const b = await act.execute(req);
    expect(a).toEqual(b);
    expect(a.changes).toEqual({ replicas: 6 });
    const broken = new SimulatedActuator({ apply: () => { throw new Error('boom'); } }, new VirtualClock(T0));
    expect(await broken.execute(req)).toMatchObject({ ok: false, detail: expect.stringMatching(/boom/) });
  });

  it('version suffixes and unplanned versions pick stable behaviours', () => {
    const w = new SimulatedWorld({ seed: 1 });
    expect(w.behaviourOf('checkout', 'v2.1.0-leak')).toBe('memory_leak');
    expect(w.behaviourOf('checkout', 'v2.1.0-outage')).toBe('dependency_outage');
    expect(w.behaviourOf('checkout', 'v9.9.9')).toBe(w.behaviourOf('checkout', 'v9.9.9'));
  });
});
