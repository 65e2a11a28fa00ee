// The composition root: reads the config, picks the adapters (store, world = signal sources +
// actuator, policy, guardrails), wires the loop and the HTTP server. The only file that knows
// which adapters exist.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ScaledClock, systemClock, type Clock, type ScaledClockAnchor } from './core/clock.js';
import type { Store } from './core/store.js';
import type { Config } from './config/schema.js';
import { createSqliteStore } from './store/sqlite.js';
import { createPostgresStore } from './store/postgres.js';
import type { GuardrailSettings } from './policy/guardrails.js';
import { EventBus, notifyingStore } from './loop/bus.js';
import { DeploymentIntake } from './loop/deployments.js';
import { makeGuard, type GuardFn } from './loop/guard.js';
import { createPolicyRuntime } from './loop/policy-runtime.js';
import { Scheduler } from './loop/scheduler.js';
import { queueScheduler } from './app-queue.js';
import type { WatchTiming } from './loop/state.js';
import type { WatchDeps, WatchHooks } from './loop/watch.js';
import { buildServer } from './server/app.js';
import { CommanderMetrics } from './server/metrics.js';
import { combineHooks } from './loop/hooks.js';
import { startNarration } from './loop/narration.js';
import { narrate } from './summary/llm-narrator.js';
import { assertSafeBind, parseTokensEnv } from './server/auth.js';
import { OtlpBuffer } from './signals/otlp.js';
import { applyApprovalPolicy, approvalFor, mayApprove, resolveSecret, thresholdsFor, llmConfigOf } from './config/integrations.js';
import { actuatorFromConfig } from './actions/from-config.js';
import { stateSentLog } from './core/notify.js';
import { own } from './core/own.js';
import { dispatchNotifications, notifiersFromConfig } from './notify/from-config.js';
import type { GithubDeploymentRef } from './notify/github-status.js';
import { githubRefKey } from './server/github-routes.js';
import type { World, WorldFactory } from './world/types.js';
import { simulatedWorldFactory } from './world/simulated.js';
import { configuredWorldFactory } from './world/configured.js';
import { RemediationService } from './remediation/service.js';

export interface AppOptions {
  config: Config;
  /** 'demo' runs the clock at config.demo.speed and lets the world deploy by itself */
  mode: 'serve' | 'demo';
  /** the world to watch; default: the simulated world */
  world?: WorldFactory;
  log?: (line: string) => void;
  /** extra loop hooks (e.g. the learning stage's outcome handler) */
  hooks?: WatchHooks;
}

export interface RunningApp {
  url: string;
  port: number;
  server: FastifyInstance;
  store: Store;
  scheduler: Scheduler;
  clock: Clock;
  world: World;
  close(): Promise<void>;
}

/** Root of the installed package (where package.json and dashboard/dist live). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

export async function openStore(config: Config): Promise<Store> {
  return config.store.kind === 'postgres' ? createPostgresStore(config.store.url) : createSqliteStore(config.store.path);
}

/**
 * The commander's clock. Faster than real time for demos; the anchor is kept in the store so a
 * restarted process continues the same simulated timeline (no jump back, no lost ticks).
 */
export async function makeClock(store: Store, speed: number): Promise<Clock> {
  const saved = await store.getState<ScaledClockAnchor>('clock.anchor');
  if (speed === 1 && !saved) return systemClock;
  if (saved && saved.speed === speed) return new ScaledClock(saved);
  const anchor: ScaledClockAnchor = { real: Date.now(), sim: saved ? new ScaledClock(saved).now() : Date.now(), speed };
  await store.setState('clock.anchor', anchor);
  return new ScaledClock(anchor);
}

export function timingOf(config: Config): WatchTiming {
  const w = config.watch;
  return { windowSeconds: w.windowSeconds, baselineSeconds: w.baselineSeconds, stepSeconds: w.stepSeconds, verifySeconds: w.verifySeconds, approvalTimeoutSeconds: w.approvalTimeoutSeconds };
}

/** The simulated world as `config.demo` describes it; `autoDeploy`: it deploys by itself (the demo). */
export function simulatedWorldOf(config: Config, autoDeploy: boolean): WorldFactory {
  return simulatedWorldFactory({
    seed: config.demo.seed,
    autoDeploy,
    minIntervalSeconds: config.demo.minIntervalSeconds,
    maxIntervalSeconds: config.demo.maxIntervalSeconds,
    services: config.demo.services,
    deploymentsFile: config.demo.deploymentsFile ?? join(packageRoot(), 'mock-data', 'deployments.json'),
  });
}

