// The incident simulator: makes v1 scenarios (core/scenario.ts, CONTRACTS.md) from a seed, one
// family of incident at a time, so the policy can be trained and evaluated on far more — and more
// varied — incidents than any hand-made set: every cause, with and without a canary, step sizes of
// 15/30/60 s, heavy-tailed and diurnal noise, and the traps real deploys have (warm-up blips, memory
// refilling after restarts, a single evicted pod, harmless new log lines, short gaps).
// Hand-written because no library simulates deployment telemetry; it is deterministic given the seed.
import type { Cause, Action } from '../core/types.js';
import type { Scenario } from '../core/scenario.js';
import { hashSeed } from '../core/random.js';
import { isoTime } from '../core/time.js';
import { Rng } from './simulate-rng.js';
import * as L from './simulate-logs.js';

export const SIM_FAMILIES = [
  'healthy',
  'noisy_healthy',
  'error_regression',
  'latency_regression',
  'memory_leak',
  'crash_loop',
  'canary_regression',
  'load_surge',
  'dependency_outage',
  'no_data',
] as const;
export type SimFamily = (typeof SIM_FAMILIES)[number];

export const FAMILY_CAUSE: Record<SimFamily, Cause> = {
  healthy: 'none',
  noisy_healthy: 'none',
  error_regression: 'deploy_regression',
  latency_regression: 'deploy_regression',
  memory_leak: 'deploy_regression',
  crash_loop: 'deploy_regression',
  canary_regression: 'deploy_regression',
  load_surge: 'load_surge',
  dependency_outage: 'dependency_outage',
  no_data: 'no_data',
};

export const CAUSE_ACTION: Record<Cause, Action> = {
  none: 'continue',
  deploy_regression: 'rollback',
  load_surge: 'scale_up',
  dependency_outage: 'escalate',
  no_data: 'escalate',
};

export interface SimulateOptions {
  seed: number;
  family: SimFamily;
  /** measure a canary beside the stable group (default: by chance, always for canary_regression) */
  canary?: boolean;
  stepSeconds?: number;
  /** ordinary log lines per minute (default 3–10 by chance); keep low for small files */
  logsPerMinute?: number;
  id?: string;
}

const SERVICES = ['checkout', 'cart', 'search', 'payments', 'auth', 'catalog', 'orders', 'pricing', 'inventory', 'profile', 'notifications', 'shipping', 'ledger', 'media-resizer', 'gateway'];
const MI = 1024 * 1024;
const METRICS = ['error_rate', 'latency_p95_ms', 'cpu_utilization', 'memory_bytes', 'request_rate', 'restarts'] as const;
type Metric = (typeof METRICS)[number];

/** What one group (whole service, or the canary, or the stable group) really does at step k. */
interface Truthy {
  reqF: number;
  errAdd: number;
  latF: number;
  cpuF: number;
  /** absolute memory override (leak, refill), else NaN */
  mem: number;
  restartsAdd: number;
}

function version(r: Rng): [string, string] {
  const maj = r.int(1, 9);
  const min = r.int(1, 40);
  const pat = r.int(0, 9);
  const bump = r.int(0, 2);
  const prev = `v${maj}.${min}.${pat}`;
  const next = bump === 0 ? `v${maj}.${min}.${pat + 1}` : bump === 1 ? `v${maj}.${min + 1}.0` : `v${maj}.${min + r.int(1, 3)}.${r.int(0, 3)}`;
  return [next, prev];
}

