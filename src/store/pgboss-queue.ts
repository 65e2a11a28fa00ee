// Scale-out JobQueue on PostgreSQL with pg-boss 10. Each process calls work(); pg-boss hands
// each job to one worker (SKIP LOCKED). pg-boss 10 has no heartbeat, so a job is presumed
// dead when it stays active longer than `expireInSeconds`: set that above the longest watch
// (window + verify), and a job whose worker was killed is retried on another worker after it.
// A live worker must not still be running a job pg-boss has given up on (two workers would
// then run one watch): the handler's signal is aborted shortly before the expiry, the watch
// stops between steps and the job is failed back to the queue, where another attempt resumes
// it from the timeline. So expiry works as a lease, and a watch longer than it (one waiting
// for an approval) is handed over rather than run twice.
import PgBoss from 'pg-boss';
import type { JobQueue, JobQueueOptions, WatchHandler } from './job-queue.js';

export interface PgBossQueueOptions extends JobQueueOptions {
  /** PostgreSQL schema for pg-boss's tables */
  schema?: string;
  queueName?: string;
  /** how long a running watch may take before its job counts as abandoned */
  expireInSeconds?: number;
  /** how often pg-boss looks for expired jobs (only one process does it per interval) */
  maintenanceIntervalSeconds?: number;
  pollingIntervalSeconds?: number;
  /** how long close() waits for running watches to stop between steps before it fails their
   *  jobs back anyway (default 1.5 s: a stop must end within seconds whatever the watches do) */
  closeTimeoutMs?: number;
}

/** How long before the expiry a running job is told to let go: 10% of it, at most 30 s. */
export function leaseMarginMs(expireInSeconds: number): number {
  return Math.min(30_000, expireInSeconds * 100);
}

interface WatchData {
  deploymentId: string;
}

