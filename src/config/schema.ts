// The commander's configuration (YAML file and/or defaults), validated with zod.
// Sections grow with the adapters; every field has a default so an empty file is valid.
import { z } from 'zod';
import { remediationSchema } from './remediation.js';
import { argocdIntakeSchema, authSchema, githubIntakeSchema, llmSchema, notificationsSchema, servicesSchema, sourcesSchema, targetSchema } from './integrations.js';

export const guardrailEnvSchema = z.object({
  /** decisions at or above this confidence act on their own; below, they wait for approval */
  autoActConfidence: z.number().min(0).max(1),
  /** never act alone in this environment */
  requireApproval: z.boolean().default(false),
});

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8080),
        bodyLimitBytes: z.number().int().positive().default(1_048_576),
        corsOrigins: z.array(z.string()).default([]),
        /** requests per minute per client, one bucket shared by every mutating route (server/app.ts) */
        rateLimitPerMinute: z.number().int().positive().default(600),
        /** the built dashboard; default: dashboard/dist of the package */
        dashboardDir: z.string().optional(),
        /** refused credentials (bad token, webhook signature) are summed into one audit event per interval */
        rejectionSummarySeconds: z.number().positive().max(86_400).default(60),
        /** live event stream (GET /api/events) limits */
        events: z
          .object({
            maxClients: z.number().int().positive().default(1000),
            maxClientsPerIp: z.number().int().positive().default(200),
            /** unread bytes queued per client before the server waits for it to read */
            maxBufferedBytes: z.number().int().min(4096).default(1_048_576),
            /** a client that is behind and reads nothing this long is disconnected (it resumes with Last-Event-ID) */
            stallSeconds: z.number().positive().max(3600).default(30),
          })
          .strict()
          .prefault({}),
      })
      .prefault({}),
    store: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('sqlite'), path: z.string().default('./data/commander.db') }),
        z.object({ kind: z.literal('postgres'), url: z.string() }),
      ])
      .default({ kind: 'sqlite', path: './data/commander.db' }),
    /**
     * Where watches run. `inprocess` (default): in the serving process. `pgboss`: a job queue on
     * PostgreSQL; `serve` only queues a watch per deployment and `devops-commander worker`
     * processes run them (README, "Scale-out").
     */
    queue: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('inprocess') }).strict(),
        z
          .object({
            kind: z.literal('pgboss'),
            /** PostgreSQL for the queue's tables; default: store.url */
            url: z.string().min(1).optional(),
            schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain PostgreSQL identifier').default('devops_commander_queue'),
            /** watches one worker process runs at once */
            concurrency: z.number().int().min(1).max(10_000).default(10),
            /**
             * pg-boss 10 has no heartbeat: a job still active after this long counts as abandoned
             * (its worker died) and is retried elsewhere. Must exceed the longest watch, (window +
             * verify) / clock.speed; default: that plus two steps and a minute. A watch outliving it
             * (waiting for an approval) is handed over to a new attempt, never run twice.
             */
            expireInSeconds: z.number().int().min(1).max(86_399).optional(),
            retryLimit: z.number().int().min(0).default(5),
            retryDelaySeconds: z.number().int().min(0).default(5),
            pollingIntervalSeconds: z.number().min(0.5).default(2),
            /** how often expired jobs are looked for (one process per interval does it) */
            maintenanceIntervalSeconds: z.number().int().min(1).max(3600).default(30),
            /** how often `serve` reads the workers' new events for the live stream, ms */
            eventsPollMs: z.number().int().min(20).max(10_000).default(250),
            /**
             * each `worker` serves its own GET /metrics (tick durations, decisions, actions, outcomes,
             * watch errors, process metrics) on server.host at this port; 0 = any free port (printed).
             * Default: none. `worker --metrics-port N` overrides it per process.
             */
            metricsPort: z.number().int().min(0).max(65_535).optional(),
          })
          .strict(),
      ])
      .default({ kind: 'inprocess' }),
    watch: z
      .object({
        windowSeconds: z.number().int().positive().default(600),
        baselineSeconds: z.number().int().positive().default(1800),
        stepSeconds: z.number().int().positive().default(15),
        verifySeconds: z.number().int().positive().default(180),
        /** how long a decision may wait for a human after the window ended */
        approvalTimeoutSeconds: z.number().int().min(0).default(1800),
        /** watch ticks begun per turn of the event loop (loop/tick-pacer.ts): lower keeps HTTP
         *  snappier under thousands of due watches, higher clears a burst sooner */
        ticksPerTurn: z.number().int().min(1).max(1000).default(2),
      })
      .prefault({}),
    /** time: 1 = real time; N = the commander's clock runs N× real time (simulation, demos) */
    clock: z.object({ speed: z.number().positive().max(1000).default(1) }).prefault({}),
    /** the demo world (`devops-commander demo`) */
    demo: z
      .object({
        /** clock speed of the demo (a 10-minute watch takes a minute at 10) */
        speed: z.number().positive().max(1000).default(10),
        seed: z.number().int().default(42),
        autoDeploy: z.boolean().default(true),
        minIntervalSeconds: z.number().positive().default(45),
        maxIntervalSeconds: z.number().positive().default(90),
        services: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/)).min(1).default(['checkout', 'payments', 'search', 'inventory']),
        /** deployment history whose `behaviour` fields plan how those versions behave */
        deploymentsFile: z.string().optional(),
        /** live world: real seconds its services run before it deploys or prints its URL (default min(30, watch.baselineSeconds)) */
        baselineSeconds: z.number().min(0).max(3600).optional(),
      })
      .prefault({}),
    policy: z
      .object({
        /** which policy decides: the learned bandit (its prior mean is the scoring policy), or the scoring policy alone */
        decide: z.enum(['scoring', 'bandit']).default('bandit'),
        /** learn a new bandit version from every verified outcome (in shadow unless it decides) */
        learn: z.boolean().default(true),
      })
      .prefault({}),
    guardrails: z
      .object({
        dryRun: z.boolean().default(false),
        cooldownSeconds: z.number().int().min(0).default(600),
        environments: z.record(z.string(), guardrailEnvSchema).default({
          production: { autoActConfidence: 0.85, requireApproval: false },
          staging: { autoActConfidence: 0.6, requireApproval: false },
        }),
        /** used for environments not listed above */
        defaultAutoActConfidence: z.number().min(0).max(1).default(0.8),
      })
      .prefault({}),
    // acting on real environments (src/config/integrations.ts)
    target: targetSchema.default({ kind: 'simulated' }),
    sources: sourcesSchema,
    services: servicesSchema,
    notifications: notificationsSchema,
    auth: authSchema,
    github: githubIntakeSchema,
    argocd: argocdIntakeSchema,
    remediation: remediationSchema,
    llm: llmSchema,
  })
  .loose()
  .superRefine((c, ctx) => {
    if (c.queue.kind !== 'pgboss') return;
    if (c.store.kind !== 'postgres') {
      ctx.addIssue({ code: 'custom', path: ['queue', 'kind'], message: 'the pgboss queue needs store: {kind: postgres, url}: the API and the workers share one timeline' });
      return;
    }
    const longest = longestWatchSeconds(c);
    if (c.queue.expireInSeconds !== undefined && c.queue.expireInSeconds <= longest) {
      ctx.addIssue({
        code: 'custom',
        path: ['queue', 'expireInSeconds'],
        message: `must exceed the longest watch, (watch.windowSeconds + watch.verifySeconds) / clock.speed = ${Math.ceil(longest)} s, or a live worker's job would be handed to another`,
      });
    }
  });

/** Real seconds a watch takes from deploy to outcome (no approval wait): window + verify. */
export function longestWatchSeconds(c: { watch: { windowSeconds: number; verifySeconds: number }; clock: { speed: number } }): number {
  return (c.watch.windowSeconds + c.watch.verifySeconds) / c.clock.speed;
}

/** queue.expireInSeconds, or its default: the longest watch plus two steps and a minute. */
export function queueExpireInSeconds(c: Config): number {
  if (c.queue.kind === 'pgboss' && c.queue.expireInSeconds !== undefined) return c.queue.expireInSeconds;
  return Math.min(86_399, Math.ceil(longestWatchSeconds(c) + (2 * c.watch.stepSeconds) / c.clock.speed + 60));
}

export type Config = z.infer<typeof configSchema>;
