import { describe, expect, it } from 'vitest';
import { CAUSE_ACTION, FAMILY_CAUSE, SIM_FAMILIES, simulateMix, simulateScenario } from '../../src/policy/simulate.js';

const ts = (s: string): number => Date.parse(s);

describe('incident simulator', () => {
  it('is deterministic given the seed, and different for another seed', () => {
    const a = JSON.stringify(simulateScenario({ seed: 7, family: 'memory_leak' }));
    expect(JSON.stringify(simulateScenario({ seed: 7, family: 'memory_leak' }))).toBe(a);
    expect(JSON.stringify(simulateScenario({ seed: 8, family: 'memory_leak' }))).not.toBe(a);
  });

  it('makes valid v1 scenarios for every family with the right truth', () => {
    for (const family of SIM_FAMILIES) {
      for (const seed of [1, 2]) {
        const s = simulateScenario({ seed, family });
        expect(s.truth?.cause).toBe(FAMILY_CAUSE[family]);
        expect(s.truth?.bestAction).toBe(CAUSE_ACTION[FAMILY_CAUSE[family]]);
        expect([15, 30, 60]).toContain(s.stepSeconds);
        expect(s.description).not.toMatch(/regression|leak|outage|surge|no.data|healthy/i); // never reveals the answer
        const dep = ts(s.deployment.at);
        const er = s.metrics.error_rate;
        expect(ts(er[0][0])).toBeLessThanOrEqual(dep - 25 * 60_000); // a pre-deploy baseline
        for (const [t, v] of er) {
          expect(Number.isFinite(ts(t))).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
        for (const [, v] of s.metrics.cpu_utilization) expect(v).toBeLessThanOrEqual(1);
        if (family === 'healthy' || family === 'noisy_healthy') expect(s.truth?.onset).toBeNull();
        else expect(s.truth?.onset).toMatch(/Z$/);
      }
    }
  });

  it('puts canary regressions only in the canary group, beside a stable baseline', () => {
    for (const seed of [1, 2, 3, 4]) {
      const s = simulateScenario({ seed, family: 'canary_regression' });
      expect(s.baselineMetrics).toBeDefined();
      const onset = ts(s.truth!.onset!);
      const after = (xs: Array<[string, number]>) => xs.filter(([t]) => ts(t) >= onset + 2 * 60_000).map(([, v]) => v);
      const med = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
      const canaryWorse = med(after(s.metrics.error_rate)) > med(after(s.baselineMetrics!.error_rate)) * 1.5 || med(after(s.metrics.latency_p95_ms)) > med(after(s.baselineMetrics!.latency_p95_ms)) * 1.2;
      expect(canaryWorse).toBe(true);
    }
  });

  it('gives memory leaks a deadline at the projected out-of-memory time, with memory climbing', () => {
    const s = simulateScenario({ seed: 11, family: 'memory_leak', canary: false });
    const onset = ts(s.truth!.onset!);
    const deadline = ts(s.truth!.deadline!);
    expect(deadline).toBeGreaterThan(onset + 5 * 60_000);
    const mem = s.metrics.memory_bytes.map(([t, v]) => [ts(t), v] as const);
    const at = (t: number) => mem.reduce((best, p) => (Math.abs(p[0] - t) < Math.abs(best[0] - t) ? p : best))[1];
    const limit = s.limits!.memory_bytes;
    const later = Math.min(deadline - 60_000, mem[mem.length - 1][0]);
    expect(at(later)).toBeGreaterThan(at(onset) + 0.1 * (limit - at(onset)));
  });

  it('stops telemetry after the deploy for no_data, and starts outages independently of the deploy', () => {
    const s = simulateScenario({ seed: 5, family: 'no_data', canary: false });
    const onset = ts(s.truth!.onset!);
    const lost = Object.values(s.metrics).filter((pts) => pts.length === 0 || ts(pts[pts.length - 1][0]) < onset);
    expect(lost.length).toBeGreaterThanOrEqual(3);
    const offsets = Array.from({ length: 12 }, (_, i) => simulateScenario({ seed: i, family: 'dependency_outage', logsPerMinute: 1 })).map((x) => ts(x.truth!.onset!) - ts(x.deployment.at));
    expect(offsets.some((o) => o < 0)).toBe(true);
    expect(offsets.some((o) => o > 5 * 60_000)).toBe(true);
  });

  it('cycles through families and keeps small files small', () => {
    const mix = simulateMix(3, 20);
    expect(new Set(mix.map((m) => m.family)).size).toBe(SIM_FAMILIES.length);
    const s = simulateScenario({ seed: 1, family: 'error_regression', logsPerMinute: 2, stepSeconds: 30 });
    expect(JSON.stringify(s).length).toBeLessThan(150_000);
  });
});
