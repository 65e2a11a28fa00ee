// Config sections for acting on real environments: the target (where actions go), signal sources
// and their queries, per-service overrides (target, thresholds, environments, approval policy,
// notification channels), notification channels, API tokens and the GitHub / Argo CD intakes.
// Kept out of schema.ts so that shared file only gains one line per section.
import { z } from 'zod';
import { own } from '../core/own.js';
import { narratorConfigFromEnv, type NarratorConfig } from '../summary/llm-narrator.js';

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const metricKeys = ['error_rate', 'latency_p95_ms', 'cpu_utilization', 'memory_bytes', 'request_rate', 'restarts'] as const;

/** A secret: inline (discouraged) or `{env: NAME}`, read from the environment at startup. */
export const secretSchema = z.union([
  z.string().min(1, { error: 'must not be empty' }),
  z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'env must be an environment variable name' }) }).strict(),
]);
export type SecretRef = z.infer<typeof secretSchema>;

export class SecretError extends Error {}

/** Resolves a secret reference; a missing variable is an error that names it. */
export function resolveSecret(ref: SecretRef | undefined, env: NodeJS.ProcessEnv = process.env, where = 'secret'): string | undefined {
  if (ref === undefined) return undefined;
  if (typeof ref === 'string') return ref;
  const v = env[ref.env];
  if (!v) throw new SecretError(`${where}: environment variable ${ref.env} is not set`);
  return v;
}

const placeholderName = z.string().regex(/^[A-Za-z0-9{}._-]{1,253}$/, { error: 'only letters, digits, . _ - and {service}/{environment} placeholders' });
const argv = z
  .array(z.string().max(4096), { error: 'must be a list of arguments, e.g. ["helm", "rollback", "{release}"]' })
  .min(1, { error: 'needs at least the program' })
  .refine((a) => !/\{/.test(a[0]), { error: 'the program (first element) may not contain a placeholder' });

const kubeCommon = {
  kubeconfig: z.string().optional(),
  context: z.string().optional(),
  namespace: placeholderName.default('default'),
  scaleFactor: z.number().gt(1, { error: 'scaleFactor must be above 1' }).max(10).default(1.5),
  maxReplicas: z.number().int().positive().optional(),
};

export const targetSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('simulated') }).strict(),
    // real processes on loopback ports (src/actions/local.ts); args may use {port} {version} {service} {environment}
    z
      .object({
        kind: z.literal('local'),
        command: z.string().optional(),
        args: z.array(z.string().max(4096)).min(1, { error: 'args needs at least the script, e.g. ["server.js", "--port", "{port}"]' }),
        env: z.record(z.string(), z.string()).optional(),
        versionEnv: z.record(z.string(), z.record(z.string(), z.string())).optional(),
        healthPath: z.string().startsWith('/').default('/healthz'),
        maxReplicas: z.number().int().positive().max(64).default(8),
        startTimeoutSeconds: z.number().positive().max(600).default(20),
      })
      .strict(),
    z
      .object({
        kind: z.literal('kubernetes'),
        ...kubeCommon,
        deployment: placeholderName.default('{service}'),
        rolloutTimeoutSeconds: z.number().positive().max(3600).default(300),
      })
      .strict(),
    z.object({ kind: z.literal('argo-rollouts'), ...kubeCommon, rollout: placeholderName.default('{service}') }).strict(),
    z
      .object({
        kind: z.literal('command'),
        commands: z
          .object({ rollback: argv.optional(), scale_up: argv.optional(), escalate: argv.optional() })
          .strict()
          .refine((c) => Object.keys(c).length > 0, { error: 'configure at least one of rollback, scale_up, escalate' }),
        vars: z.record(z.string(), z.string()).default({}),
        timeoutSeconds: z.number().positive().max(3600).default(120),
        cwd: z.string().optional(),
        env: z.record(z.string(), z.string()).optional(),
        /** asked whether an action whose exit status was lost in a crash was done: exit 0 yes, 3 no, else unknown */
        statusArgv: argv.optional(),
        statusTimeoutSeconds: z.number().positive().max(600).default(30),
      })
      .strict(),
    z
      .object({
        kind: z.literal('webhook'),
        url: z.url({ error: 'url must be an http(s) URL' }),
        secret: secretSchema.optional(),
        attempts: z.number().int().min(1).max(10).default(4),
        backoffMs: z.number().int().min(0).default(500),
        timeoutMs: z.number().int().positive().default(10_000),
      })
      .strict(),
  ],
  { error: 'kind must be one of simulated, local, kubernetes, argo-rollouts, command, webhook' },
);
export type TargetConfig = z.infer<typeof targetSchema>;

