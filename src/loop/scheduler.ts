// Runs many watches at once, resumes the unfinished ones at start, supersedes a running watch
// when the same service+environment is deployed again, and shuts down cleanly (every watch
// stops between steps; what it did is already on the timeline, so the next start resumes it).
// Watches take turns through one TickPacer: starting (reading the timeline) and every tick, so
// thousands resumed or due at once never hold the event loop; a shutdown releases the waiting
// ones at once and waits only for the few ticks in flight.
import { systemClock } from '../core/clock.js';
import type { Deployment } from '../core/types.js';
import { TickPacer } from './tick-pacer.js';
import type { NewTimelineEvent, TimelineEvent } from '../core/timeline.js';
import { runWatch, watchStartedEvent, type WatchDeps } from './watch.js';

interface Running {
  deployment: Deployment;
  controller: AbortController;
  done: Promise<void>;
}

export class Scheduler {
  private readonly running = new Map<string, Running>();
  /** running watch ids by service+environment: supersede looks here, not through every watch */
  private readonly byTarget = new Map<string, Set<string>>();
  private stopping = false;
  readonly pacer: TickPacer;
  private readonly paced: WatchDeps;

  /** `ticksPerTurn`: ticks (or watch starts) begun per turn of the event loop */
  constructor(
    private readonly deps: WatchDeps,
    opts: { ticksPerTurn?: number } = {},
  ) {
    this.pacer = new TickPacer(opts.ticksPerTurn);
    this.paced = { ...deps, pace: deps.pace ?? ((signal, resume) => this.pacer.admit(signal, resume)) };
  }

  /** Resume every watch the store says is unfinished. Returns how many. */
  async start(): Promise<number> {
    const list = await this.deps.store.unfinishedDeployments();
    for (const d of list) this.watch(d);
    return list.length;
  }

  /** The `watch.started` event a watch of this deployment begins with (runWatch writes the same). */
  startedEvent(id: string, deployAt: number, receivedAt: number): Omit<NewTimelineEvent, 'deploymentId'> {
    return watchStartedEvent(id, this.deps.timing, deployAt, receivedAt);
  }

  /** Start watching (no-op when already watched). `events`: its whole timeline, when the caller
   *  just wrote it (intake), so the watch need not read it back. */
  watch(deployment: Deployment, events?: TimelineEvent[]): void {
    if (this.stopping || this.running.has(deployment.id)) return;
    const controller = new AbortController();
    const key = targetKey(deployment);
    const done = this.loop(deployment, controller.signal, events).finally(() => {
      this.running.delete(deployment.id);
      const ids = this.byTarget.get(key);
      ids?.delete(deployment.id);
      if (ids?.size === 0) this.byTarget.delete(key);
    });
    this.running.set(deployment.id, { deployment, controller, done });
    let ids = this.byTarget.get(key);
    if (!ids) this.byTarget.set(key, (ids = new Set()));
    ids.add(deployment.id);
  }

  /** A watch that throws (store hiccup, bug) is retried with backoff; its timeline makes that safe. */
  private async loop(deployment: Deployment, signal: AbortSignal, events?: TimelineEvent[]): Promise<void> {
    for (let attempt = 0; !signal.aborted; attempt++) {
      try {
        // a start from known events costs nothing to pace (no read, no write)
        if (!(attempt === 0 && events)) await this.paced.pace!(signal);
        if (signal.aborted) return;
        await runWatch(deployment, this.paced, signal, attempt === 0 ? events : undefined);
        return;
      } catch (e) {
        this.deps.hooks?.error?.(deployment.id, e);
        await systemClock.sleep(Math.min(30_000, 500 * 2 ** attempt), signal);
      }
    }
  }

  active(): Deployment[] {
    return [...this.running.values()].map((r) => r.deployment);
  }

  isWatching(id: string): boolean {
    return this.running.has(id);
  }

  /** Stop a watch for good: it completes as `cancelled` with the reason on its timeline. */
  async cancel(id: string, reason: string): Promise<void> {
    const r = this.running.get(id);
    if (r) {
      r.controller.abort();
      await r.done;
    }
    const { store, clock } = this.deps;
    const events = await store.events(id);
    if (events.some((e) => e.type === 'watch.completed')) return;
    await store.append({ deploymentId: id, type: 'watch.completed', at: clock.now(), actor: 'system', payload: { status: 'cancelled', reason }, dedupeKey: `${id}:watch.completed` });
    await store.setStatus(id, 'cancelled');
  }

  /** A new deploy of the same service+environment ends the older watches. */
  async supersede(deployment: Deployment): Promise<void> {
    const older = [...(this.byTarget.get(targetKey(deployment)) ?? [])].filter((id) => id !== deployment.id);
    await Promise.all(older.map((id) => this.cancel(id, `superseded by ${deployment.version} (${deployment.id})`)));
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    const all = [...this.running.values()];
    for (const r of all) r.controller.abort();
    await Promise.all(all.map((r) => r.done));
  }
}

function targetKey(d: Deployment): string {
  return `${d.service}\u0000${d.environment}`;
}