export async function startApp(opts: AppOptions): Promise<RunningApp> {
  const { config } = opts;
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  // tokens from the config file and from the environment (hashes only)
  const tokens = [...config.auth.tokens, ...parseTokensEnv(process.env.COMMANDER_TOKENS)];
  assertSafeBind(config.server.host, tokens);

  const rawStore = await openStore(config);
  const bus = new EventBus();
  // Scale-out: workers append in other processes, so the bus follows the store (app-queue.ts).
  const scaleOut = config.queue.kind === 'pgboss';
  const store = scaleOut ? rawStore : notifyingStore(rawStore, bus);
  const clock = await makeClock(rawStore, opts.mode === 'demo' ? config.demo.speed : config.clock.speed);
  const metrics = new CommanderMetrics();

  // `serve` with `sources:` in the config watches those; otherwise (and in `demo`) the simulated world.
  const worldFactory =
    opts.world ??
    (opts.mode === 'serve' ? configuredWorldFactory(config) : undefined) ??
    simulatedWorldOf(config, opts.mode === 'demo' && config.demo.autoDeploy);
  // One OTLP buffer: the receiver's routes fill it, a world's OtlpSource reads it.
  const otlpBuffer = new OtlpBuffer();
  const world = await worldFactory({ clock, store, log, otlp: otlpBuffer });

  // Configured targets act only in `serve`: the demo's made-up services must never reach a cluster.
  const actuator = opts.mode === 'serve' ? actuatorFromConfig(config, world.actuator) : world.actuator;
  const notifiers = notifiersFromConfig(config.notifications, {
    sentLog: stateSentLog(rawStore),
    githubLookup: (id) => rawStore.getState<GithubDeploymentRef>(githubRefKey(id)),
  });

  const timing = timingOf(config);
  const policies = await createPolicyRuntime({ store, clock, decide: config.policy.decide, learn: config.policy.learn, log });
  const watchDeps: WatchDeps = {
    store,
    clock,
    sources: world.sources,
    actuator,
    policy: () => policies.current(),
    guard: withApprovalPolicies(makeGuard(config.guardrails as GuardrailSettings), config),
    thresholds: (d) => thresholdsFor(config, d.service, d.environment),
    timing,
    hooks: combineHooks(
      metrics.hooks((id, e) => log(`watch ${id}: ${e instanceof Error ? e.message : String(e)}`)),
      policies.hooks,
      opts.hooks,
    ),
  };
  const scheduler = scaleOut ? await queueScheduler(config, watchDeps, bus, log) : new Scheduler(watchDeps, { ticksPerTurn: config.watch.ticksPerTurn });
  const intake = new DeploymentIntake(store, scheduler, clock, world.onDeployment ? (d) => world.onDeployment?.(d) : undefined);
  let ready = false;
  const now = () => clock.now();
  const receive = intake.receive.bind(intake);
  // The LLM narrator (config `llm:` or COMMANDER_LLM_*): beside the loop, never in its decisions.
  const narratorConfig = llmConfigOf(config.llm);
  const narration = narratorConfig ? startNarration({ bus, store, now, log, narrate: (a, d, s) => narrate(a, d, s, { config: narratorConfig }) }) : undefined;
  if (notifiers.length > 0) {
    const notifyDeps = { notifiers, store, now, baseUrl: config.notifications.baseUrl, channelsFor: (s: string) => own(config.services, s)?.notify };
    bus.on('appended', (e) => {
      dispatchNotifications(e, notifyDeps).catch((err: unknown) => log(`notify: ${err instanceof Error ? err.message : String(err)}`));
    });
  }

  const githubWebhookSecret = resolveSecret(config.github.webhookSecret, process.env, 'github.webhookSecret') ?? process.env.GITHUB_WEBHOOK_SECRET;
  // Remediation PRs: the dashboard link is the configured public URL, else this server's own.
  const remediationDeps = { store, clock, config: config.remediation, dashboardUrl: config.remediation.dashboardUrl ?? config.notifications.baseUrl ?? '', llm: narratorConfig, log };
  const remediation = new RemediationService(remediationDeps);
  bus.on('appended', (e) => remediation.onEvent(e));

  const server = await buildServer(
    {
      store,
      intake,
      scheduler,
      clock,
      bus,
      metrics,
      sources: world.sources,
      timing,
      ...(world.nextDeploy ? { nextDemoDeploy: world.nextDeploy } : {}),
      ...(world.defaultEnvironment ? { defaultEnvironment: world.defaultEnvironment } : {}),
      ready: () => ready,
      log,
      onPolicyChanged: (m) => policies.useModel(m),
      mayApprove: (d, tokenName) => mayApprove(approvalFor(config, d.service, d.environment), tokenName),
    },
    {
      bodyLimitBytes: config.server.bodyLimitBytes,
      rateLimitPerMinute: config.server.rateLimitPerMinute,
      corsOrigins: config.server.corsOrigins,
      events: config.server.events,
      dashboardDir: config.server.dashboardDir ? resolve(config.server.dashboardDir) : join(packageRoot(), 'dashboard', 'dist'),
      auth: { tokens },
      rejectionSummaryMs: config.server.rejectionSummarySeconds * 1000,
      github: {
        store,
        now,
        receive,
        bodyLimitBytes: config.server.bodyLimitBytes,
        github: {
          ...config.github,
          secret: githubWebhookSecret,
        },
        argocd: { ...config.argocd, token: resolveSecret(config.argocd.token, process.env, 'argocd.token') ?? process.env.ARGOCD_WEBHOOK_TOKEN },
      },
      // The OTLP receiver is always on; an OtlpSource reading this buffer is added to the
      // sources when a live world (or config) asks for it.
      otlp: { buffer: otlpBuffer, registry: metrics.registry },
      remediation: {
        service: remediation,
        reviewPullRequests: config.remediation.review.pullRequests,
        webhookSecret: githubWebhookSecret,
        bodyLimitBytes: config.server.bodyLimitBytes,
        log,
      },
    },
  );

  await server.listen({ host: config.server.host, port: config.server.port });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
  remediationDeps.dashboardUrl ||= url;

  const resumed = await scheduler.start();
  ready = true;
  if (resumed > 0) log(`resumed ${resumed} unfinished watch${resumed === 1 ? '' : 'es'}`);
  await world.start?.(intake, scheduler, { url });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    server,
    store,
    scheduler,
    clock,
    world,
    close: () =>
      (closing ??= (async () => {
        await world.stop?.();
        await narration?.stop();
        await server.close();
        await scheduler.shutdown();
        await rawStore.close();
      })()),
  };
}

/** The environment-wide guardrails, then each service's approval policy, which can only tighten them. */
export function withApprovalPolicies(base: GuardFn, config: Config): GuardFn {
  return (i) => applyApprovalPolicy(base(i), i.decision, approvalFor(config, i.service, i.environment));
}
