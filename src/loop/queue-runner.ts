// A worker process's job handler: run (or resume) one deployment's watch with the same loop as
// the embedded scheduler (runWatch). Nothing about the watch lives in the job: the watch
// re-derives its state from the timeline, so a job retried after its worker died continues
// where that worker's last event stops. An action is never done twice: a job that expired while
// its worker was still in the actuator call goes to the next worker, which finds the action's
// lease live and waits for its result; an action whose worker died is reconciled with the target
// before anything is done (loop/watch.ts, loop/action-lease.ts).
import type { Store } from '../core/store.js';
import type { Deployment } from '../core/types.js';
import { ACTIVE_STATUSES } from '../core/deployment-summary.js';
import { deriveState, statusOf } from './state.js';
import { runWatch, type WatchDeps } from './watch.js';

/** The job as the queue hands it over (store/job-queue.ts's WatchJob, kept structural here). */
export interface QueuedWatch {
  deploymentId: string;
  attempt: number;
  signal?: AbortSignal;
}

export interface QueueRunnerDeps {
  store: Store;
  /**
   * The watch's dependencies for one job. Built per job, so a world that keeps its state in
   * the process (the simulated world) is rebuilt from the store and sees what other workers
   * already did to it (a rollback before the crash).
   */
  depsFor(deployment: Deployment): Promise<{ deps: WatchDeps; release?: () => Promise<void> }>;
  log: (line: string) => void;
}

export function watchJobHandler(r: QueueRunnerDeps): (job: QueuedWatch) => Promise<void> {
  return async (job) => {
    const id = job.deploymentId;
    const deployment = await r.store.getDeployment(id);
    if (!deployment) {
      r.log(`watch ${id}: no such deployment; job dropped`);
      return;
    }
    r.log(`watch ${id} started (attempt ${job.attempt})`);
    const { deps, release } = await r.depsFor(deployment);
    try {
      const status = await runWatch(deployment, deps, job.signal);
      if (job.signal?.aborted && ACTIVE_STATUSES.includes(status)) {
        // Stopped between steps, not finished: hand it back at once. Thousands do this together
        // when a worker stops, and a read of each timeline here kept SIGTERM waiting for seconds;
        // whoever resumes the watch re-derives its status from the timeline anyway.
        const why = job.signal.reason instanceof Error ? job.signal.reason.message : 'stopped';
        r.log(`watch ${id} handed back (${why})`);
        throw new Error(`watch ${id} handed back before it completed (${why})`);
      }
      const state = deriveState(await r.store.events(id));
      // The row follows the timeline: a cancel written by the API while this worker was in a
      // tick can have been overwritten by that tick's status.
      await r.store.setStatus(id, statusOf(state));
      if (!state.completed) {
        // Stopped between steps (lease ending, worker stopping): fail the job so another
        // attempt resumes the watch from its timeline.
        const why = job.signal?.reason instanceof Error ? job.signal.reason.message : 'stopped';
        r.log(`watch ${id} handed back (${why})`);
        throw new Error(`watch ${id} handed back before it completed (${why})`);
      }
      r.log(`watch ${id} finished: ${state.completed.status}`);
    } finally {
      await release?.();
    }
  };
}