export function simulateScenario(o: SimulateOptions): Scenario {
  const r = new Rng(hashSeed(`${o.family}:${o.seed}`));
  const fam = o.family;
  const cause = FAMILY_CAUSE[fam];
  const step = o.stepSeconds ?? r.pick([15, 15, 15, 30, 30, 60]);
  const stepMs = step * 1000;
  const svc = r.pick(SERVICES);
  const env = r.chance(0.7) ? 'production' : 'staging';
  const replicas = r.int(2, 8);
  const [ver, prev] = version(r);
  const style = r.pick(L.LOG_STYLES);
  const canary = fam === 'canary_regression' ? true : (o.canary ?? r.chance(0.3));
  const share = canary ? r.uniform(0.1, 0.5) : 1;

  // Times: a 30 min baseline before the deploy and 20–35 min after, on the step grid.
  const deploy = Date.UTC(2026, r.int(0, 11), r.int(1, 28), r.int(0, 23), r.int(0, 59));
  const preSteps = Math.round(1800 / step);
  const postSteps = Math.round((r.int(20, 35) * 60) / step);
  const start = deploy - preSteps * stepMs;
  const n = preSteps + postSteps + 1;
  const deployK = preSteps;
  const end = start + (n - 1) * stepMs;
  const tOf = (k: number): number => start + k * stepMs;

  // Base levels (wide, so the policy sees small and big services).
  const req0 = r.logUniform(3, 3000);
  const err0 = r.logUniform(0.0003, 0.012);
  const lat0 = r.logUniform(40, 700);
  const cpu0 = r.uniform(0.12, 0.6);
  const mem0 = r.logUniform(150e6, 900e6);
  const limit = [512, 768, 1024, 1536, 2048, 4096].map((x) => x * MI).find((x) => x >= mem0 * 1.5) ?? 4096 * MI;
  const restarts0 = r.chance(0.5) ? 0 : r.int(1, 15);
  const noise = fam === 'noisy_healthy' ? r.uniform(1.8, 3) : r.uniform(0.6, 1.3);
  const diurnalPhase = r.uniform(0, 2 * Math.PI);
  const diurnalAmp = r.uniform(0.1, 0.35);
  const logsPerMin = o.logsPerMinute ?? r.uniform(3, 10);

  // Traps every family may carry.
  const blipSteps = r.chance(fam === 'noisy_healthy' ? 0.8 : 0.5) ? r.int(1, 3) : 0;
  const blipLat = r.uniform(1.4, 3);
  const blipErr = r.chance(0.5) ? r.uniform(0.002, 0.03) : 0;
  const refill = r.chance(0.6);
  const refillDrop = r.uniform(0.5, 0.8);
  const refillTau = r.uniform(120, 600) * 1000;
  const evictK = r.chance(fam === 'noisy_healthy' ? 0.7 : 0.2) ? r.int(Math.max(1, deployK - 20), n - 2) : -1;
  const harmless = r.chance(fam === 'noisy_healthy' || fam === 'healthy' ? 0.6 : 0.3);
  const smallDiffLat = r.uniform(0.95, 1.08);
  const smallDiffErr = r.uniform(0.8, 1.3);

  // The incident itself.
  let onsetK = -1;
  let deadline: number | null = null;
  const logs: L.SimLog[] = [];
  const push = (t: number, l: Omit<L.SimLog, 'at'>): void => {
    logs.push({ at: Math.min(end, Math.max(start, Math.round(t))), ...l });
  };
  // a fifth of code regressions are configuration mistakes whose errors look like a dependency failing
  const configBug = r.chance(0.25);
  const errFactory = configBug ? L.configErrorFactory(r, svc, env) : L.regressionErrorFactory(r, svc);
  const dep = r.pick(L.DEPENDENCIES);
  const rampSteps = r.int(0, 3);
  const ramp = (k: number): number => (onsetK < 0 || k < onsetK ? 0 : Math.min(1, (k - onsetK + 1) / (rampSteps + 1)));

  // per-family parameters
  let E = 0;
  let Lf = 1;
  let S = 1;
  let satErr = 0;
  let satLat = 1;
  let leakSlope = 0; // bytes per ms
  let crashEvery = 0;
  let crashErr = 0;
  let outErr = 0;
  let outLat = 1;
  let flap = false;
  const flapOn: boolean[] = [];
  let lostMetrics: Metric[] = [];
  let lostLogs = false;
  let canaryKind: 'error' | 'latency' = 'error';

  switch (fam) {
    case 'error_regression':
      onsetK = deployK + r.int(0, 4);
      E = Math.min(0.6, err0 * r.logUniform(4, 200));
      Lf = r.chance(0.4) ? r.uniform(1.05, 1.6) : 1;
      break;
    case 'latency_regression':
      onsetK = deployK + r.int(0, 4);
      Lf = r.logUniform(1.5, 6);
      E = r.chance(0.3) ? err0 * r.uniform(1, 4) : 0;
      break;
    case 'memory_leak': {
      onsetK = deployK + r.int(0, 2);
      const minutes = r.uniform(8, 45);
      leakSlope = (limit - mem0) / (minutes * 60_000);
      deadline = Math.round((tOf(onsetK) + minutes * 60_000) / 1000) * 1000;
      break;
    }
    case 'crash_loop':
      onsetK = deployK + r.int(1, 4);
      crashEvery = r.int(1, 3);
      crashErr = r.uniform(0.02, 0.3);
      Lf = r.uniform(1.1, 2);
      break;
    case 'canary_regression':
      onsetK = deployK + r.int(0, 4);
      canaryKind = r.chance(0.5) ? 'error' : 'latency';
      if (canaryKind === 'error') E = Math.min(0.4, err0 * r.logUniform(3, 80));
      else Lf = r.logUniform(1.3, 3.5);
      break;
    case 'load_surge': {
      onsetK = Math.max(2, deployK + Math.round((r.uniform(-6, 10) * 60) / step));
      S = Math.min(10, Math.max(r.logUniform(1.6, 4.5), (0.9 / cpu0) * r.uniform(1, 1.3)));
      const over = Math.max(0, cpu0 * S - 0.85);
      satErr = Math.min(0.4, r.uniform(0.01, 0.1) + over * r.uniform(0.02, 0.2));
      satLat = 1 + r.uniform(1, 5) + over * r.uniform(1, 6);
      break;
    }
    case 'dependency_outage': {
      onsetK = Math.max(2, deployK + Math.round((r.uniform(-12, 15) * 60) / step));
      outErr = r.uniform(0.03, 0.6);
      outLat = r.chance(0.5) ? r.uniform(1.5, 5) : r.uniform(0.75, 1);
      flap = r.chance(0.5);
      let on = true;
      let left = r.int(1, 4);
      for (let k = 0; k < n; k++) {
        flapOn.push(on);
        if (--left <= 0) {
          on = !on;
          left = on ? r.int(1, 4) : r.int(1, 3);
        }
      }
      break;
    }
    case 'no_data': {
      onsetK = deployK + r.int(0, 4);
      const roll = r.next();
      lostMetrics = roll < 0.5 ? ['error_rate', 'latency_p95_ms', 'request_rate'] : roll < 0.8 ? [...METRICS] : ['error_rate', ...METRICS.filter((m) => m !== 'error_rate' && r.chance(0.5))];
      // something must still arrive after the loss (kubelet metrics or logs), or nothing could be
      // decided in time: when every metric stops, the logs keep flowing
      lostLogs = lostMetrics.length < METRICS.length && r.chance(0.4);
      break;
    }
    default:
      break;
  }
  if (onsetK >= n - 1) onsetK = n - 2;

  // Restarts from crash loops and OOM kills, decided in time order so memory can refill after them.
  const extraRestarts: number[] = new Array(n).fill(0);
  const memReset: number[] = new Array(n).fill(-1); // k of the latest restart that reset memory
  let lastReset = refill ? deployK : -1;
  let leakBase = onsetK;
  const oomAt: number[] = [];
  for (let k = 0; k < n; k++) {
    if (k === evictK) {
      extraRestarts[k] += 1;
      push(tOf(k) - r.uniform(0, stepMs), L.evictionLine(r, svc));
    }
    if (fam === 'crash_loop' && k >= onsetK && (k - onsetK) % crashEvery === 0) {
      extraRestarts[k] += r.int(1, Math.min(3, replicas));
      lastReset = k;
      for (const l of L.crashLines(r, svc)) push(tOf(k) - r.uniform(0, stepMs), l);
    }
    if (fam === 'memory_leak' && k >= onsetK && leakBase >= 0) {
      const m = mem0 + leakSlope * (tOf(k) - tOf(leakBase));
      if (m >= limit * 0.97) {
        extraRestarts[k] += 1;
        oomAt.push(k);
        leakBase = k;
        lastReset = k;
        for (const l of L.oomLines(r, svc, Math.round(limit / MI))) push(tOf(k) - r.uniform(0, stepMs), l);
      } else if (m > limit * 0.85 && r.chance(0.5)) {
        push(tOf(k) - r.uniform(0, stepMs), L.memoryWarnLine(r, (100 * m) / limit));
      }
    }
    memReset[k] = lastReset;
  }

  /** What the affected (canary or whole) group really does at step k. */
  const truthAt = (k: number, affected: boolean): Truthy => {
    const t = tOf(k);
    const x: Truthy = { reqF: 1, errAdd: 0, latF: 1, cpuF: 1, mem: NaN, restartsAdd: 0 };
    const after = k >= deployK;
    const deployEffects = affected && after; // only the new version's pods change
    if (deployEffects && k < deployK + blipSteps) {
      x.latF *= blipLat;
      x.errAdd += blipErr;
      x.cpuF *= 1.3;
    }
    if (deployEffects && (fam === 'healthy' || fam === 'noisy_healthy')) {
      x.latF *= smallDiffLat;
      x.errAdd += err0 * (smallDiffErr - 1);
    }
    const a = deployEffects ? ramp(k) : 0;
    switch (fam) {
      case 'error_regression':
      case 'latency_regression':
      case 'canary_regression':
        x.errAdd += E * a;
        x.latF *= 1 + (Lf - 1) * a;
        x.cpuF *= 1 + 0.3 * (Lf - 1) * a * 0.2;
        break;
      case 'crash_loop':
        if (a > 0) {
          x.errAdd += crashErr * r.uniform(0.6, 1.2);
          x.latF *= Lf;
          x.reqF *= 0.9;
        }
        break;
      case 'load_surge': {
        // the surge hits every group: it is the world, not the release
        const s = k < onsetK ? 1 : 1 + (S - 1) * Math.min(1, (k - onsetK + 1) / (rampSteps + 1));
        x.reqF *= s;
        const load = cpu0 * s;
        const sat = Math.max(0, Math.min(1, (load - 0.75) / 0.25));
        x.errAdd += satErr * sat;
        x.latF *= 1 + (satLat - 1) * sat;
        break;
      }
      case 'dependency_outage':
        if (k >= onsetK && (!flap || flapOn[k])) {
          x.errAdd += outErr * r.uniform(0.7, 1.2);
          x.latF *= outLat;
          x.cpuF *= 0.85;
        }
        break;
      default:
        break;
    }
    // memory: refill after restarts, leak growth
    if (affected) {
      const rk = memReset[k];
      if (rk >= 0 && k >= rk) {
        const dt = t - tOf(rk);
        const floor = mem0 * refillDrop;
        x.mem = mem0 - (mem0 - floor) * Math.exp(-dt / refillTau);
      }
      if (fam === 'memory_leak' && k >= onsetK && deployEffects) {
        const base = oomAt.filter((q) => q <= k).pop() ?? onsetK;
        const grown = (base === onsetK ? mem0 : mem0 * refillDrop) + leakSlope * (t - tOf(base));
        x.mem = Math.min(limit, grown);
        x.cpuF *= 1 + 0.2 * Math.max(0, (x.mem - mem0) / (limit - mem0));
      }
    }
    return x;
  };

  // Series for one group.
  const makeSeries = (affected: boolean, groupShare: number, seedSalt: string): Record<Metric, Array<[string, number]>> => {
    const g = new Rng(hashSeed(`${o.seed}:${fam}:${seedSalt}`));
    const out = Object.fromEntries(METRICS.map((m) => [m, [] as Array<[string, number]>])) as Record<Metric, Array<[string, number]>>;
    let restarts = restarts0;
    for (let k = 0; k < n; k++) {
      const t = tOf(k);
      const x = truthAt(k, affected);
      const diurnal = 1 + diurnalAmp * Math.sin((2 * Math.PI * t) / 86_400_000 + diurnalPhase);
      const req = Math.max(0.05, req0 * groupShare * diurnal * x.reqF * (1 + 0.04 * noise * g.normal()));
      const errTrue = Math.min(0.95, err0 * (1 + 0.2 * noise * g.normal()) ** 2 + x.errAdd);
      const calls = Math.max(1, req * step);
      let err = g.poisson(errTrue * calls) / calls;
      if (g.chance(0.01 * noise)) err += g.uniform(0, 0.03 * noise); // a heavy-tailed error spike
      const lat = lat0 * x.latF * diurnal ** 0.3 * Math.exp(0.08 * noise * g.heavy());
      const cpu = Math.min(1, Math.max(0.01, cpu0 * x.cpuF * (req / (req0 * groupShare)) + 0.02 * noise * g.normal()));
      const mem = (Number.isNaN(x.mem) ? mem0 : x.mem) * (1 + 0.01 * g.normal());
      if (affected) restarts += extraRestarts[k];
      const vals: Record<Metric, number> = {
        error_rate: Math.round(Math.min(1, Math.max(0, err)) * 1e5) / 1e5,
        latency_p95_ms: Math.round(lat * 10) / 10,
        cpu_utilization: Math.round(cpu * 1e4) / 1e4,
        memory_bytes: Math.round(mem),
        request_rate: Math.round(req * 1000) / 1000,
        restarts,
      };
      for (const m of METRICS) out[m].push([isoTime(t), vals[m]]);
    }
    return out;
  };

  const metrics = makeSeries(true, share, 'main');
  const baselineMetrics = canary ? makeSeries(false, 1 - share, 'base') : undefined;

  // Telemetry lost after the deploy (only the new version's telemetry when there is a canary).
  if (fam === 'no_data') {
    const cut = tOf(onsetK);
    for (const m of lostMetrics) metrics[m] = metrics[m].filter(([t]) => Date.parse(t) < cut);
  }
  // Short gaps: a sample or three missing here and there (never a label).
  if (r.chance(fam === 'noisy_healthy' ? 0.7 : 0.35)) {
    for (let i = r.int(1, 3); i > 0; i--) {
      const m = r.pick(METRICS);
      const k0 = r.int(1, n - 4);
      const len = r.int(1, 3);
      const drop = new Set(Array.from({ length: len }, (_, j) => isoTime(tOf(k0 + j))));
      metrics[m] = metrics[m].filter(([t]) => !drop.has(t));
    }
  }

  // Logs: ordinary traffic, the rollout itself, and what the incident prints.
  for (let k = 0; k < n; k++) {
    const t = tOf(k);
    const x = truthAt(k, true);
    const count = r.poisson((logsPerMin * step) / 60);
    for (let i = 0; i < count; i++) push(t - r.uniform(0, stepMs), L.backgroundLine(r, style, svc, lat0 * x.latF));
    const a = ramp(k);
    const inc = (p: number, cap: number): number => Math.min(cap, r.poisson(p));
    if ((fam === 'error_regression' || (fam === 'canary_regression' && canaryKind === 'error')) && a > 0) {
      const c = inc(Math.max(0.5, E * req0 * share * step * 0.02), 6);
      for (let i = 0; i < c; i++) push(t - r.uniform(0, stepMs), errFactory());
    }
    if ((fam === 'latency_regression' || (fam === 'canary_regression' && canaryKind === 'latency')) && a > 0) {
      const c = inc(1.5, 4);
      for (let i = 0; i < c; i++) push(t - r.uniform(0, stepMs), L.slowQueryLine(r, lat0 * Lf));
    }
    if (fam === 'crash_loop' && a > 0) {
      const c = inc(1, 3);
      for (let i = 0; i < c; i++) push(t - r.uniform(0, stepMs), errFactory());
    }
    if (fam === 'load_surge' && k >= onsetK && x.errAdd > 0.003) {
      const c = inc(2 + x.errAdd * 20, 6);
      for (let i = 0; i < c; i++) push(t - r.uniform(0, stepMs), L.surgeLine(r));
    }
    if (fam === 'dependency_outage' && k >= onsetK && x.errAdd > 0) {
      const c = inc(2 + outErr * 8, 8);
      for (let i = 0; i < c; i++) push(t - r.uniform(0, stepMs), L.dependencyLine(r, dep));
    }
    if (harmless && k >= deployK && k < deployK + 6 && r.chance(0.5)) push(t - r.uniform(0, stepMs), L.harmlessNewLine(r, svc));
  }
  for (let i = 0; i < Math.min(replicas, 3); i++) {
    rolloutLines(r, svc, ver).forEach((l, j) => push(deploy + i * 4000 + j * 700, l));
  }
  if (fam === 'no_data' && r.chance(0.4)) {
    for (let i = r.int(1, 3); i > 0; i--) push(tOf(onsetK) + r.uniform(0, 3 * stepMs), L.telemetryLostLine(r));
  }
  let finalLogs = logs;
  if (fam === 'no_data' && lostLogs) finalLogs = logs.filter((l) => l.at < tOf(onsetK));
  finalLogs.sort((a, b) => a.at - b.at);

  const onsetIso = onsetK >= 0 ? isoTime(tOf(onsetK)) : null;
  const description = canary
    ? `Canary of ${svc} ${ver} taking ${Math.round(share * 100)}% of traffic in ${env}; ${prev} measured alongside as the stable baseline.`
    : r.pick([`Rolling update of ${svc} from ${prev} to ${ver} in ${env} (${replicas} replicas).`, `${svc}: deploying ${ver} to ${env}; ${replicas} replicas, previous ${prev}.`]);

  const scenario: Scenario = {
    id: o.id ?? `sim-${(hashSeed(`${fam}:${o.seed}`) >>> 0).toString(16).padStart(8, '0')}`,
    description,
    service: svc,
    environment: env,
    stepSeconds: step,
    deployment: { version: ver, previousVersion: prev, commit: r.hex(40), at: isoTime(deploy), replicas },
    metrics,
    limits: { memory_bytes: limit },
    logs: finalLogs.map((l) => ({ at: isoTime(l.at), level: l.level, message: l.message })),
    truth: { cause, onset: cause === 'none' ? null : onsetIso, bestAction: CAUSE_ACTION[cause], deadline: deadline === null ? null : isoTime(deadline) },
  };
  if (baselineMetrics) scenario.baselineMetrics = baselineMetrics;
  return scenario;
}

function rolloutLines(r: Rng, svc: string, ver: string): Array<Omit<L.SimLog, 'at'>> {
  return L.rolloutLines(r, svc, ver);
}

export interface SimulatedCase {
  family: SimFamily;
  scenario: Scenario;
}

/** `count` incidents cycling through `families` (all by default), deterministic given the seed. */
export function simulateMix(seed: number, count: number, families: readonly SimFamily[] = SIM_FAMILIES, opts: Partial<SimulateOptions> = {}): SimulatedCase[] {
  const out: SimulatedCase[] = [];
  for (let i = 0; i < count; i++) {
    const family = families[i % families.length];
    out.push({ family, scenario: simulateScenario({ ...opts, seed: seed * 100_003 + i, family }) });
  }
  return out;
}
