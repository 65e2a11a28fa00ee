// The embedded default JobQueue: jobs live in this process only. A crash loses the queue,
// which is fine here because on start the app re-enqueues store.unfinishedDeployments().
// Hand-written because it is a few lines over a Map; a queue library would add nothing.
import type { JobQueue, JobQueueOptions, WatchHandler } from './job-queue.js';

export function createInProcessQueue(opts: JobQueueOptions = {}): JobQueue {
  const concurrency = Math.max(1, opts.concurrency ?? 50);
  const retryLimit = Math.max(0, opts.retryLimit ?? 3);
  const retryDelayMs = Math.max(0, (opts.retryDelaySeconds ?? 5) * 1000);
  const waiting: Array<{ deploymentId: string; attempt: number }> = [];
  /** queued or running: enqueueing one of these again is a no-op */
  const known = new Set<string>();
  const running = new Set<Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  /** aborted on close(): running watches stop between steps */
  const stopAll = new AbortController();
  let handler: WatchHandler | undefined;
  let closed = false;

  const pump = (): void => {
    while (handler && !closed && running.size < concurrency && waiting.length) {
      const job = waiting.shift()!;
      const run: Promise<void> = handler({ ...job, signal: stopAll.signal })
        .then(
          () => {
            known.delete(job.deploymentId);
          },
          (err: unknown) => {
            opts.onError?.(err);
            if (job.attempt >= retryLimit || closed) {
              known.delete(job.deploymentId);
              return;
            }
            const t = setTimeout(() => {
              timers.delete(t);
              waiting.push({ deploymentId: job.deploymentId, attempt: job.attempt + 1 });
              pump();
            }, retryDelayMs);
            timers.add(t);
          },
        )
        .finally(() => {
          running.delete(run);
          pump();
        });
      running.add(run);
    }
  };

  return {
    async enqueueWatch(deploymentId) {
      if (closed) throw new Error('job queue is closed');
      if (known.has(deploymentId)) return;
      known.add(deploymentId);
      waiting.push({ deploymentId, attempt: 0 });
      pump();
    },
    async work(h) {
      if (handler) throw new Error('work() was already called on this queue');
      handler = h;
      pump();
    },
    async close() {
      closed = true;
      stopAll.abort();
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
}
