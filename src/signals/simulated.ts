// The simulated world: a SignalSource that makes realistic metrics and logs for a few demo
// services, and a SimulatedTarget that actions change. Every sample is a pure function of
// (seed, service, metric, time, interventions), so the same query always answers the same —
// which is what lets a watch resume after a crash and replay a tick without new facts.
//
// How a deployment behaves is a property of the world, never of the analysis: the version's
// behaviour comes from an explicit plan, a suffix convention (`v2.1.0-leak`) or a hash.
// The world responds truthfully: rollback ends a deploy regression, scale_up ends a load
// surge, neither ends a dependency outage.
import type {
  ActionRequest,
  ActionResult,
  DeploymentSpec,
  LogLevel,
  LogRecord,
  Point,
  SeriesMap,
  SignalBundle,
  SignalQuery,
  SignalSource,
} from '../core/types.js';
import type { SimulatedTarget } from '../core/simulated-target.js';
import { hashSeed, normal, seededRandom } from '../core/random.js';
import { own } from '../core/own.js';

export const BEHAVIOURS = [
  'healthy',
  'error_regression',
  'memory_leak',
  'latency_regression',
  'load_surge',
  'dependency_outage',
] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

/** Version suffixes that pick a behaviour explicitly (documented in demo/demo-script.md). */
const SUFFIXES: Record<string, Behaviour> = {
  good: 'healthy',
  ok: 'healthy',
  bug: 'error_regression',
  errors: 'error_regression',
  leak: 'memory_leak',
  slow: 'latency_regression',
  surge: 'load_surge',
  outage: 'dependency_outage',
};

export interface ServiceProfile {
  name: string;
  rps: number;
  latencyMs: number;
  errorRate: number;
  memoryBytes: number;
  memoryLimit: number;
  /** CPU utilization at normal load */
  cpu: number;
  replicas: number;
  dependency: string;
  route: string;
}

const MB = 1024 * 1024;
export const DEMO_SERVICES: ServiceProfile[] = [
  { name: 'checkout', rps: 120, latencyMs: 180, errorRate: 0.003, memoryBytes: 210 * MB, memoryLimit: 512 * MB, cpu: 0.35, replicas: 3, dependency: 'payments-db:5432', route: '/api/cart/checkout' },
  { name: 'payments', rps: 60, latencyMs: 240, errorRate: 0.002, memoryBytes: 300 * MB, memoryLimit: 768 * MB, cpu: 0.3, replicas: 3, dependency: 'stripe-gateway:443', route: '/api/payments' },
  { name: 'search', rps: 300, latencyMs: 90, errorRate: 0.001, memoryBytes: 420 * MB, memoryLimit: 1024 * MB, cpu: 0.4, replicas: 4, dependency: 'elasticsearch:9200', route: '/api/search' },
  { name: 'inventory', rps: 80, latencyMs: 60, errorRate: 0.002, memoryBytes: 160 * MB, memoryLimit: 512 * MB, cpu: 0.25, replicas: 2, dependency: 'inventory-db:5432', route: '/api/stock' },
];

/** A profile for a service the world was not told about, derived from its name. */
export function profileFor(service: string): ServiceProfile {
  const known = DEMO_SERVICES.find((s) => s.name === service);
  if (known) return known;
  const r = seededRandom(hashSeed(service));
  return {
    name: service,
    rps: Math.round(40 + r() * 200),
    latencyMs: Math.round(50 + r() * 200),
    errorRate: 0.001 + r() * 0.003,
    memoryBytes: Math.round((150 + r() * 250) * MB),
    memoryLimit: 1024 * MB,
    cpu: 0.25 + r() * 0.15,
    replicas: 3,
    dependency: 'upstream-db:5432',
    route: `/api/${service}`,
  };
}

export interface SimulatedWorldOptions {
  seed?: number;
  /** explicit behaviours: key `service@version` */
  plans?: Record<string, Behaviour>;
  /** how long an action takes to roll out (simulated ms) */
  rolloutMs?: number;
  /** how long a dependency outage lasts (simulated ms) */
  outageMs?: number;
  /** how many info log lines per service per step (keeps volume realistic but bounded) */
  infoLogsPerStep?: number;
}

interface Intervention {
  action: ActionRequest['action'];
  at: number;
}

/** onset of an incident after the deploy: realistic "nothing for a while, then…" */
const ONSET_MS = 45_000;

export class SimulatedWorld implements SignalSource, SimulatedTarget {
  readonly name = 'simulated';
  private readonly seed: number;
  private readonly plans: Map<string, Behaviour>;
  private readonly rolloutMs: number;
  private readonly outageMs: number;
  private readonly infoLogsPerStep: number;
  /** deployment key → interventions, in time order */
  private readonly interventions = new Map<string, Intervention[]>();
  private readonly applied_ = new Map<string, ActionResult>();

