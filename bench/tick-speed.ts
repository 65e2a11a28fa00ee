// One tick of analysis for a service with 6 metrics × 2,400 points and 100,000 new log lines.
// Target: ≤ 200 ms on one core. Prints the median of several runs for: the whole tick
// (evaluateTick: analysis + summary + features + decision) with a fresh log index (all lines new),
// indexing the new lines alone (LogIndex.sync: masking + template mining + counting), and the
// analysis alone with the lines already indexed.   npx tsx bench/tick-speed.ts
import { evaluateTick } from '../src/loop/pipeline.js';
import { analyze } from '../src/analysis/analyze.js';
import { LogIndex } from '../src/analysis/log-index.js';
import { ScoringPolicy } from '../src/policy/scoring-policy.js';
import { seededRandom, normal } from '../src/core/random.js';
import type { DeploymentSpec, LogRecord, Point, SignalBundle } from '../src/core/types.js';
import { STANDARD_METRICS } from '../src/core/types.js';

const STEP = 15_000;
const N = 2400;
const start = Date.parse('2026-03-01T00:00:00Z');
const deployAt = start + (N / 2) * STEP;
const now = start + (N - 1) * STEP;
const r = seededRandom(7);
const level: Record<string, number> = { error_rate: 0.01, latency_p95_ms: 200, cpu_utilization: 0.4, memory_bytes: 5e8, request_rate: 300, restarts: 1 };
const metrics: Record<string, Point[]> = {};
for (const m of STANDARD_METRICS) {
  const pts: Point[] = [];
  for (let i = 0; i < N; i++) {
    const t = start + i * STEP;
    const bad = t > deployAt + 20 * STEP && m === 'latency_p95_ms' ? 1.5 : 1;
    pts.push([t, m === 'restarts' ? 1 : Math.max(0, level[m] * bad * (1 + 0.05 * normal(r)))]);
  }
  metrics[m] = pts;
}
const templates = [
  (i: number) => `GET /api/v1/items/${i % 977} 200 ${(i * 7) % 300}ms`,
  (i: number) => `user u_${i % 5000} signed in from 10.0.${i % 255}.${(i * 3) % 255}`,
  (i: number) => `cache miss for key product:${i}:${(i * 13) % 97}`,
  (i: number) => `published event OrderCreated id=${(i * 2654435761 >>> 0).toString(16)}-${i}`,
  (i: number) => `retrying request to payments-api (attempt ${1 + (i % 3)}/3)`,
  (i: number) => `TypeError: Cannot read properties of undefined (reading 'sku') at line ${i % 40}`,
];
const logs: LogRecord[] = [];
const L = 100_000;
for (let i = 0; i < L; i++) {
  const t = deployAt - 30 * 60_000 + Math.floor((i / L) * (now - deployAt + 30 * 60_000));
  const k = i % 50 === 0 && t > deployAt ? 5 : i % 5;
  logs.push({ at: t, level: k === 5 ? 'error' : k === 4 ? 'warn' : 'info', message: templates[k](i) });
}
const bundle: SignalBundle = { metrics, logs, spans: [], limits: { memory_bytes: 2e9 }, problems: [] };
const deployment: DeploymentSpec = { service: 'bench', environment: 'production', version: 'v2', at: deployAt, replicas: 4 };
const policy = new ScoringPolicy();

function med(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const full: number[] = [];
const metricsOnly: number[] = [];
const indexing: number[] = [];
let findings = 0;
const RUNS = 13; // the first 3 warm the JIT and are dropped
for (let i = 0; i < RUNS; i++) {
  let t = performance.now();
  const res = evaluateTick({ deployment, bundle, now, stepSeconds: 15, policy, logIndex: new LogIndex(deployAt) });
  full.push(performance.now() - t);
  findings = res.analysis.findings.length;
  const warm = new LogIndex(deployAt);
  t = performance.now();
  warm.sync(logs);
  indexing.push(performance.now() - t);
  t = performance.now();
  analyze({ deployment, bundle, now, stepSeconds: 15, logIndex: warm });
  metricsOnly.push(performance.now() - t);
}
console.log(
  `tick (6 metrics x ${N} points, ${L.toLocaleString('en-US')} new log lines): median ${med(full.slice(3)).toFixed(0)} ms; ` +
    `of which indexing the new lines alone: ${med(indexing.slice(3)).toFixed(0)} ms; ` +
    `same tick with the lines already indexed: ${med(metricsOnly.slice(3)).toFixed(0)} ms; findings=${findings}; target <= 200 ms`,
);