export const approvalSchema = z
  .object({
    /** never act without a person in this scope */
    requireApproval: z.boolean().optional(),
    /** decisions at or above this confidence act on their own */
    autoActConfidence: z.number().min(0).max(1).optional(),
    /** token names allowed to approve (default: any operator) */
    approvers: z.array(z.string()).optional(),
    /** actions that always need approval here, e.g. [rollback] */
    alwaysAsk: z.array(z.enum(['rollback', 'scale_up', 'escalate'])).optional(),
  })
  .strict();

/** Absolute limits per standard metric: above them after the deploy counts as unhealthy. */
export const thresholdsSchema = z.partialRecord(z.enum(metricKeys), z.number().nonnegative()).default({});

const stages = z.array(z.enum(['decision', 'action', 'outcome'])).optional();

export const notificationsSchema = z
  .object({
    /** the commander's public URL, for the links in messages (approve/reject/open) */
    baseUrl: z.url().optional(),
    slack: z.array(z.object({ name: z.string().regex(NAME).default('slack'), webhookUrl: secretSchema, stages }).strict()).default([]),
    webhooks: z.array(z.object({ name: z.string().regex(NAME), url: z.url(), secret: secretSchema.optional(), stages }).strict()).default([]),
    /** write the verdict back as GitHub deployment statuses (deployments from the GitHub intake) */
    githubStatus: z.object({ token: secretSchema, apiUrl: z.url().optional() }).strict().optional(),
  })
  .strict()
  .prefault({});

const serviceQueries = z.partialRecord(z.enum(metricKeys), z.string());

export const sourcesSchema = z
  .object({
    prometheus: z
      .object({
        url: z.url(),
        preset: z.enum(['prom-client', 'kubernetes']).optional(),
        selector: z.string().optional(),
        rateWindow: z.string().regex(/^\d+[smh]$/, { error: 'rateWindow must look like 1m, 30s or 1h' }).optional(),
        queries: serviceQueries.optional(),
        limitQueries: z.record(z.string(), z.string()).optional(),
        headers: z.record(z.string(), z.string()).optional(),
        /** watches collecting within this many ms share one query per metric; 0 = never */
        batchWindowMs: z.number().int().min(0).max(10_000).optional(),
      })
      .strict()
      .optional(),
    loki: z.object({ url: z.url(), query: z.string().optional(), tenant: z.string().optional() }).strict().optional(),
    /** read targets' /metrics directly (no Prometheus server needed) */
    scrape: z
      .object({
        intervalSeconds: z.number().positive().max(3600).default(5),
        targets: z
          .array(z.object({ service: z.string().regex(NAME), url: z.url({ error: 'url must be the full /metrics URL' }), environment: z.string().optional(), version: z.string().optional() }).strict())
          .min(1, { error: 'list at least one target' }),
        /** resource limits per service, e.g. {checkout: {memory_bytes: 536870912}} */
        limits: z.record(z.string(), z.record(z.string(), z.number().positive())).optional(),
      })
      .strict()
      .optional(),
    /** use the built-in OTLP receiver's data (POST /v1/metrics|logs|traces) */
    otlp: z.boolean().optional(),
  })
  .strict()
  .prefault({});

export const serviceSchema = z
  .object({
    target: targetSchema.optional(),
    /** queries and selectors for this service only */
    sources: z
      .object({
        prometheus: z.object({ selector: z.string().optional(), queries: serviceQueries.optional(), limits: z.record(z.string(), z.number()).optional() }).strict().optional(),
        loki: z.object({ query: z.string() }).strict().optional(),
      })
      .strict()
      .optional(),
    thresholds: thresholdsSchema.optional(),
    approval: approvalSchema.optional(),
    /** notification channel names (slack/webhook `name`s); default: all channels */
    notify: z.array(z.string()).optional(),
    environments: z
      .record(z.string().regex(NAME, { error: 'environment names: lower-case letters, digits, -' }), z.object({ target: targetSchema.optional(), approval: approvalSchema.optional(), thresholds: thresholdsSchema.optional() }).strict())
      .optional(),
  })
  .strict();
export type ServiceConfig = z.infer<typeof serviceSchema>;

export const servicesSchema = z.record(z.string().regex(NAME, { error: "service names: lower-case letters, digits and '-'" }), serviceSchema).default({});

export const authSchema = z
  .object({
    tokens: z
      .array(
        z
          .object({
            name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
            role: z.enum(['viewer', 'operator', 'admin']),
            hash: z.string().regex(/^(sha256:[0-9a-f]{64}|scrypt:[\w-]+:[\w-]+)$/, { error: 'hash must be sha256:<64 hex> or scrypt:<salt>:<hash> — never the token itself' }),
          })
          .strict(),
      )
      .default([]),
  })
  .strict()
  .prefault({});