  constructor(opts: SimulatedWorldOptions = {}) {
    this.seed = opts.seed ?? 42;
    this.plans = new Map(Object.entries(opts.plans ?? {}));
    this.rolloutMs = opts.rolloutMs ?? 30_000;
    this.outageMs = opts.outageMs ?? 25 * 60_000;
    this.infoLogsPerStep = opts.infoLogsPerStep ?? 3;
  }

  /** Tell the world how a version behaves (the demo deployer does this). */
  plan(service: string, version: string, behaviour: Behaviour): void {
    this.plans.set(`${service}@${version}`, behaviour);
  }

  behaviourOf(service: string, version: string): Behaviour {
    const planned = this.plans.get(`${service}@${version}`);
    if (planned) return planned;
    const suffix = /-([a-z]+)$/.exec(version)?.[1];
    const bySuffix = suffix ? own(SUFFIXES, suffix) : undefined;
    if (bySuffix) return bySuffix;
    // Unplanned versions: mostly healthy, sometimes broken, stable per service+version.
    const h = hashSeed(`${this.seed}:${service}@${version}`) % 10;
    return h < 5 ? 'healthy' : (BEHAVIOURS[1 + (h % 5)] as Behaviour);
  }

  applied(actionId: string): ActionResult | undefined {
    return this.applied_.get(actionId);
  }

  apply(request: ActionRequest, at: number): ActionResult {
    const done = this.applied_.get(request.id);
    if (done) return done;
    const key = deploymentKey(request.deployment);
    const list = this.interventions.get(key) ?? [];
    list.push({ action: request.action, at });
    list.sort((a, b) => a.at - b.at);
    this.interventions.set(key, list);
    const d = request.deployment;
    const profile = profileFor(d.service);
    const result: ActionResult =
      request.action === 'rollback'
        ? { ok: true, detail: `rolled ${d.service} back to ${d.previousVersion ?? 'the previous version'}`, changes: { version: d.previousVersion ?? 'previous' } }
        : request.action === 'scale_up'
          ? { ok: true, detail: `scaled ${d.service} from ${d.replicas ?? profile.replicas} to ${2 * (d.replicas ?? profile.replicas)} replicas`, changes: { replicas: 2 * (d.replicas ?? profile.replicas) } }
          : { ok: true, detail: `paged the on-call engineer for ${d.service} (simulated)`, changes: {} };
    this.applied_.set(request.id, result);
    return result;
  }

  async collect(query: SignalQuery): Promise<SignalBundle> {
    const d = query.deployment;
    const profile = profileFor(d.service);
    const stepMs = Math.max(1, query.stepSeconds) * 1000;
    const metrics: SeriesMap = {
      error_rate: [],
      latency_p95_ms: [],
      cpu_utilization: [],
      memory_bytes: [],
      request_rate: [],
      restarts: [],
    };
    const logs: LogRecord[] = [];
    const first = Math.ceil(query.from / stepMs) * stepMs;
    for (let t = first; t <= query.to; t += stepMs) {
      const s = this.state(d, profile, t);
      const noise = (metric: string, sd: number): number => sd * normal(seededRandom(hashSeed(`${this.seed}:${d.service}:${metric}:${t}`)));
      metrics.error_rate!.push([t, clamp01(s.errorRate * (1 + noise('e', 0.15)))] as Point);
      metrics.latency_p95_ms!.push([t, Math.max(1, s.latencyMs * (1 + noise('l', 0.06)))] as Point);
      metrics.cpu_utilization!.push([t, clamp01(s.cpu + noise('c', 0.02))] as Point);
      metrics.memory_bytes!.push([t, Math.max(0, Math.round(s.memory + noise('m', 2 * MB)))] as Point);
      metrics.request_rate!.push([t, Math.max(0, s.rps * (1 + noise('r', 0.04)))] as Point);
      metrics.restarts!.push([t, s.restarts] as Point);
      this.logsFor(d, profile, s, t, stepMs, logs);
    }
    return { metrics, logs, spans: [], limits: { memory_bytes: profile.memoryLimit }, problems: [] };
  }

