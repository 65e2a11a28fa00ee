// The live demo world: real processes of the demo service (demo/service) run by the local
// actuator on loopback ports, real load from the load generator, signals scraped from their
// /metrics plus the logs and traces they push to the commander's OTLP receiver. The deployer
// ships good versions, a leaking one, an erroring one, and a good one followed by a real traffic
// surge; the commander has to notice each from the signals alone and act on the processes.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ActionRequest, ActionResult, Deployment, DeploymentSpec, SignalSource } from '../core/types.js';
import { LocalActuator, type LocalTargetOptions } from '../actions/local.js';
import { ScrapeSource } from '../signals/scrape.js';
import { OtlpBuffer, OtlpSource } from '../signals/otlp.js';
import { LoadGenerator } from '../../demo/loadgen.js';
import type { DeploymentIntake } from '../loop/deployments.js';
import type { Scheduler } from '../loop/scheduler.js';
import type { World, WorldContext, WorldFactory } from './types.js';

export type LiveStep = 'good' | 'leak' | 'throw' | 'surge' | 'slow' | 'crash';
/** What the deployer ships, in order: mostly good, and every failure the issue asks for. */
export const LIVE_CYCLE: LiveStep[] = ['good', 'leak', 'good', 'throw', 'surge', 'good', 'slow', 'crash'];
const FAULT: Record<LiveStep, string> = { good: 'none', surge: 'none', leak: 'leak', throw: 'throw', slow: 'slow', crash: 'crash' };
/** A version someone else deploys (the concept's curl) names its behaviour by suffix: v2.1.0-leak. */
const STEP_SUFFIX = /-(good|leak|throw|surge|slow|crash)$/;

export interface LiveWorldConfig {
  service?: string;
  environment?: string;
  /** version running at start */
  initialVersion?: string;
  replicas?: number;
  /** deploy by itself every [min, max] real seconds (only when no watch of the service is running) */
  autoDeploy: boolean;
  minIntervalSeconds: number;
  maxIntervalSeconds: number;
  cycle?: LiveStep[];
  /** steady and surge request rates */
  rps?: number;
  surgeRps?: number;
  surgeSeconds?: number;
  /** the surge starts this long after the good deploy (once the new processes have settled) */
  surgeDelaySeconds?: number;
  scrapeIntervalMs?: number;
  /** the memory limit the analysis projects against (the leak really reaches it) */
  memoryLimitBytes?: number;
  /** the receiver's buffer (shared with the OTLP routes); without it the world creates one */
  otlp?: OtlpBuffer;
  /** commander URL for the services' OTLP exporters; resolved when the world starts */
  otlpEndpoint?: () => string | undefined;
  stateDir?: string;
  /** extra per-request CPU work in the demo service (ms) */
  workMs?: number;
  /**
   * Real seconds the services run under load before start() returns and the world deploys:
   * the first deploy then has a "before" (metrics, log lines, traces) to be compared with.
   * Default 0.
   */
  baselineSeconds?: number;
}

/** How to run the demo service: the compiled file (next to us, or in dist/), else the TypeScript source via tsx. */
// A capped young generation: V8 otherwise grows it under a traffic surge, and that RSS growth
// is indistinguishable from a leak in the first seconds (the only leak should be the real one).
const NODE_FLAGS = ['--expose-gc', '--max-semi-space-size=2'];

export function demoServiceArgv(): string[] {
  const js = fileURLToPath(new URL('../../demo/service/server.js', import.meta.url));
  if (existsSync(js)) return [...NODE_FLAGS, js];
  // running from source (tests): the build's copy starts in a third of tsx's time
  const built = fileURLToPath(new URL('../../dist/demo/service/server.js', import.meta.url));
  if (existsSync(built)) return [...NODE_FLAGS, built];
  const ts = fileURLToPath(new URL('../../demo/service/server.ts', import.meta.url));
  return [...NODE_FLAGS, '--import', 'tsx', ts];
}

