// Composition of scale-out (`queue: {kind: pgboss}`), for the API process (app.ts) and the
// worker processes (app-worker.ts): checks the config, opens the pg-boss queue, and gives the
// API a Scheduler that queues watches and a live stream that follows the workers' events.
import type { Config } from './config/schema.js';
import { longestWatchSeconds, queueExpireInSeconds } from './config/schema.js';
import type { Store } from './core/store.js';
import type { TimelineEvent } from './core/timeline.js';
import type { EventBus } from './loop/bus.js';
import { QueueScheduler } from './loop/queue-scheduler.js';
import { followStore } from './loop/store-follower.js';
import type { WatchDeps, WatchHooks } from './loop/watch.js';
import type { JobQueue } from './store/job-queue.js';
import { createPgBossQueue } from './store/pgboss-queue.js';

export type PgBossQueueConfig = Extract<Config['queue'], { kind: 'pgboss' }>;

/** The pgboss settings, after the checks command-line overrides (--db, --speed) could undo. */
export function scaleOutSettings(config: Config): PgBossQueueConfig & { url: string; storeUrl: string; expireInSeconds: number } {
  const q = config.queue;
  if (q.kind !== 'pgboss') throw new Error('this needs queue: {kind: pgboss} in the config (see README, "Scale-out")');
  if (config.store.kind !== 'postgres') throw new Error('queue pgboss needs store: {kind: postgres, url}: the API and the workers share one timeline');
  const expireInSeconds = queueExpireInSeconds(config);
  const longest = longestWatchSeconds(config);
  if (expireInSeconds <= longest) {
    throw new Error(`queue.expireInSeconds (${expireInSeconds}) must exceed the longest watch, (window + verify) / clock speed = ${Math.ceil(longest)} s`);
  }
  return { ...q, url: q.url ?? config.store.url, storeUrl: config.store.url, expireInSeconds };
}

export async function openWatchQueue(config: Config, opts: { concurrency?: number; onError?: (err: unknown) => void } = {}): Promise<JobQueue> {
  const s = scaleOutSettings(config);
  return createPgBossQueue(s.url, {
    schema: s.schema,
    concurrency: opts.concurrency ?? s.concurrency,
    expireInSeconds: s.expireInSeconds,
    retryLimit: s.retryLimit,
    retryDelaySeconds: s.retryDelaySeconds,
    pollingIntervalSeconds: s.pollingIntervalSeconds,
    maintenanceIntervalSeconds: s.maintenanceIntervalSeconds,
    ...(opts.onError ? { onError: opts.onError } : {}),
  });
}

/**
 * The API process's Scheduler in scale-out: watches go to the queue, and the event bus is fed
 * from the store (every process's appends, once each, in seq order) instead of this process's
 * appends. So `store` must be the plain store, not a notifyingStore.
 */
export async function queueScheduler(config: Config, deps: WatchDeps & { store: Store }, bus: EventBus, log: (line: string) => void): Promise<QueueScheduler> {
  const s = scaleOutSettings(config);
  const queue = await openWatchQueue(config, { onError: (e) => log(`queue: ${e instanceof Error ? e.message : String(e)}`) });
  const follower: { stop?: () => Promise<void> } = {};
  const scheduler = new QueueScheduler(
    deps,
    {
      enqueueWatch: (id) => queue.enqueueWatch(id),
      close: async () => {
        await follower.stop?.();
        await queue.close();
      },
    },
    { log },
  );
  follower.stop = (
    await followStore(deps.store, bus, {
      intervalMs: s.eventsPollMs,
      onError: (e) => log(`events: ${e instanceof Error ? e.message : String(e)}`),
      onEvent: (e) => {
        if (e.type === 'watch.completed' && e.deploymentId) scheduler.completed(e.deploymentId);
        countFromTimeline(e, deps.hooks);
      },
    })
  ).stop;
  return scheduler;
}

/**
 * The workers' decisions and actions, counted by this process's metrics hooks from the timeline
 * (the watches run elsewhere, so the hooks are not called by a watch here). Learning hooks
 * (`outcome`) are left alone: each worker learns from the outcomes it verifies.
 */
function countFromTimeline(e: TimelineEvent, hooks: WatchHooks | undefined): void {
  if (!hooks) return;
  const p = e.payload as { action?: unknown; dryRun?: unknown; decision?: { action?: unknown } };
  if (e.type === 'decision.made' && typeof p.decision?.action === 'string') hooks.decision?.(p.decision.action);
  else if (e.type === 'action.requested' && p.dryRun === true && typeof p.action === 'string') hooks.action?.(p.action, 'dry_run');
  else if ((e.type === 'action.executed' || e.type === 'action.failed' || e.type === 'action.unknown') && typeof p.action === 'string')
    hooks.action?.(p.action, e.type === 'action.executed' ? 'executed' : e.type === 'action.failed' ? 'failed' : 'unknown');
}