  /** The world's state for one deployment at time t. */
  private state(d: DeploymentSpec, p: ServiceProfile, t: number): WorldState {
    const live = t >= d.at;
    const behaviour: Behaviour = live ? this.behaviourOf(d.service, d.version) : 'healthy';
    const acts = (this.interventions.get(deploymentKey(d)) ?? []).filter((i) => t >= i.at + this.rolloutMs);
    const rolledBackAt = acts.find((i) => i.action === 'rollback')?.at;
    const scaled = acts.filter((i) => i.action === 'scale_up').length;
    const version = rolledBackAt !== undefined ? (d.previousVersion ?? 'previous') : live ? d.version : (d.previousVersion ?? 'previous');
    // Version-linked regressions end when the old version is back; the world's own troubles
    // (surges, outages) do not care which version runs.
    const versionLinked = behaviour === 'error_regression' || behaviour === 'memory_leak' || behaviour === 'latency_regression';
    const active = live && !(versionLinked && rolledBackAt !== undefined);
    const since = t - d.at - ONSET_MS;
    const ramp = (ms: number): number => (since <= 0 ? 0 : Math.min(1, since / ms));

    let load = 1 + 0.03 * Math.sin(t / 600_000);
    if (behaviour === 'load_surge' && live) load *= 1 + 1.6 * ramp(90_000);
    const capacity = 2 ** scaled;
    const util = Math.min(0.98, (p.cpu * load) / capacity);
    // M/M/1-style queueing: latency grows sharply as utilization nears 1.
    let latencyMs = (p.latencyMs * (1 - p.cpu)) / (1 - Math.min(util, 0.95));
    let errorRate = p.errorRate + (util > 0.8 ? (util - 0.8) * 0.4 : 0);
    let memory = p.memoryBytes;
    let restarts = 0;

    if (active && behaviour === 'error_regression') errorRate += 0.07 * ramp(30_000);
    if (active && behaviour === 'latency_regression') latencyMs *= 1 + 1.4 * ramp(60_000);
    if (behaviour === 'memory_leak' && since > 0) {
      // 12 MB/min per pod until the limit, then an OOM kill and a fresh pod; a rollback
      // replaces the pods with the old version and growth stops.
      const leakEnd = rolledBackAt !== undefined ? rolledBackAt + this.rolloutMs : Infinity;
      if (t < leakEnd) {
        const perMs = (12 * MB) / 60_000;
        const cycleMs = (p.memoryLimit - p.memoryBytes) / perMs;
        restarts = Math.floor(since / cycleMs);
        memory = p.memoryBytes + ((since % cycleMs) * perMs);
        const fill = memory / p.memoryLimit;
        if (fill > 0.85) errorRate += (fill - 0.85) * 0.6;
      } else {
        restarts = Math.max(0, Math.floor((leakEnd - d.at - ONSET_MS) / ((p.memoryLimit - p.memoryBytes) / ((12 * MB) / 60_000))));
      }
    }
    const outage = behaviour === 'dependency_outage' && live && since > 0 && since < this.outageMs;
    if (outage) {
      errorRate += 0.25 * ramp(20_000);
      latencyMs += 2500 * ramp(20_000) * 0.3;
    }
    return { behaviour, version, errorRate: clamp01(errorRate), latencyMs, cpu: util, memory, rps: p.rps * load, restarts, outage, active, util };
  }

  private logsFor(d: DeploymentSpec, p: ServiceProfile, s: WorldState, t: number, stepMs: number, out: LogRecord[]): void {
    const rand = seededRandom(hashSeed(`${this.seed}:${d.service}:logs:${t}`));
    const at = (i: number, n: number): number => t - stepMs + Math.floor(((i + rand()) / n) * stepMs);
    const push = (i: number, n: number, level: LogLevel, message: string): void => {
      out.push({ at: at(i, n), level, message, version: s.version, attributes: { service: d.service } });
    };
    for (let i = 0; i < this.infoLogsPerStep; i++) {
      push(i, this.infoLogsPerStep, 'info', `GET ${p.route} 200 in ${Math.round(s.latencyMs * (0.3 + rand() * 0.5))}ms`);
    }
    // One error line per ~0.2% of traffic per step, capped so an incident stays readable.
    const errors = Math.min(20, Math.round((s.errorRate * s.rps * stepMs) / 1000 / 50));
    for (let i = 0; i < errors; i++) {
      const id = Math.floor(rand() * 1e6);
      let msg = `GET ${p.route} 500 request ${id} failed: internal error`;
      if (s.outage) msg = `connect ECONNREFUSED ${p.dependency}: dependency unavailable (request ${id})`;
      else if (s.active && s.behaviour === 'error_regression') msg = `TypeError: Cannot read properties of undefined (reading 'price') at CartService.total (cart.js:${88}) request ${id}`;
      else if (s.behaviour === 'memory_leak' && s.memory / p.memoryLimit > 0.85) msg = `request ${id} aborted: heap usage ${Math.round((100 * s.memory) / p.memoryLimit)}% of limit`;
      else if (s.util > 0.8) msg = `request ${id} timed out after 3000ms waiting in queue`;
      push(i, errors, s.outage || s.behaviour === 'error_regression' ? 'error' : 'warn', msg);
    }
    if (s.active && s.behaviour === 'latency_regression' && rand() < 0.8) {
      push(0, 1, 'warn', `slow query on orders took ${Math.round(s.latencyMs * (1 + rand()))}ms (full table scan)`);
    }
    if (s.util > 0.8 && rand() < 0.7) push(0, 1, 'warn', `upstream request queue length ${Math.round(50 + rand() * 400)}`);
    if (s.behaviour === 'memory_leak' && s.restarts > 0 && rand() < 0.3) push(0, 1, 'fatal', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory');
  }
}

interface WorldState {
  behaviour: Behaviour;
  version: string;
  errorRate: number;
  latencyMs: number;
  cpu: number;
  memory: number;
  rps: number;
  restarts: number;
  outage: boolean;
  active: boolean;
  util: number;
}

function deploymentKey(d: DeploymentSpec): string {
  return `${d.service}|${d.environment}|${d.version}|${d.at}`;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
