// The Scheduler of the API process in scale-out: it runs no watch itself. `watch()` queues a
// job that a worker process (`devops-commander worker`, loop/queue-runner.ts) runs; `cancel()`
// and `supersede()` write `watch.completed` on the timeline, which the worker running that
// watch reads at its next tick and stops. The queue is given as a narrow interface so the loop
// knows no adapter (the composition root passes the pg-boss queue).
import type { Deployment } from '../core/types.js';
import { Scheduler } from './scheduler.js';
import { ACTIVE_STATUSES } from '../core/deployment-summary.js';
import type { WatchDeps } from './watch.js';

export interface WatchQueue {
  /** a no-op while a job for this deployment is waiting or running */
  enqueueWatch(deploymentId: string): Promise<void>;
  close(): Promise<void>;
}

export interface QueueSchedulerOptions {
  /** real ms between sweeps that re-queue unfinished watches whose job was lost (0 = never) */
  sweepMs?: number;
  log?: (line: string) => void;
}

export class QueueScheduler extends Scheduler {
  /** deployments this process queued and has not yet seen complete (for health and the demo) */
  private readonly queued = new Map<string, Deployment>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly watchDeps: WatchDeps,
    private readonly queue: WatchQueue,
    private readonly opts: QueueSchedulerOptions = {},
  ) {
    super(watchDeps);
  }

  /**
   * Queue every unfinished watch (the queue skips those with a live job). Jobs can be lost for
   * good (retries used up, queue tables reset), so this also runs every `sweepMs`.
   */
  override async start(): Promise<number> {
    const n = await this.sweep();
    const every = this.opts.sweepMs ?? 60_000;
    if (every > 0) {
      this.sweepTimer = setInterval(() => {
        this.sweep().catch((e: unknown) => this.opts.log?.(`queue sweep: ${e instanceof Error ? e.message : String(e)}`));
      }, every);
      this.sweepTimer.unref();
    }
    return n;
  }

  private async sweep(): Promise<number> {
    const list = await this.watchDeps.store.unfinishedDeployments();
    for (const d of list) {
      if (this.closed) break;
      this.queued.set(d.id, d);
      await this.queue.enqueueWatch(d.id);
    }
    return list.length;
  }

  /** Queue the watch. A failed enqueue is logged; the next sweep queues it. */
  override watch(deployment: Deployment): void {
    if (this.closed) return;
    this.queued.set(deployment.id, deployment);
    this.queue.enqueueWatch(deployment.id).catch((e: unknown) => this.opts.log?.(`queue ${deployment.id}: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** The store follower calls this when a `watch.completed` arrives from a worker. */
  completed(deploymentId: string): void {
    this.queued.delete(deploymentId);
  }

  override active(): Deployment[] {
    return [...this.queued.values()];
  }

  override isWatching(id: string): boolean {
    return this.queued.has(id);
  }

  override async cancel(id: string, reason: string): Promise<void> {
    await super.cancel(id, reason);
    this.queued.delete(id);
  }

  /** Ends the older unfinished watches of the same service+environment, whichever worker runs them. */
  override async supersede(deployment: Deployment): Promise<void> {
    // each deploy supersedes the one before, so the unfinished ones are among the newest few of
    // this service+environment (an indexed query, not a scan of every unfinished watch)
    const recent = await this.watchDeps.store.listDeployments({ service: deployment.service, environment: deployment.environment, limit: 20 });
    const older = recent.filter((d) => d.id !== deployment.id && ACTIVE_STATUSES.includes(d.status));
    await Promise.all(older.map((d) => this.cancel(d.id, `superseded by ${deployment.version} (${deployment.id})`)));
  }

  override async shutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweepTimer);
    await super.shutdown();
    await this.queue.close();
  }
}
