// The composition root of `devops-commander worker`: a process that takes watch jobs from the
// PostgreSQL queue (pg-boss) and runs them with the same loop as `serve` runs in-process. It
// serves no HTTP; the API process (`serve` with the same config) queues the jobs and streams
// the events this process appends to the shared store.
import type { Config } from './config/schema.js';
import { ScaledClock, type Clock, type ScaledClockAnchor } from './core/clock.js';
import type { Store } from './core/store.js';
import { actuatorFromConfig } from './actions/from-config.js';
import { makeGuard } from './loop/guard.js';
import { createPolicyRuntime } from './loop/policy-runtime.js';
import { watchJobHandler } from './loop/queue-runner.js';
import { TickPacer } from './loop/tick-pacer.js';
import type { WatchHooks } from './loop/watch.js';
import { combineHooks } from './loop/hooks.js';
import { CommanderMetrics } from './server/metrics.js';
import { serveMetrics } from './server/metrics-server.js';
import type { GuardrailSettings } from './policy/guardrails.js';
import { PolicyVersions } from './policy/versions.js';
import type { World, WorldFactory } from './world/types.js';
import { configuredWorldFactory } from './world/configured.js';
import { makeClock, openStore, simulatedWorldOf, timingOf, withApprovalPolicies } from './app.js';
import { thresholdsFor } from './config/integrations.js';
import { openWatchQueue, scaleOutSettings } from './app-queue.js';
import { createPgLock } from './store/pg-lock.js';

export interface WorkerOptions {
  config: Config;
  /** watches this process runs at once; default queue.concurrency */
  concurrency?: number;
  /** the world to watch and act on, built per job; default: as `serve` (configured sources, else simulated) */
  world?: WorldFactory;
  /** serve GET /metrics on server.host at this port (0: any free one); default queue.metricsPort, else none */
  metricsPort?: number;
  log?: (line: string) => void;
}

export interface RunningWorker {
  store: Store;
  clock: Clock;
  concurrency: number;
  /** where this worker's GET /metrics is served, when it is */
  metricsUrl?: string;
  close(): Promise<void>;
}

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const { config } = opts;
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const settings = scaleOutSettings(config);
  const concurrency = opts.concurrency ?? settings.concurrency;
  const store = await openStore(config);
  // what start-up has opened so far, undone newest first if a later step fails
  const opened: Array<() => Promise<void> | undefined> = [];
  try {
    // One clock for all processes: follow the anchor `serve` (or `demo`) keeps in the store.
    const saved = await store.getState<ScaledClockAnchor>('clock.anchor');
    const clock = saved ? new ScaledClock(saved) : await makeClock(store, config.clock.speed);
    const policies = await createPolicyRuntime({ store, clock, decide: config.policy.decide, learn: config.policy.learn, log });
    const versions = new PolicyVersions(store);
    const guard = withApprovalPolicies(makeGuard(config.guardrails as GuardrailSettings), config);
    // all of this worker's watches take turns on its event loop (as serve's Scheduler does)
    const pacer = new TickPacer(config.watch.ticksPerTurn);
    const pace = (signal?: AbortSignal, resume?: boolean) => pacer.admit(signal, resume);
    // The same world as `serve`: the configured sources when `sources:` names any, built once
    // (scrapers keep history, a local target keeps its processes); else the simulated world,
    // built per job because it keeps its state in the process: rebuilt from the store, it sees
    // what other workers already did to it (a rollback before the crash).
    const configured = opts.world ? undefined : configuredWorldFactory(config);
    const shared: World | undefined = configured ? await configured({ clock, store, log }) : undefined;
    if (shared) opened.push(() => shared.stop?.());
    // the shared world's actuator (routed to the configured targets) is built once, not per job
    const sharedActuator = shared ? actuatorFromConfig(config, shared.actuator) : undefined;
    // a configured world's start only starts its scrapers: it deploys nothing, so no intake
    await shared?.start?.(undefined as never, undefined as never);
    const perJob = opts.world ?? simulatedWorldOf(config, false);
    // Learning reads and rewrites the shared policy versions: one worker at a time.
    const learnLock = createPgLock(settings.storeUrl);
    opened.push(() => learnLock.close());
    const learn = policies.hooks.outcome;
    // this process's own metrics (serve counts decisions and actions from the shared timeline, but
    // tick durations, outcomes and watch errors happen here)
    const metrics = new CommanderMetrics();
    const hooks: WatchHooks = combineHooks(metrics.hooks((id, e) => log(`watch ${id}: ${e instanceof Error ? e.message : String(e)}`)), {
      ...policies.hooks,
      ...(learn ? { outcome: (ctx) => learnLock.withLock('devops-commander:policy-learn', async () => learn(ctx)) } : {}),
    });
    // Which policy version is active, looked up at most once a second however many jobs start
    // (thousands at once after a restart); the model itself is read only when it changed.
    let activeChecked: { at: number; done: Promise<void> } | undefined;
    const activePolicy = (): Promise<void> => {
      if (activeChecked && Date.now() - activeChecked.at < 1000) return activeChecked.done;
      const done = (async () => {
        const idx = await versions.index();
        if (!idx || idx.active === policies.current().version) return;
        const active = await versions.get(idx.active);
        if (active) policies.useModel(active.model);
      })();
      activeChecked = { at: Date.now(), done };
      // a failed look-up is retried by the next job, not remembered
      done.catch(() => (activeChecked = undefined));
      return done;
    };
    const metricsPort = opts.metricsPort ?? (config.queue.kind === 'pgboss' ? config.queue.metricsPort : undefined);
    const metricsServer = metricsPort !== undefined ? await serveMetrics(metrics, config.server.host, metricsPort) : undefined;
    if (metricsServer) opened.push(() => metricsServer.close());
    const queue = await openWatchQueue(config, { concurrency, onError: (e) => log(`queue: ${e instanceof Error ? e.message : String(e)}`) });
    opened.push(() => queue.close());
    await queue.work(
      watchJobHandler({
        store,
        log,
        depsFor: async (deployment) => {
          // jobs are fetched a hundred at a time: their starts (building the world, reading the
          // timeline) take turns on the loop like ticks do
          await pacer.admit();
          // the active policy version now (learned or rolled back by another process since)
          await activePolicy();
          const world = shared ?? (await perJob({ clock, store, log, deployment }));
          metrics.watchesActive.inc();
          return {
            deps: {
              store,
              clock,
              sources: world.sources,
              actuator: sharedActuator ?? actuatorFromConfig(config, world.actuator),
              policy: () => policies.current(),
              guard,
              thresholds: (d) => thresholdsFor(config, d.service, d.environment),
              timing: timingOf(config),
              hooks,
              pace,
            },
            release: async () => {
              metrics.watchesActive.dec();
              if (world !== shared) await world.stop?.();
            },
          };
        },
      }),
    );
    let closing: Promise<void> | undefined;
    return {
      store,
      clock,
      concurrency,
      ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
      close: () =>
        (closing ??= (async () => {
          // newest first: the queue closes first, so running watches stop between steps and go
          // back to it for another worker
          for (const undo of [...opened].reverse()) await undo();
          await store.close();
        })()),
    };
  } catch (e) {
    for (const undo of [...opened].reverse()) await Promise.resolve(undo()).catch(() => undefined);
    await store.close();
    throw e;
  }
}