export async function createPgBossQueue(url: string, opts: PgBossQueueOptions = {}): Promise<JobQueue> {
  const name = opts.queueName ?? 'deployment-watch';
  const schema = opts.schema ?? 'devops_commander_queue';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid pg-boss schema name: ${schema}`);
  const boss = new PgBoss({
    connectionString: url,
    schema,
    maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 30,
    max: Math.max(2, Math.min(10, (opts.concurrency ?? 10) + 1)),
  });
  boss.on('error', (err) => opts.onError?.(err));
  await boss.start();
  // 'stately': at most one waiting and one running job per deployment (singletonKey).
  // Expiry and retries are also set on every job (below): createQueue is a no-op for an
  // existing queue, so per-job options are what lets changed settings take effect.
  const jobOptions = {
    retryLimit: opts.retryLimit ?? 5,
    retryDelay: opts.retryDelaySeconds ?? 5,
    expireInSeconds: opts.expireInSeconds ?? 3600,
  };
  await boss.createQueue(name, { name, policy: 'stately', ...jobOptions });
  /** running jobs: their lease, and the promise that settles after complete/fail */
  const running = new Map<AbortController, Promise<void>>();
  /** the job id and lease timer of each running lease (close() fails those still running at its deadline) */
  const jobOf = new Map<AbortController, { id: string; timer: NodeJS.Timeout }>();
  /** set once close() has failed the jobs back: a watch stopping after that is already handed back */
  let handedBackAll = false;
  let working = false;
  let polling: Promise<void> | undefined;
  let stopPolling: (() => void) | undefined;
  const handedBack: string[] = [];
  let closed = false;
  const leaseMs = Math.max(1000, jobOptions.expireInSeconds * 1000 - leaseMarginMs(jobOptions.expireInSeconds));

  return {
    async enqueueWatch(deploymentId) {
      if (closed) throw new Error('job queue is closed');
      // 'stately' alone lets a second job wait while one runs, and that waiting job can then
      // not be fetched (unique index) and blocks the jobs behind it: look for a live job first.
      // (pg-boss's job_state enum is ordered created < retry < active < completed < …)
      const live = await boss
        .getDb()
        .executeSql(`SELECT 1 FROM "${schema}".job WHERE name = $1 AND singleton_key = $2 AND state < 'completed' LIMIT 1`, [name, deploymentId]);
      if (live.rows.length > 0) return;
      // returns null when a job for this deployment is already waiting: that is the idempotency
      await boss.send(name, { deploymentId } satisfies WatchData, { singletonKey: deploymentId, ...jobOptions });
    },
    async work(handler: WatchHandler) {
      if (working) throw new Error('work() was already called on this queue');
      working = true;
      // One fetch loop per process, not one pg-boss worker per slot: a worker running
      // thousands of watches then polls once per interval (for as many jobs as it has free
      // slots), where one poller per slot made thousands of queries per interval.
      const limit = Math.max(1, opts.concurrency ?? 10);
      const pollMs = Math.max(100, (opts.pollingIntervalSeconds ?? 2) * 1000);
      const run = (job: PgBoss.JobWithMetadata<WatchData>): void => {
        const lease = new AbortController();
        const timer = setTimeout(() => lease.abort(new Error('job lease ending')), leaseMs);
        const done = handler({ deploymentId: job.data.deploymentId, attempt: job.retryCount, signal: lease.signal })
          .then(
            () => boss.complete(name, job.id),
            (err: unknown) => {
              // at close, thousands of watches hand their jobs back at once: one fail() for all
              if (closed) {
                if (!handedBackAll) handedBack.push(job.id);
              } else return boss.fail(name, job.id, { message: err instanceof Error ? err.message : String(err) });
            },
          )
          .catch((err: unknown) => opts.onError?.(err))
          .finally(() => {
            clearTimeout(timer);
            running.delete(lease);
            jobOf.delete(lease);
            wake?.();
          });
        running.set(lease, done);
        jobOf.set(lease, { id: job.id, timer });
      };
      let wake: (() => void) | undefined;
      polling = (async () => {
        while (!closed) {
          const free = Math.min(100, limit - running.size);
          let got = 0;
          if (free > 0) {
            try {
              const jobs = await boss.fetch<WatchData>(name, { batchSize: free, includeMetadata: true });
              got = jobs.length;
              for (const job of jobs) if (!closed) run(job);
            } catch (err) {
              opts.onError?.(err);
            }
          }
          // a full batch: more may be waiting; otherwise sleep until the next poll (or a free slot, or close)
          if (got > 0 && got === free) continue;
          await new Promise<void>((r) => {
            const t = setTimeout(r, pollMs);
            wake = () => {
              clearTimeout(t);
              r();
            };
          });
          wake = undefined;
        }
      })();
      stopPolling = () => wake?.();
    },
    async close() {
      if (closed) return;
      closed = true;
      stopPolling?.();
      await polling;
      // running watches stop between steps and fail their jobs back for another worker
      for (const lease of running.keys()) lease.abort(new Error('worker stopping'));
      const timeout = opts.closeTimeoutMs ?? 1_500;
      await Promise.race([Promise.allSettled([...running.values()]), new Promise((r) => setTimeout(r, timeout).unref())]);
      // Watches still in a step (waiting on a busy database) are handed back too, not left
      // active until their jobs expire. They stop at their next check of the lease; a job failed
      // back is retried only after retryDelaySeconds, by which time this process is gone (and an
      // action is guarded by its lease in any case, loop/action-lease.ts).
      const stillRunning = [...jobOf.values()].map((j) => {
        // their lease timers (as long as a job's expiry) must not keep the process alive
        clearTimeout(j.timer);
        return j.id;
      });
      handedBackAll = true;
      const all = [...handedBack, ...stillRunning];
      for (let i = 0; i < all.length; i += 1000) {
        await boss.fail(name, all.slice(i, i + 1000)).catch((err: unknown) => opts.onError?.(err));
      }
      await boss.stop({ graceful: true, wait: true, timeout: Math.max(1000, timeout) });
    },
  };
}
