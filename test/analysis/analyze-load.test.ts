// Memory that follows the traffic is not a leak; memory that grows at steady traffic is.
// The series are real: the demo service scraped during a surge, and its leaking version
// (test/fixtures/series/live-memory-load.json says how they were recorded).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { loadRise } from '../../src/analysis/trend.js';
import type { Analysis, DeploymentSpec, Point, SignalBundle } from '../../src/core/types.js';
import { seededRandom, normal } from '../../src/core/random.js';

interface Run {
  limits: Record<string, number>;
  metrics: Record<'memory_bytes' | 'request_rate', Point[]>;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/series/live-memory-load.json', import.meta.url), 'utf8')) as { runs: Record<string, Run> };
const DEPLOY = Date.parse('2026-11-27T03:00:00Z');
const dep: DeploymentSpec = { service: 'checkout', environment: 'demo', version: 'v1.1.0', previousVersion: 'v1.0.0', at: DEPLOY, replicas: 2 };
const STEP_S = 2;

function runOf(name: string, drop: string[] = []): SignalBundle {
  const r = fixture.runs[name];
  const metrics: SignalBundle['metrics'] = {};
  for (const [k, pts] of Object.entries(r.metrics)) if (!drop.includes(k)) metrics[k] = pts.map(([t, v]) => [DEPLOY + t, v] as Point);
  return { metrics, logs: [], spans: [], limits: r.limits, problems: [] };
}
const lastT = (b: SignalBundle): number => Math.max(...b.metrics.memory_bytes!.map((p) => p[0]));

/** The analysis at every watch tick (2 s) from the deploy to the end of the series. */
function ticks(b: SignalBundle): Array<{ s: number; a: Analysis }> {
  const out: Array<{ s: number; a: Analysis }> = [];
  for (let now = DEPLOY + STEP_S * 1000; now <= lastT(b); now += STEP_S * 1000) {
    out.push({ s: (now - DEPLOY) / 1000, a: analyze({ deployment: dep, bundle: b, now, stepSeconds: STEP_S }) });
  }
  return out;
}
const leakAt = (xs: Array<{ s: number; a: Analysis }>): number[] => xs.filter((x) => x.a.findings.some((f) => f.id === 'metric_trend:memory_bytes')).map((x) => x.s);

describe('memory trend under load (real demo-service series)', () => {
  for (const name of ['surge-a', 'surge-b']) {
    it(`${name}: memory that rises with a 18× surge and levels off is not a leak`, () => {
      const b = runOf(name);
      const xs = ticks(b);
      expect(leakAt(xs)).toEqual([]);
      // the rise was seen and put down to the load, with its numbers
      const ctx = xs.map((x) => x.a.findings.find((f) => f.id === 'load_context:memory_bytes')).filter((f) => f !== undefined);
      expect(ctx.length).toBeGreaterThan(0);
      expect(ctx[0]!.severity).toBe(0);
      expect(ctx[0]!.stats.load_ratio).toBeGreaterThan(5);
      expect(ctx[0]!.stats.current).toBeGreaterThan(ctx[0]!.stats.before_high);
    });
  }

  it('the same memory without the request rate is read as a leak (the load is what explains it)', () => {
    const xs = ticks(runOf('surge-a', ['request_rate']));
    expect(leakAt(xs).length).toBeGreaterThan(0);
    expect(Math.min(...leakAt(xs))).toBeGreaterThan(30); // only once the surge began
  });

  it('a real leak at steady load is caught within seconds and stays caught', () => {
    const xs = ticks(runOf('leak'));
    const at = leakAt(xs);
    expect(Math.min(...at)).toBeLessThanOrEqual(10);
    expect(at.length).toBe(xs.filter((x) => x.s >= Math.min(...at)).length);
    const f = xs.at(-1)!.a.findings.find((x) => x.id === 'metric_trend:memory_bytes')!;
    expect(f.stats.slope_per_min).toBeGreaterThan(100 * 1048576);
    expect(f.stats.load_driven).toBeUndefined();
  });

  it('a leak already growing at the old load stays a leak when a surge follows', () => {
    const xs = ticks(runOf('leak-then-surge'));
    const at = leakAt(xs);
    expect(Math.min(...at)).toBeLessThanOrEqual(10);
    // every tick from detection until the process hit its cap and restarted (~71 s), surge included
    const untilRestart = xs.filter((x) => x.s >= Math.min(...at) && x.s < 70).map((x) => x.s);
    expect(at.filter((s) => s < 70)).toEqual(untilRestart);
    expect(untilRestart.some((s) => s > 40)).toBe(true);
  });

  it('a leak that starts with the surge is caught once the new load has settled', () => {
    // the real surge series plus 1.5 MB/s retained from the moment the surge began
    const b = runOf('surge-a');
    const surgeAt = DEPLOY + 31_000;
    b.metrics.memory_bytes = b.metrics.memory_bytes!.map(([t, v]) => [t, t > surgeAt ? v + ((t - surgeAt) / 1000) * 1.5 * 1048576 : v] as Point);
    const xs = ticks(b);
    const at = leakAt(xs);
    expect(at.length).toBeGreaterThan(0);
    // not before the load's warm-up (45 s) was over, and soon after
    expect(Math.min(...at)).toBeGreaterThan(31 + 45);
    expect(Math.min(...at)).toBeLessThan(31 + 45 + 20);
  });
});

describe('trace latency under a surge', () => {
  // real request rate of the surge run; spans at 20/s whose duration follows the load
  // (queueing), or, for a slow version, is slower from the deploy on
  const b = runOf('surge-a');
  const surgeAt = DEPLOY + 31_000;
  const spansFor = (slowFromDeploy: boolean) => {
    const r = seededRandom(3);
    const out: SignalBundle['spans'] = [];
    for (let t = DEPLOY - 30_000; t <= DEPLOY + 90_000; t += 50) {
      let d = 45 + 10 * r();
      if (t > surgeAt) d += 400; // every request queues behind the surge
      if (slowFromDeploy && t >= DEPLOY) d += 250;
      out.push({ at: t, operation: 'GET /api/checkout', durationMs: d, error: false });
    }
    return out;
  };
  const traceAt = (spans: SignalBundle['spans'], s: number) =>
    analyze({ deployment: dep, bundle: { ...b, spans }, now: DEPLOY + s * 1000, stepSeconds: STEP_S }).findings.find((f) => f.id === 'trace_operation:GET /api/checkout');
  it('an operation that slows only with the traffic is not reported as worse after the deploy', () => {
    for (const s of [36, 50, 80]) expect(traceAt(spansFor(false), s)).toBeUndefined();
    // without the request rate the same spans read as a slower version
    const noLoad = analyze({ deployment: dep, bundle: { ...runOf('surge-a', ['request_rate']), spans: spansFor(false) }, now: DEPLOY + 80_000, stepSeconds: STEP_S });
    expect(noLoad.findings.some((f) => f.id === 'trace_operation:GET /api/checkout')).toBe(true);
  });
  it('a version slower already at the old load still is, surge or not', () => {
    const f = traceAt(spansFor(true), 50)!;
    expect(f).toBeDefined();
    expect(f.stats.duration_median_after).toBeGreaterThan(250);
    expect(f.stats.spans_at_old_load).toBeGreaterThan(100);
  });
});

describe('loadRise', () => {
  const r = seededRandom(7);
  const flat: Point[] = Array.from({ length: 60 }, (_, i) => [i * 2000, 100 + 15 * normal(r)]);
  it('noisy but flat traffic is no rise', () => {
    expect(loadRise({ before: flat.slice(0, 30).map((p) => p[1]), after: flat.slice(30) })).toBeUndefined();
  });
  it('a step dates from the last normal sample, and one lucky sample is not a rise', () => {
    const step: Point[] = flat.map(([t, v], i) => [t, i >= 45 ? v * 3 : v]);
    const rise = loadRise({ before: step.slice(0, 30).map((p) => p[1]), after: step.slice(30) })!;
    expect(rise.since).toBe(44 * 2000);
    expect(rise.now / rise.before).toBeGreaterThan(2.5);
    const spike: Point[] = flat.map(([t, v], i) => [t, i === 58 ? v * 5 : v]);
    expect(loadRise({ before: spike.slice(0, 30).map((p) => p[1]), after: spike.slice(30) })).toBeUndefined();
  });
});

describe('before/after change shared by the stable group', () => {
  const STEP = 15_000;
  const at = (k: number) => DEPLOY + k * STEP;
  function series(seed: number, f: (k: number) => number, sd: number): Point[] {
    const r = seededRandom(seed);
    const out: Point[] = [];
    for (let k = -60; k <= 30; k++) out.push([at(k), f(k) + sd * normal(r)]);
    return out;
  }
  const canaryDep = { ...dep, at: DEPLOY };
  const lat = (k: number) => (k >= 8 ? 400 : 150);
  const analyzeWith = (stableLat: (k: number) => number) =>
    analyze({
      deployment: canaryDep,
      bundle: {
        metrics: { latency_p95_ms: series(1, lat, 10), request_rate: series(2, (k) => (k >= 8 ? 300 : 100), 5) },
        baselineMetrics: { latency_p95_ms: series(3, stableLat, 10), request_rate: series(4, (k) => (k >= 8 ? 600 : 200), 8) },
        logs: [],
        spans: [],
        limits: {},
        problems: [],
      },
      now: at(20),
      stepSeconds: 15,
    });
  it('latency rising with the traffic on every version is marked as shared', () => {
    const f = analyzeWith(lat).findings.find((x) => x.id === 'metric_shift:latency_p95_ms')!;
    expect(f.stats.practical).toBe(1);
    expect(f.stats.stable_same_shift).toBe(1);
  });
  it('latency rising on the canary only is not', () => {
    const a = analyzeWith(() => 150);
    expect(a.findings.find((x) => x.id === 'metric_shift:latency_p95_ms')!.stats.stable_same_shift).toBe(0);
    expect(a.findings.some((x) => x.id === 'metric_shift:latency_p95_ms:canary')).toBe(true);
  });
});
