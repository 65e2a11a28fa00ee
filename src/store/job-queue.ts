// The work queue that spreads watches over workers. Embedded default: in-process
// (inprocess-queue.ts); scale-out: PostgreSQL via pg-boss (pgboss-queue.ts), where a job whose
// worker died is handed to another worker once it expires, and that worker resumes the watch
// from the deployment's timeline (the handler must therefore be idempotent: the timeline's
// dedupeKeys make re-appending a step harmless).

export interface WatchJob {
  deploymentId: string;
  /** 0 on the first delivery; >0 when a previous attempt failed or its worker died */
  attempt: number;
  /**
   * Aborted when this process must let go of the job: the queue is closing, or (pg-boss) the
   * job's lease is about to expire and another worker could be handed it. The handler stops
   * between steps and throws, so the job is retried and the watch resumes from its timeline.
   */
  signal?: AbortSignal;
}

/** Runs one watch to its end. Resolve = done; throw = the job is retried later. */
export type WatchHandler = (job: WatchJob) => Promise<void>;

export interface JobQueue {
  /** Queue a watch. A no-op while a job for this deployment is waiting or running. */
  enqueueWatch(deploymentId: string): Promise<void>;
  /** Start consuming jobs (up to the queue's concurrency at once). Call once per process. */
  work(handler: WatchHandler): Promise<void>;
  /** Stop taking jobs and wait (bounded) for running handlers. */
  close(): Promise<void>;
}

export interface JobQueueOptions {
  /** watches one process runs at once */
  concurrency?: number;
  /** attempts after the first (failures and dead workers both count) */
  retryLimit?: number;
  /** seconds between a failure and the retry */
  retryDelaySeconds?: number;
  /** reported instead of crashing the process (background errors have no caller) */
  onError?: (err: unknown) => void;
}
