// Scale-out JobQueue on PostgreSQL with pg-boss 10. Each process calls work(); pg-boss hands
// each job to one worker (SKIP LOCKED). pg-boss 10 has no heartbeat, so a job is presumed
// dead when it stays active longer than `expireInSeconds`: set that above the longest watch
// (window + verify), and a job whose worker was killed is retried on another worker after it.
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
  /** how long close() waits for running watches before failing them back to the queue */
  closeTimeoutMs?: number;
}

interface WatchData {
  deploymentId: string;
}

export async function createPgBossQueue(url: string, opts: PgBossQueueOptions = {}): Promise<JobQueue> {
  const name = opts.queueName ?? 'deployment-watch';
  const boss = new PgBoss({
    connectionString: url,
    schema: opts.schema ?? 'devops_commander_queue',
    maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 30,
    max: Math.max(2, Math.min(10, (opts.concurrency ?? 10) + 1)),
  });
  boss.on('error', (err) => opts.onError?.(err));
  await boss.start();
  // 'stately': at most one waiting and one running job per deployment (singletonKey), so
  // every worker re-enqueueing unfinished deployments at startup does not pile up duplicates.
  // Expiry and retries are also set on every job (below): createQueue is a no-op for an
  // existing queue, so per-job options are what lets changed settings take effect.
  const jobOptions = {
    retryLimit: opts.retryLimit ?? 5,
    retryDelay: opts.retryDelaySeconds ?? 5,
    expireInSeconds: opts.expireInSeconds ?? 3600,
  };
  await boss.createQueue(name, { name, policy: 'stately', ...jobOptions });
  const workerIds: string[] = [];
  let closed = false;

  return {
    async enqueueWatch(deploymentId) {
      if (closed) throw new Error('job queue is closed');
      // returns null when a job for this deployment is already waiting: that is the idempotency
      await boss.send(name, { deploymentId } satisfies WatchData, { singletonKey: deploymentId, ...jobOptions });
    },
    async work(handler: WatchHandler) {
      if (workerIds.length) throw new Error('work() was already called on this queue');
      // one pg-boss worker runs one job at a time; several give the process its concurrency
      const n = Math.max(1, opts.concurrency ?? 10);
      for (let i = 0; i < n; i++) {
        workerIds.push(
          await boss.work<WatchData>(
            name,
            { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 2 },
            async ([job]) => {
              await handler({ deploymentId: job.data.deploymentId, attempt: job.retryCount });
            },
          ),
        );
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await boss.stop({ graceful: true, wait: true, timeout: opts.closeTimeoutMs ?? 10_000 });
    },
  };
}