export const githubIntakeSchema = z
  .object({
    webhookSecret: secretSchema.optional(),
    watchOn: z.enum(['deployment', 'deployment_status']).default('deployment_status'),
    /** "owner/repo" → service */
    services: z.record(z.string(), z.string().regex(NAME)).default({}),
    /** GitHub environment → commander environment */
    environments: z.record(z.string(), z.string().regex(NAME)).default({}),
  })
  .strict()
  .prefault({});

/**
 * The optional LLM narrator (summary/llm-narrator.ts): any OpenAI-compatible
 * /v1/chat/completions endpoint (OpenAI, Ollama, vLLM, llama.cpp) restates each summary; the
 * text is kept only when every number and name in it is in the findings.
 */
export const llmSchema = z
  .object({
    url: z.url({ error: 'url must be the base URL of an OpenAI-compatible API, e.g. http://127.0.0.1:11434' }),
    model: z.string().min(1),
    apiKey: secretSchema.optional(),
    timeoutMs: z.number().int().positive().max(120_000).default(8000),
  })
  .strict()
  .optional();

export const argocdIntakeSchema = z
  .object({
    token: secretSchema.optional(),
    services: z.record(z.string(), z.string().regex(NAME)).default({}),
    defaultEnvironment: z.string().regex(NAME).optional(),
  })
  .strict()
  .prefault({});

/** The target for one deployment: service+environment override, then service, then global. */
export function targetFor(
  cfg: { target: TargetConfig; services: Record<string, ServiceConfig> },
  service: string,
  environment: string,
): TargetConfig {
  const s = own(cfg.services, service);
  return own(s?.environments, environment)?.target ?? s?.target ?? cfg.target;
}

export type ApprovalPolicy = z.infer<typeof approvalSchema>;

/** The approval policy of one service in one environment (environment entry over service entry). */
export function approvalFor(cfg: { services: Record<string, ServiceConfig> }, service: string, environment: string): ApprovalPolicy {
  const s = own(cfg.services, service);
  return { ...(s?.approval ?? {}), ...(own(s?.environments, environment)?.approval ?? {}) };
}

/** Absolute metric limits of one service in one environment. */
export function thresholdsFor(cfg: { services: Record<string, ServiceConfig> }, service: string, environment: string): Partial<Record<(typeof metricKeys)[number], number>> {
  const s = own(cfg.services, service);
  return { ...(s?.thresholds ?? {}), ...(own(s?.environments, environment)?.thresholds ?? {}) };
}

/**
 * Tightens a guard verdict with a service's approval policy: never loosens it. An action that
 * would execute on its own waits for a person when the policy requires approval, lists the
 * action in `alwaysAsk`, or sets a higher `autoActConfidence` than the decision reached.
 */
export function applyApprovalPolicy<V extends { mode: string; reason: string }>(
  verdict: V,
  decision: { action: string; confidence: number },
  policy: ApprovalPolicy,
): V | (Omit<V, 'mode' | 'reason'> & { mode: 'await_approval'; reason: string }) {
  if (verdict.mode !== 'execute' || decision.action === 'continue') return verdict;
  if (policy.requireApproval) return { ...verdict, mode: 'await_approval', reason: 'this service requires approval' };
  if (policy.alwaysAsk?.includes(decision.action as 'rollback')) return { ...verdict, mode: 'await_approval', reason: `${decision.action} of this service always needs approval` };
  if (policy.autoActConfidence !== undefined && decision.confidence < policy.autoActConfidence)
    return { ...verdict, mode: 'await_approval', reason: `confidence ${Math.round(decision.confidence * 100)}% is below this service's ${Math.round(policy.autoActConfidence * 100)}% for acting alone` };
  return verdict;
}

/** Whether a token may approve under a policy with `approvers` (none listed: any operator). */
export function mayApprove(policy: ApprovalPolicy, tokenName: string | undefined): boolean {
  if (!policy.approvers || policy.approvers.length === 0) return true;
  return tokenName !== undefined && policy.approvers.includes(tokenName);
}

/** The LLM endpoint every narrator/reviewer uses: `llm:` in the config, else COMMANDER_LLM_* (one
 *  place, so serve, `remediate` and `review` never disagree on which model or key is in use). */
export function llmConfigOf(llm: z.infer<typeof llmSchema>, env: NodeJS.ProcessEnv = process.env): NarratorConfig | undefined {
  if (!llm) return narratorConfigFromEnv(env);
  return { url: llm.url, model: llm.model, timeoutMs: llm.timeoutMs, apiKey: resolveSecret(llm.apiKey, env, 'llm.apiKey') };
}