/**
 * The local actuator, rolling back to the version that really ran before. A deployment's
 * recorded previous version is the last one *recorded* for the service, which in the live world
 * may be a version it could not run (recorded through the API, never started).
 */
class LiveActuator extends LocalActuator {
  constructor(
    opts: LocalTargetOptions,
    /** version to roll back to; undefined: the recorded one; null: this deployment never ran */
    private readonly rollbackTarget: (d: Deployment) => string | undefined | null,
  ) {
    super(opts);
  }

  override async execute(request: ActionRequest): Promise<ActionResult> {
    if (request.action !== 'rollback') return super.execute(request);
    const d = request.deployment;
    const target = this.rollbackTarget(d);
    if (target === null) return { ok: false, detail: `the live world never ran ${d.service} ${d.version}: nothing to roll back (${this.currentVersion(d.service) ?? 'nothing'} is running)` };
    return super.execute(target ? { ...request, deployment: { ...d, previousVersion: target } } : request);
  }
}

export interface LiveWorld extends World {
  actuator: LocalActuator;
  load: LoadGenerator;
  scrape: ScrapeSource;
  /** deploys the next step of the cycle for real and reports it to the intake */
  deployNext(step?: LiveStep): Promise<DeploymentSpec>;
}

export function liveWorldFactory(cfg: LiveWorldConfig): WorldFactory {
  return async (ctx: WorldContext): Promise<LiveWorld> => {
    const service = cfg.service ?? 'checkout';
    const environment = cfg.environment ?? 'demo';
    const versionEnv: Record<string, Record<string, string>> = {};
    let endpoint: string | undefined;
    const env: Record<string, string> = { DEMO_WORK_MS: String(cfg.workMs ?? 2) };
    // what ran before each version this world rolled out (the true rollback target)
    const ranBefore = new Map<string, string>();
    const actuator: LocalActuator = new LiveActuator({
      args: [...demoServiceArgv(), '--port', '{port}', '--version', '{version}', '--service', '{service}', '--environment', '{environment}'],
      env,
      versionEnv,
      maxReplicas: 6,
      startTimeoutMs: 60_000,
      ...(cfg.stateDir ? { stateDir: cfg.stateDir } : {}),
      onLog: (line) => {
        if (/fatal|FATAL/.test(line)) ctx.log(`live: ${line}`);
      },
    }, (d) => {
      if (d.service !== service) return undefined;
      const before = ranBefore.get(d.version);
      if (before) return before;
      return stepOfVersion.has(d.version) || STEP_SUFFIX.test(d.version) ? undefined : null;
    });
    const targets = () => actuator.endpoints(service).map((r) => ({ url: `${r.url}/metrics`, service, environment, version: r.version }));
    const scrape = new ScrapeSource({
      targets,
      intervalMs: cfg.scrapeIntervalMs ?? 2000,
      clock: ctx.clock,
      limits: { [service]: { memory_bytes: cfg.memoryLimitBytes ?? 400 * 1024 * 1024 } },
    });
    const buffer = cfg.otlp ?? ctx.otlp ?? new OtlpBuffer();
    const sources: SignalSource[] = [scrape, new OtlpSource(buffer)];
    const load = new LoadGenerator({
      targets: () => actuator.endpoints(service).filter((r) => r.state === 'running').map((r) => r.url),
      rps: cfg.rps ?? 20,
      surgeRps: cfg.surgeRps ?? 500,
      maxInFlight: 300,
    });
    const cycle = cfg.cycle ?? LIVE_CYCLE;
    let counter = 0;
    let minor = 0;
    let timer: NodeJS.Timeout | undefined;
    let endBaseline: (() => void) | undefined;
    let surgeTimer: NodeJS.Timeout | undefined;
    let stopped = false;
    let scheduler: Scheduler | undefined;
    let intake: DeploymentIntake | undefined;

    // The demo service's known versions: those this world has run (each with its behaviour), and
    // any version whose suffix names one (v2.1.0-leak). Anything else it cannot run.
    const stepOfVersion = new Map<string, LiveStep>([[cfg.initialVersion ?? 'v1.0.0', 'good']]);
    const knownStep = (version: string): LiveStep | undefined => stepOfVersion.get(version) ?? (STEP_SUFFIX.exec(version)?.[1] as LiveStep | undefined);
    const versionFor = (step: LiveStep): string => {
      minor++;
      const v = `v1.${minor}.0`;
      versionEnv[v] = { DEMO_FAULT: FAULT[step] };
      stepOfVersion.set(v, step);
      return v;
    };
    /** What the world did with a deployment, on its timeline (shown with the message). */
    const note = (d: Deployment, what: string, message: string, extra: Record<string, unknown> = {}): void => {
      ctx.log(`live: ${message}`);
      void ctx.store
        .append({ deploymentId: d.id, type: 'deployment.note', at: ctx.clock.now(), actor: 'world:live', payload: { message, ...extra }, dedupeKey: `${d.id}:live:${what}` })
        .catch((e: unknown) => ctx.log(`live: could not record a note on ${d.id}: ${e instanceof Error ? e.message : String(e)}`));
    };

    // A deployment that arrived through the API (the concept's curl with a version, a webhook):
    // run that version's processes for real when the demo service has it; say so when it has not.
    const onDeployment = (d: Deployment): void => {
      if (d.source === 'demo') return; // the world's own: already rolled out
      const running = actuator.currentVersion(service) ?? 'nothing';
      if (d.service !== service || d.environment !== environment) {
        note(d, 'other', `The live world runs only ${service} in ${environment}: nothing was started for ${d.service} ${d.version} (${d.environment}); the watch sees only the signals that exist for it.`, { deployed: false });
        return;
      }
      const step = knownStep(d.version);
      if (!step) {
        const known = [...stepOfVersion.keys()].join(', ');
        note(
          d,
          'unknown',
          `The live world cannot run ${service} ${d.version}: the demo service has no such version, so ${running} keeps running and this watch observes it. Known versions: ${known}, or any version ending in -good, -leak, -throw, -slow, -crash or -surge (e.g. v2.1.0-leak).`,
          { deployed: false, running },
        );
        return;
      }
      versionEnv[d.version] = { DEMO_FAULT: FAULT[step] };
      stepOfVersion.set(d.version, step);
      const spec: DeploymentSpec = { service, environment, version: d.version, at: d.at, replicas: d.replicas ?? Math.max(1, actuator.endpoints(service).length) };
      rollout(spec, step).then(
        () => {
          const reps = actuator.endpoints(service).filter((r) => r.version === d.version);
          note(d, 'deployed', `Deployed ${service} ${d.version} for real (${step === 'good' || step === 'surge' ? 'healthy build' : `fault: ${FAULT[step]}`}${step === 'surge' ? ', traffic surge follows' : ''}): ${reps.length} replica(s) on port(s) ${reps.map((r) => r.port).join(', ')}, replacing ${running}.`, {
            deployed: true,
            behaviour: step,
            ports: reps.map((r) => r.port),
          });
        },
        (e: unknown) => note(d, 'failed', `Could not start ${service} ${d.version}: ${e instanceof Error ? e.message : String(e)}`, { deployed: false }),
      );
    };

    // The concept's curl: an empty body deploys the next version of the cycle.
    const planned = (step: LiveStep): DeploymentSpec => {
      const previous = actuator.currentVersion(service);
      const version = versionFor(step);
      return { service, environment, version, ...(previous ? { previousVersion: previous } : {}), at: ctx.clock.now(), replicas: Math.max(1, actuator.endpoints(service).length) };
    };

    const rollout = async (spec: DeploymentSpec, step: LiveStep): Promise<void> => {
      if (endpoint) env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
      const running = actuator.currentVersion(service);
      if (running && running !== spec.version) ranBefore.set(spec.version, running);
      await actuator.deploy({ service, environment, version: spec.version, replicas: spec.replicas ?? 1 });
      if (step === 'surge') {
        // A good version, then real traffic several times the usual: the fix is capacity.
        surgeTimer = setTimeout(() => {
          ctx.log(`live: traffic surge to ${cfg.surgeRps ?? 500} rps`);
          load.setMode('surge');
          surgeTimer = setTimeout(() => load.setMode('steady'), (cfg.surgeSeconds ?? 120) * 1000);
          surgeTimer.unref();
        }, (cfg.surgeDelaySeconds ?? 30) * 1000);
        surgeTimer.unref();
      }
    };

    const deployNext = async (step?: LiveStep): Promise<DeploymentSpec> => {
      const s = step ?? cycle[counter++ % cycle.length];
      const spec = planned(s);
      spec.at = ctx.clock.now();
      await rollout(spec, s);
      if (intake) {
        const r = await intake.receive(spec, { source: 'demo', idempotencyKey: `live:${service}@${spec.version}` });
        ctx.log(`live: deployed ${service} ${spec.version} (${s}) as ${r.deployment.id}`);
      }
      return spec;
    };

    const world: LiveWorld = {
      name: 'live',
      defaultEnvironment: environment,
      onDeployment,
      sources,
      actuator,
      load,
      scrape,
      deployNext,
      nextDeploy() {
        const s = cycle[counter++ % cycle.length];
        const spec = planned(s);
        // the processes follow within seconds; the watch sees the switch in its signals
        void rollout(spec, s).catch((e: unknown) => ctx.log(`live: rollout of ${spec.version} failed: ${e instanceof Error ? e.message : String(e)}`));
        return spec;
      },
      async start(i: DeploymentIntake, sched: Scheduler, info?: { url: string }) {
        intake = i;
        scheduler = sched;
        endpoint = info?.url ?? cfg.otlpEndpoint?.();
        if (endpoint) env.OTEL_EXPORTER_OTLP_ENDPOINT = endpoint;
        await actuator.deploy({ service, environment, version: cfg.initialVersion ?? 'v1.0.0', replicas: cfg.replicas ?? 2 });
        versionEnv[cfg.initialVersion ?? 'v1.0.0'] = { DEMO_FAULT: 'none' };
        scrape.start();
        load.start();
        ctx.log(`live: ${service} ${cfg.initialVersion ?? 'v1.0.0'} running on ${actuator.endpoints(service).map((r) => r.port).join(', ')}`);
        const baseline = cfg.baselineSeconds ?? 0;
        if (baseline > 0) {
          ctx.log(`live: collecting a ${baseline} s baseline under load before the first deploy…`);
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, baseline * 1000);
            endBaseline = () => {
              clearTimeout(t);
              resolve();
            };
          });
          endBaseline = undefined;
          if (stopped) return;
          ctx.log(`live: baseline ready (${baseline} s of ${service} ${cfg.initialVersion ?? 'v1.0.0'})`);
        }
        if (!cfg.autoDeploy) return;
        const schedule = (): void => {
          if (stopped) return;
          const s = cfg.minIntervalSeconds + Math.random() * Math.max(0, cfg.maxIntervalSeconds - cfg.minIntervalSeconds);
          timer = setTimeout(() => {
            // one deployment of the service watched at a time, as a real pipeline would
            if (scheduler?.active().some((d) => d.service === service)) return schedule();
            deployNext()
              .catch((e: unknown) => ctx.log(`live: deploy failed: ${e instanceof Error ? e.message : String(e)}`))
              .finally(schedule);
          }, s * 1000);
          timer.unref();
        };
        schedule();
      },
      async stop() {
        stopped = true;
        endBaseline?.();
        clearTimeout(timer);
        clearTimeout(surgeTimer);
        load.stop();
        await scrape.close();
        await actuator.close();
      },
    };
    return world;
  };
}
