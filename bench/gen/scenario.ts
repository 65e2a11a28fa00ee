// One incident of the second scenario set, built from a model of the service rather than from the
// development set's shapes: traffic with a daily cycle, a per-request latency distribution read
// through histogram buckets, errors as counts, memory with a GC sawtooth, a restart counter that
// resets when pods are replaced, and the incident's own effects on top. Written independently of
// src/policy/simulate.ts (the prior's training simulator); see bench/gen-scenarios.ts.
import type { Scenario } from '../../src/core/scenario.js';
import { Gen } from './rng.js';
import { LogNoise, dailyCycle, histogramP95, missingMask } from './noise.js';
import * as L from './logs.js';
import { CAUSE_ACTION, FAMILY_CAUSE, SIM_FAMILIES, type SimFamily } from '../../src/policy/simulate.js';

// the kinds of incident and their right answers are the domain's (shared with the training
// simulator); only how the telemetry is made is independent of it
export const FAMILIES = SIM_FAMILIES;
export type Family = SimFamily;
const CAUSE = FAMILY_CAUSE;
const ACTION = CAUSE_ACTION;

const SERVICES = ['ledger', 'fulfilment', 'storefront', 'identity', 'notifier', 'billing-api', 'catalog-sync', 'tracking', 'quotes', 'media-resizer'];
const MiB = 1048576;
const iso = (t: number): string => new Date(Math.round(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const r4 = (x: number): number => Math.round(x * 10000) / 10000;

/** what a group of pods does at one step, before measurement */
interface State {
  req: number;
  err: number;
  p95: number;
  cpu: number;
  mem: number;
  restarts: number;
}

export function generate(seed: number, family: Family, id: string): Scenario {
  const g = new Gen(seed);
  const noisy = family === 'noisy_healthy';
  const step = g.one([10, 20, 20, 30, 30, 60]);
  const stepMs = step * 1000;
  const preSteps = Math.round((g.int(30, 40) * 60) / step);
  const postSteps = Math.round((g.int(22, 40) * 60) / step);
  const n = preSteps + postSteps + 1;
  const deployK = preSteps;
  const deployAt = Date.UTC(2026, g.int(0, 11), g.int(1, 28), g.int(0, 23), g.int(0, 59), 0);
  const start = deployAt - preSteps * stepMs;
  const tOf = (k: number): number => start + k * stepMs;
  const service = g.one(SERVICES);
  const replicas = g.int(2, 10);
  const canary = family === 'canary_regression' || g.bool(0.25);
  const share = canary ? g.range(0.05, 0.5) : 1;
  const version = `${g.int(1, 14)}.${g.int(0, 40)}.${g.int(0, 9)}`;
  const prev = `${version.split('.')[0]}.${Math.max(0, Number(version.split('.')[1]) - g.int(1, 3))}.${g.int(0, 9)}`;
  const world = L.makeWorld(g, service, replicas);

  // service levels
  const req0 = g.logRange(0.5, 2500);
  const err0 = g.logRange(0.0005, 0.02);
  const lat0 = g.logRange(25, 1200);
  const latSpread = g.range(0.35, 0.9);
  const cpu0 = g.range(0.08, 0.5);
  const mem0 = g.logRange(120 * MiB, 1500 * MiB);
  const limit = [256, 512, 1024, 2048, 3072, 4096, 8192].map((x) => x * MiB).find((x) => x > mem0 * g.range(1.4, 2.2)) ?? 8192 * MiB;
  const histogram = g.bool(0.5);
  const seasonal = g.bool(noisy ? 0.8 : 0.5);
  const cycle = dailyCycle(seasonal ? g.range(0.2, noisy ? 0.85 : 0.6) : 0, g.range(0, 2 * Math.PI));
  const sig = noisy ? g.range(0.1, 0.25) : g.range(0.03, 0.09);
  const nu = g.one([3, 4, 5, 8]);
  const spikeP = noisy ? g.range(0.01, 0.05) : g.range(0, 0.015);
  const latN = () => new LogNoise(g, sig, g.range(0.3, 0.85), nu, spikeP, g.range(1.3, 2.2));
  const reqN = () => new LogNoise(g, sig * 0.6, g.range(0.5, 0.9), nu, spikeP / 3, 2.5);
  const cpuN = () => new LogNoise(g, sig * 0.5, g.range(0.5, 0.9), nu, 0, 2);
  const burstP = noisy ? g.range(0.01, 0.05) : g.range(0, 0.01);

  // level shift before the deploy (an unrelated change of the world, lasting through the watch)
  const preShift = g.bool(noisy ? 0.5 : 0.25)
    ? { k: deployK - Math.round((g.range(3, 25) * 60) / step), what: g.one(['lat', 'req', 'err', 'cpu'] as const), f: g.bool(0.5) ? g.range(1.2, 1.6) : g.range(0.65, 0.85) }
    : undefined;
  const shiftAt = (k: number, what: string): number => (preShift && preShift.what === what && k >= preShift.k ? preShift.f : 1);

  // traps every family may carry
  const blip = g.bool(0.5) ? { steps: Math.max(1, Math.round(g.range(15, 60) / step)), lat: g.range(1.3, 3), err: g.bool(0.4) ? g.range(0.005, 0.04) : 0 } : undefined;
  const versionLat = family === 'healthy' || noisy ? g.range(0.93, 1.1) : 1;
  const refill = g.bool(0.6) ? { drop: g.range(0.45, 0.8), tau: g.range(3, 12) * 60_000 } : undefined;
  const evictK = g.bool(noisy ? 0.5 : 0.2) ? g.int(deployK - 30, n - 3) : -1;
  const resetOnDeploy = g.bool(0.6);
  const restarts0 = g.bool(0.5) ? 0 : g.int(1, 40);
  const harmlessFlag = g.bool(family === 'healthy' || noisy ? 0.7 : 0.3) ? g.one(['checkout.v2', 'search-rerank', 'new-pricing', 'batch-writes']) : undefined;

  // the incident
  const cause = CAUSE[family];
  let onsetK = -1;
  let deadline: number | null = null;
  let errAdd = 0;
  let latF = 1;
  let ramp = 1;
  let leakPerMs = 0;
  let surge = 1;
  let depErr = 0;
  let depLat = 1;
  let flap = false;
  let lost: string[] = [];
  let crashMissing = 0;
  const codeKind = g.int(0, 9);
  const silent = g.bool(0.2);
  switch (family) {
    case 'error_regression':
      onsetK = deployK + g.int(0, 3);
      errAdd = Math.min(0.5, Math.max(0.01, err0 * g.logRange(3, 60)));
      latF = g.bool(0.3) ? g.range(1.05, 1.5) : 1;
      ramp = g.int(1, 4);
      break;
    case 'latency_regression':
      onsetK = deployK + g.int(0, 3);
      latF = g.logRange(1.5, 5);
      errAdd = g.bool(0.3) ? err0 * g.range(0.5, 3) : 0;
      ramp = g.int(1, Math.max(2, Math.round(240 / step)));
      break;
    case 'memory_leak': {
      onsetK = deployK + g.int(0, 2);
      const minutes = g.range(10, 60);
      leakPerMs = (limit - mem0) / (minutes * 60_000);
      deadline = tOf(onsetK) + minutes * 60_000;
      break;
    }
    case 'crash_loop':
      onsetK = deployK + g.int(1, 3);
      errAdd = g.range(0.01, 0.35);
      latF = g.range(1, 1.8);
      crashMissing = g.bool(0.4) ? g.range(0.3, 0.7) : 0;
      break;
    case 'canary_regression':
      onsetK = deployK + g.int(0, 3);
      if (g.bool(0.5)) errAdd = Math.min(0.5, Math.max(0.015, err0 * g.logRange(4, 60)));
      else latF = g.logRange(1.5, 4);
      ramp = g.int(1, 3);
      break;
    case 'load_surge':
      onsetK = deployK + Math.round((g.range(-8, 12) * 60) / step);
      surge = Math.max(g.logRange(1.8, 5), (0.95 / cpu0) * g.range(1, 1.2));
      ramp = g.int(2, Math.max(3, Math.round(300 / step)));
      break;
    case 'dependency_outage':
      onsetK = deployK + Math.round((g.bool(0.2) ? g.range(-10, -2) : g.range(4, 20)) * 60 / step);
      depErr = g.range(0.03, 0.5);
      depLat = g.bool(0.5) ? g.range(1.5, 6) : 1;
      flap = g.bool(0.4);
      break;
    case 'no_data': {
      onsetK = deployK + g.int(1, 6);
      const r = g.u();
      lost = r < 0.5 ? ['error_rate', 'latency_p95_ms', 'request_rate'] : r < 0.8 ? ['error_rate', 'latency_p95_ms', 'request_rate', 'cpu_utilization', 'memory_bytes'] : ['error_rate', 'latency_p95_ms', 'request_rate', 'cpu_utilization'];
      break;
    }
    default:
      break;
  }
  const a = (k: number): number => (onsetK < 0 || k < onsetK ? 0 : Math.min(1, (k - onsetK + 1) / ramp));
  const flapOn = Array.from({ length: n }, () => true);
  if (flap) {
    let on = true;
    let left = g.int(2, 5);
    for (let k = 0; k < n; k++) {
      flapOn[k] = on;
      if (--left <= 0) {
        on = !on;
        left = on ? g.int(2, 6) : g.int(1, 3);
      }
    }
  }

  // crash loop: each new pod restarts with Kubernetes' back-off (10 s, 20 s, 40 s … capped 300 s)
  const crashSteps: number[] = Array.from({ length: n }, () => 0);
  if (family === 'crash_loop') {
    const crashing = Math.max(1, Math.round(replicas * (canary ? 1 : g.range(0.3, 1))));
    for (let p = 0; p < crashing; p++) {
      let t = tOf(onsetK) + g.range(0, stepMs);
      let backoff = 10_000;
      const life = g.range(5_000, 60_000);
      while (t < tOf(n - 1)) {
        t += life;
        const k = Math.ceil((t - start) / stepMs);
        if (k < n) crashSteps[k]++;
        t += backoff;
        backoff = Math.min(300_000, backoff * 2);
      }
    }
  }

  const logs: Scenario['logs'] = [];
  const emit = (t: number, e: L.Event): void => {
    const l = L.line(g, world, e);
    logs.push({ at: iso(Math.max(start, Math.min(tOf(n - 1), t))), level: l.level, message: l.message });
  };

  // the groups: `main` is the whole service, or the canary when there is one; `stable` beside it
  const groups = canary ? (['main', 'stable'] as const) : (['main'] as const);
  const series: Record<string, Record<string, Array<[string, number]>>> = {};
  const miss = missingMask(g, n, g.range(0, 0.06), g.int(0, 2), Math.max(1, Math.min(4, Math.floor(45 / step))));
  for (const grp of groups) {
    const affected = grp === 'main';
    const gShare = grp === 'main' ? share : 1 - share;
    const out: Record<string, Array<[string, number]>> = { error_rate: [], latency_p95_ms: [], cpu_utilization: [], memory_bytes: [], request_rate: [], restarts: [] };
    const nLat = latN();
    const nReq = reqN();
    const nCpu = cpuN();
    let restarts = restarts0;
    let gcPhase = g.range(0, 1);
    const gcPeriod = g.range(2, 8);
    let leakFrom = onsetK;
    let lastRestartAt = refill && affected ? tOf(deployK) : -Infinity;
    for (let k = 0; k < n; k++) {
      const t = tOf(k);
      const after = k >= deployK && affected;
      const s: State = { req: req0 * gShare * cycle(t) * shiftAt(k, 'req'), err: err0 * shiftAt(k, 'err'), p95: lat0 * shiftAt(k, 'lat'), cpu: cpu0 * shiftAt(k, 'cpu'), mem: mem0, restarts };
      // the world: a surge or an outage reaches every group
      let load = s.req / (req0 * gShare);
      if (family === 'load_surge' && onsetK >= 0 && k >= onsetK) load *= 1 + (surge - 1) * Math.min(1, (k - onsetK + 1) / ramp);
      s.req = req0 * gShare * load;
      let util = cpu0 * load * shiftAt(k, 'cpu');
      if (family === 'load_surge' && util > 0.85) {
        s.err += Math.min(0.4, (util - 0.85) * g.range(0.3, 1.2));
        s.p95 *= 1 + (util - 0.85) * g.range(4, 12);
        if (g.bool(Math.min(1, (util - 0.85) * 3))) emit(t + g.range(0, stepMs), L.capacity(g, world));
        util = Math.min(0.98, 0.85 + (util - 0.85) * 0.25);
      }
      s.cpu = util;
      s.p95 *= 1 + 0.25 * Math.max(0, load - 1);
      if (family === 'dependency_outage' && k >= onsetK && flapOn[k]) {
        s.err += depErr * g.range(0.6, 1.2);
        s.p95 *= depLat;
        const nLines = g.poisson(Math.min(8, 1 + depErr * 15) * (step / 30));
        for (let i = 0; i < nLines; i++) emit(t + g.range(0, stepMs), L.dependency(g, world, codeKind + (g.bool(0.2) ? 1 : 0)));
      }
      // the new version's own effects
      if (after) {
        s.p95 *= versionLat;
        if (blip && k < deployK + blip.steps) {
          s.p95 *= blip.lat;
          s.err += blip.err;
          s.cpu *= 1.25;
        }
        const x = a(k);
        s.err += errAdd * x;
        s.p95 *= 1 + (latF - 1) * x;
        s.cpu *= 1 + 0.1 * (latF - 1) * x;
      }
      // memory: GC sawtooth, refill after the pods were replaced, leak
      gcPhase = (gcPhase + 1 / gcPeriod) % 1;
      s.mem = mem0 * (0.93 + 0.1 * gcPhase) * (1 + 0.15 * (load - 1));
      if (crashSteps[k] && affected) lastRestartAt = t;
      if (lastRestartAt > -Infinity && refill && t >= lastRestartAt) s.mem *= 1 - (1 - refill.drop) * Math.exp(-(t - lastRestartAt) / refill.tau);
      if (family === 'memory_leak' && after && k >= onsetK) {
        const m = s.mem + leakPerMs * (t - tOf(leakFrom));
        if (m >= limit * 0.98) {
          restarts++;
          leakFrom = k;
          emit(t, L.oom(g, world, Math.round(limit / MiB)));
          s.mem = mem0 * 0.6;
        } else {
          s.mem = m;
          if (m > 0.85 * limit && g.bool(0.3)) emit(t + g.range(0, stepMs), L.memWarn(g, (100 * m) / limit));
        }
      }
      // restarts: the counter resets when the deploy replaces the pods
      if (after && k === deployK && resetOnDeploy) restarts = 0;
      if (k === evictK && affected) {
        restarts++;
        emit(t, { level: 'warn', text: `pod ${world.pods[0]} evicted: node ${world.node} low on ephemeral-storage` });
      }
      if (affected && crashSteps[k]) {
        restarts += crashSteps[k];
        for (let i = 0; i < crashSteps[k]; i++) for (const e of L.crash(g, world, codeKind)) emit(t - g.range(0, stepMs), e);
      }
      s.restarts = restarts;

      // measurement
      const reqPerScrape = Math.max(0, s.req * step * nReq.next());
      const requests = g.poisson(reqPerScrape);
      let errP = Math.min(0.95, s.err);
      if (g.u() < burstP) errP = Math.min(0.6, errP + err0 * g.pareto(1.2) * 3);
      const errors = g.poisson(requests * errP);
      const errRate = requests > 0 ? Math.min(1, errors / requests) : 0;
      const p95True = s.p95 * nLat.next();
      const p95 = histogram ? histogramP95(g, p95True, latSpread, Math.max(20, requests)) : Math.round(p95True * 10) / 10;
      const cpu = Math.min(1, s.cpu * nCpu.next());
      const mem = Math.round((s.mem * (1 + 0.004 * g.gauss())) / 4096) * 4096;
      const when = iso(t);
      const lostNow = (m: string): boolean => lost.includes(m) && k >= onsetK && affected;
      const crashGap = crashMissing > 0 && affected && k >= onsetK && g.u() < crashMissing;
      const put = (m: string, v: number, app: boolean): void => {
        if (miss[k] || lostNow(m) || (app && crashGap) || !Number.isFinite(v)) return;
        out[m].push([when, v]);
      };
      put('error_rate', r4(errRate), true);
      put('latency_p95_ms', p95, true);
      put('cpu_utilization', r4(cpu), true);
      put('memory_bytes', mem, false);
      put('request_rate', Math.round((requests / step) * 1000) / 1000, true);
      put('restarts', restarts, false);

      // logs of this step (the main group writes the service's logs; the stable group adds its share)
      if (grp === 'main') {
        const perStep = g.range(1.5, 6) * (step / 60) * (canary ? 1 / Math.max(0.2, share) : 1);
        const bg = g.poisson(perStep);
        for (let i = 0; i < bg; i++) emit(t + g.range(0, stepMs), L.background(g, world, s.p95));
        if (after && k < deployK + 3 && g.bool(0.5)) emit(t + g.range(0, stepMs), L.rollout(g, world, version));
        if (after && harmlessFlag && g.bool(0.3)) emit(t + g.range(0, stepMs), L.harmless(g, world, harmlessFlag));
        const x = after ? a(k) : 0;
        if (x > 0 && errAdd > 0 && !silent && family !== 'crash_loop') {
          const c = g.poisson(Math.min(10, 1 + errAdd * 40) * (step / 30) * x);
          for (let i = 0; i < c; i++) emit(t + g.range(0, stepMs), L.codeFault(g, world, codeKind));
        }
        if (x > 0 && latF > 1.3 && g.bool(0.5)) emit(t + g.range(0, stepMs), L.slow(g, world, s.p95 * 1.5));
        if (family === 'no_data' && k >= onsetK && g.bool(0.25)) emit(t + g.range(0, stepMs), L.telemetryLost(g, world));
      }
    }
    series[grp] = out;
  }
  logs.sort((x, y) => x.at.localeCompare(y.at));
  const onsetAt = onsetK >= 0 ? tOf(Math.max(0, onsetK)) : null;
  const scenario: Scenario = {
    id,
    description: `${service} ${prev} -> ${version} on ${replicas} pods (${canary ? `canary ${Math.round(share * 100)}%` : 'rolling'}), second set`,
    service,
    environment: g.bool(0.7) ? 'production' : 'staging',
    stepSeconds: step,
    deployment: { version: `v${version}`, previousVersion: `v${prev}`, commit: g.hex(40), at: iso(deployAt), replicas },
    metrics: series.main,
    limits: { memory_bytes: limit },
    logs,
    truth: {
      cause,
      onset: cause === 'none' || onsetAt === null ? null : iso(onsetAt),
      bestAction: ACTION[cause],
      deadline: deadline === null ? null : iso(deadline),
    },
  };
  if (canary) scenario.baselineMetrics = series.stable;
  return scenario;
}
