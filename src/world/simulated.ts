// The simulated demo world: SimulatedWorld (signals) + SimulatedActuator (actions), and a demo
// deployer that keeps shipping good and bad versions of a few services so there is always
// something to watch. What it planned and what was done to it are persisted (store state and
// the timeline) so a restarted process continues the same world.
import { readFileSync } from 'node:fs';
import type { DeploymentSpec } from '../core/types.js';
import { SimulatedActuator } from '../actions/simulated.js';
import { BEHAVIOURS, DEMO_SERVICES, SimulatedWorld, type Behaviour } from '../signals/simulated.js';
import type { DeploymentIntake } from '../loop/deployments.js';
import type { Scheduler } from '../loop/scheduler.js';
import type { World, WorldContext, WorldFactory } from './types.js';

export interface SimulatedWorldConfig {
  seed: number;
  /** keep deploying by itself */
  autoDeploy: boolean;
  /** real seconds between demo deployments: uniformly in [min, max] */
  minIntervalSeconds: number;
  maxIntervalSeconds: number;
  /** services the deployer cycles through */
  services: string[];
  /** mock-data/deployments.json: entries with `behaviour` plan how those versions behave */
  deploymentsFile?: string;
}

/** The order in which the deployer's versions behave: mostly good, every failure mode shown. */
const CYCLE: Behaviour[] = ['error_regression', 'healthy', 'load_surge', 'memory_leak', 'healthy', 'dependency_outage', 'latency_regression', 'healthy'];
const PLANS_KEY = 'world.simulated.plans';
const COUNTER_KEY = 'world.simulated.counter';

export function simulatedWorldFactory(cfg: SimulatedWorldConfig): WorldFactory {
  return async (ctx: WorldContext): Promise<World> => {
    const plans: Record<string, Behaviour> = { ...readPlansOnce(cfg.deploymentsFile, ctx.log), ...((await ctx.store.getState<Record<string, Behaviour>>(PLANS_KEY)) ?? {}) };
    const world = new SimulatedWorld({ seed: cfg.seed, plans });
    const actuator = new SimulatedActuator(world, ctx.clock);
    await restoreInterventions(ctx, world);
    // A world built for one watch (a worker's job) deploys nothing: no deployer state to read.
    // (Thousands of jobs start at once on a worker; each read here was a query per job.)
    const oneWatch = ctx.deployment !== undefined && !cfg.autoDeploy;
    let counter = oneWatch ? 0 : ((await ctx.store.getState<number>(COUNTER_KEY)) ?? 0);
    const lastVersion = new Map<string, string>();
    for (const s of oneWatch ? [] : cfg.services) {
      const [d] = await ctx.store.listDeployments({ service: s, limit: 1 });
      if (d) lastVersion.set(s, d.version);
    }
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    let scheduler: Scheduler | undefined;

    const nextDeploy = (): DeploymentSpec => {
      const busy = new Set(scheduler?.active().map((d) => d.service) ?? []);
      const free = cfg.services.filter((s) => !busy.has(s));
      const pool = free.length ? free : cfg.services;
      const service = pool[counter % pool.length];
      const behaviour = CYCLE[counter % CYCLE.length];
      counter++;
      const previous = lastVersion.get(service) ?? 'v1.4.0';
      const version = bump(previous);
      lastVersion.set(service, version);
      world.plan(service, version, behaviour);
      plans[`${service}@${version}`] = behaviour;
      // persisted before the deployment is stored, so a crash cannot forget how it behaves
      void ctx.store.setState(PLANS_KEY, plans).then(() => ctx.store.setState(COUNTER_KEY, counter));
      const profile = DEMO_SERVICES.find((p) => p.name === service);
      return { service, environment: 'production', version, previousVersion: previous, at: ctx.clock.now(), ...(profile ? { replicas: profile.replicas } : {}), commit: fakeCommit(service, version) };
    };

    return {
      name: 'simulated',
      sources: [world],
      actuator,
      nextDeploy,
      async start(intake: DeploymentIntake, sched: Scheduler) {
        scheduler = sched;
        if (!cfg.autoDeploy) return;
        const deployNext = (): Promise<void> => {
          const spec = nextDeploy();
          return intake
            .receive(spec, { source: 'demo', idempotencyKey: `demo:${spec.service}@${spec.version}` })
            .then((r) => ctx.log(`demo: deployed ${spec.service} ${spec.version} (${r.deployment.id})`))
            .catch((e: unknown) => ctx.log(`demo: deploy failed: ${e instanceof Error ? e.message : String(e)}`));
        };
        const schedule = (delayMs: number): void => {
          if (stopped) return;
          timer = setTimeout(() => void deployNext().finally(() => schedule(1000 * (cfg.minIntervalSeconds + Math.random() * Math.max(0, cfg.maxIntervalSeconds - cfg.minIntervalSeconds)))), delayMs);
          timer.unref();
        };
        // the first deploy comes soon so a fresh demo has something to show at once
        schedule(2000);
      },
      async stop() {
        stopped = true;
        clearTimeout(timer);
      },
    };
  };
}

/** Re-apply what was done to the world (from the timeline) so a restart keeps rollbacks in effect. */
async function restoreInterventions(ctx: WorldContext, world: SimulatedWorld): Promise<void> {
  // for one watch, only what was done to its service matters (the world's state is per service):
  // its recent deployments, not the newest 100 of every service (101 queries per job)
  const d = ctx.deployment;
  const recent = await ctx.store.listDeployments(d ? { service: d.service, environment: d.environment, limit: 20 } : { limit: 100 });
  for (const d of recent) {
    for (const e of await ctx.store.events(d.id)) {
      if (e.type !== 'action.executed') continue;
      const p = e.payload as { actionId?: string; action?: string };
      if (p.action === 'rollback' || p.action === 'scale_up' || p.action === 'escalate') {
        world.apply({ id: String(p.actionId), action: p.action, deployment: d, reason: 'restored' }, e.at);
      }
    }
  }
}

/** the plans file is shipped data: read once per process, not once per world built */
const plansRead = new Map<string, Record<string, Behaviour>>();
function readPlansOnce(file: string | undefined, log: (m: string) => void): Record<string, Behaviour> {
  if (!file) return {};
  let p = plansRead.get(file);
  if (!p) plansRead.set(file, (p = readPlans(file, log)));
  return p;
}

function readPlans(file: string | undefined, log: (m: string) => void): Record<string, Behaviour> {
  if (!file) return {};
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { deployments?: Array<{ service?: string; version?: string; behaviour?: string }> };
    const out: Record<string, Behaviour> = {};
    for (const d of data.deployments ?? []) {
      if (d.service && d.version && (BEHAVIOURS as readonly string[]).includes(d.behaviour ?? '')) out[`${d.service}@${d.version}`] = d.behaviour as Behaviour;
    }
    return out;
  } catch (e) {
    log(`simulated world: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    return {};
  }
}

function bump(version: string): string {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!m) return 'v1.0.0';
  return `v${m[1]}.${m[2]}.${Number(m[3]) + 1}`;
}

function fakeCommit(service: string, version: string): string {
  let h = '';
  let x = 0;
  for (const c of `${service}@${version}`) x = (x * 31 + c.charCodeAt(0)) >>> 0;
  for (let i = 0; i < 5; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    h += x.toString(16).padStart(8, '0');
  }
  return h.slice(0, 40);
}
