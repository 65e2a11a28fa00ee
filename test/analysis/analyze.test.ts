import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import type { DeploymentSpec, LogRecord, Point, SignalBundle } from '../../src/core/types.js';
import { seededRandom, normal } from '../../src/core/random.js';

const STEP = 15_000;
const DEPLOY = Date.parse('2026-03-01T12:00:00Z');
const dep: DeploymentSpec = { service: 'checkout', environment: 'production', version: 'v2', previousVersion: 'v1', at: DEPLOY, replicas: 3 };

function series(seed: number, f: (k: number) => number, sd: number, fromK = -120, toK = 40): Point[] {
  const r = seededRandom(seed);
  const out: Point[] = [];
  for (let k = fromK; k <= toK; k++) out.push([DEPLOY + k * STEP, f(k) + sd * normal(r)]);
  return out;
}
function bundle(metrics: SignalBundle['metrics'], logs: LogRecord[] = [], limits: Record<string, number> = {}): SignalBundle {
  return { metrics, logs, spans: [], limits, problems: [] };
}
const at = (k: number) => DEPLOY + k * STEP;

describe('analyze', () => {
  it('finds a sustained latency shift with its statistics, and only after it happened', () => {
    const lat = series(1, (k) => (k >= 10 ? 300 : 150), 10);
    const before = analyze({ deployment: dep, bundle: bundle({ latency_p95_ms: lat }), now: at(9), stepSeconds: 15 });
    expect(before.findings.find((f) => f.id === 'metric_shift:latency_p95_ms')).toBeUndefined();
    const a = analyze({ deployment: dep, bundle: bundle({ latency_p95_ms: lat }), now: at(14), stepSeconds: 15 });
    const f = a.findings.find((x) => x.id === 'metric_shift:latency_p95_ms');
    expect(f).toBeDefined();
    expect(f!.direction).toBe('up');
    expect(f!.stats.practical).toBe(1);
    expect(f!.stats.rel_change).toBeGreaterThan(0.7);
    expect(typeof f!.stats.hl_shift).toBe('number');
    expect(f!.onset).toBeGreaterThanOrEqual(at(10));
  });
  it('tolerates a warm-up blip right after the deploy', () => {
    const lat = series(2, (k) => (k >= 1 && k <= 3 ? 400 : 150), 10);
    for (let k = 0; k <= 40; k++) {
      const a = analyze({ deployment: dep, bundle: bundle({ latency_p95_ms: lat }), now: at(k), stepSeconds: 15 });
      expect(a.findings.filter((f) => f.kind === 'metric_shift' && f.stats.practical === 1)).toEqual([]);
    }
  });
  it('dates a change that began during the warm-up from its start, not from the first judged sample', () => {
    // 2 s steps: the 45 s warm-up spans 22 steps; the error rate jumps 2 steps after the deploy
    const S = 2000;
    const r = seededRandom(21);
    const err: Point[] = [];
    for (let k = -30; k <= 40; k++) err.push([DEPLOY + k * S, (k >= 2 ? 0.3 : 0.002) + 0.001 * Math.abs(normal(r))]);
    const a = analyze({ deployment: dep, bundle: bundle({ error_rate: err }), now: DEPLOY + 30 * S, stepSeconds: 2 });
    const f = a.findings.find((x) => x.id === 'metric_shift:error_rate')!;
    expect(f.stats.practical).toBe(1);
    // (a sample just before it may sit beyond the reference's 90% band by chance: ±1 step)
    expect(f.onset).toBeGreaterThanOrEqual(DEPLOY + 1 * S);
    expect(f.onset).toBeLessThanOrEqual(DEPLOY + 2 * S);
    // the warm-up itself is still not judged
    expect(analyze({ deployment: dep, bundle: bundle({ error_rate: err }), now: DEPLOY + 20 * S, stepSeconds: 2 }).findings.find((x) => x.id === 'metric_shift:error_rate')).toBeUndefined();
  });
  it('ignores a small harmless difference', () => {
    const lat = series(3, (k) => (k >= 0 ? 156 : 150), 10);
    const a = analyze({ deployment: dep, bundle: bundle({ latency_p95_ms: lat }), now: at(40), stepSeconds: 15 });
    expect(a.findings.filter((f) => f.stats.practical === 1)).toEqual([]);
  });
  it('projects a memory leak to its limit, and does not flag a refill after restarts', () => {
    const leak = series(4, (k) => (k < 0 ? 400e6 : 400e6 + k * 4e6), 2e6);
    const a = analyze({ deployment: dep, bundle: bundle({ memory_bytes: leak }, [], { memory_bytes: 1024e6 }), now: at(30), stepSeconds: 15 });
    const f = a.findings.find((x) => x.kind === 'metric_trend');
    expect(f).toBeDefined();
    expect(f!.stats.time_to_limit_min).toBeGreaterThan(5);
    expect(f!.stats.time_to_limit_min).toBeLessThan(60);
    expect(f!.stats.time_to_limit_lo_min).toBeLessThanOrEqual(f!.stats.time_to_limit_min);
    const refill = series(5, (k) => (k < 0 ? 400e6 : 400e6 - 150e6 * Math.exp(-k / 6)), 2e6);
    const b = analyze({ deployment: dep, bundle: bundle({ memory_bytes: refill }, [], { memory_bytes: 1024e6 }), now: at(40), stepSeconds: 15 });
    expect(b.findings.find((x) => x.kind === 'metric_trend')).toBeUndefined();
  });
  it('one evicted pod is routine, a crash loop is not', () => {
    const one = series(6, (k) => (k >= 5 ? 1 : 0), 0);
    expect(analyze({ deployment: dep, bundle: bundle({ restarts: one }), now: at(40), stepSeconds: 15 }).findings.find((f) => f.kind === 'restarts')).toBeUndefined();
    const loop = series(7, (k) => (k >= 2 ? Math.floor(k / 2) : 0), 0);
    const f = analyze({ deployment: dep, bundle: bundle({ restarts: loop }), now: at(20), stepSeconds: 15 }).findings.find((x) => x.kind === 'restarts');
    expect(f?.stats.increase).toBe(10);
  });
  it('reports lost telemetry as a data gap, not as unhealthy; short gaps are tolerated', () => {
    const m = (seed: number, stop: number) => series(seed, () => 0.01, 0.001).filter((p) => p[0] < at(stop));
    const lost = analyze({ deployment: dep, bundle: bundle({ error_rate: m(8, 4), latency_p95_ms: m(9, 4), cpu_utilization: series(10, () => 0.4, 0.01) }), now: at(10), stepSeconds: 15 });
    expect(lost.findings.find((f) => f.kind === 'data_gap')).toBeDefined();
    expect(lost.findings.filter((f) => f.kind === 'metric_shift')).toEqual([]);
    const gap = series(11, () => 100, 5).filter((p) => p[0] < at(10) || p[0] > at(12));
    const ok = analyze({ deployment: dep, bundle: bundle({ latency_p95_ms: gap, error_rate: series(12, () => 0.01, 0.001) }), now: at(12), stepSeconds: 15 });
    expect(ok.findings.find((f) => f.kind === 'data_gap')).toBeUndefined();
  });
  it('finds a new error template, classifies its kind and keeps samples', () => {
    const logs: LogRecord[] = [];
    for (let k = -120; k < 20; k++) logs.push({ at: at(k), level: 'info', message: `GET /api/items/${k} 200` });
    for (let k = 2; k < 20; k++) logs.push({ at: at(k) + 1, level: 'error', message: `TypeError: Cannot read properties of undefined (reading 'price') at line ${k}` });
    for (let k = 2; k < 20; k += 6) logs.push({ at: at(k) + 2, level: 'info', message: `feature flag ${k} enabled` });
    logs.sort((a, b) => a.at - b.at);
    const a = analyze({ deployment: dep, bundle: bundle({}, logs), now: at(19), stepSeconds: 15 });
    const news = a.findings.filter((f) => f.kind === 'log_new');
    expect(news).toHaveLength(1);
    expect(news[0].stats.kind_code).toBe(1);
    expect(news[0].evidence?.samples?.length).toBeGreaterThan(0);
  });
  it('compares a canary with its stable group at the same times', () => {
    const stable = series(13, (k) => 200 + (k >= 0 ? 50 : 0), 8); // the whole fleet got slower (load)
    const canaryOk = series(14, (k) => 200 + (k >= 0 ? 50 : 0), 8);
    const a = analyze({ deployment: dep, bundle: { ...bundle({ latency_p95_ms: canaryOk }), baselineMetrics: { latency_p95_ms: stable } }, now: at(30), stepSeconds: 15 });
    expect(a.canary).toBe(true);
    expect(a.findings.find((f) => f.id === 'metric_shift:latency_p95_ms:canary')).toBeUndefined();
    const canaryBad = series(15, (k) => 200 + (k >= 0 ? 50 : 0) + (k >= 5 ? 150 : 0), 8);
    const b = analyze({ deployment: dep, bundle: { ...bundle({ latency_p95_ms: canaryBad }), baselineMetrics: { latency_p95_ms: stable } }, now: at(30), stepSeconds: 15 });
    expect(b.findings.find((f) => f.id === 'metric_shift:latency_p95_ms:canary')?.stats.practical).toBe(1);
  });
  it('is deterministic', () => {
    const lat = series(16, (k) => (k >= 10 ? 300 : 150), 10);
    const x = analyze({ deployment: dep, bundle: bundle({ latency_p95_ms: lat }), now: at(20), stepSeconds: 15 });
    const y = analyze({ deployment: dep, bundle: bundle({ latency_p95_ms: lat }), now: at(20), stepSeconds: 15 });
    expect(JSON.stringify(x)).toBe(JSON.stringify(y));
  });
});
