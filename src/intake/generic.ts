// Generic JSON deployment events: `{service, environment?, version, previousVersion?, commit?,
// previousCommit?, at?, replicas?}` → DeploymentSpec. The allowed characters are strict on purpose: these values
// end up in commands, URLs, log lines and the dashboard, so anything that could be a shell
// metacharacter, a path traversal or a control character is refused here, with the field named.
import { z } from 'zod';
import type { DeploymentSpec } from '../core/types.js';

export const SERVICE_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const ENVIRONMENT_RE = /^[a-z0-9][a-z0-9-]{0,31}$/;
export const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;
const COMMIT_RE = /^[0-9a-fA-F]{7,64}$/;
/** printable ASCII without spaces: header values we store and echo */
const IDEMPOTENCY_RE = /^[\x21-\x7e]{1,200}$/;
/** how far in the future a deploy time may be (clock skew), ms */
const MAX_FUTURE_MS = 5 * 60_000;

const version = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .regex(VERSION_RE, { error: `${field} may use only letters, digits and . _ + - (1-128 chars, starting with a letter or digit)` })
    .refine((v) => !v.includes('..'), { error: `${field} must not contain '..'` });

export const genericDeploySchema = z.object({
  service: z
    .string({ error: 'service is required and must be a string' })
    .regex(SERVICE_RE, { error: "service may use only lowercase letters, digits and '-' (1-63 chars, starting with a letter or digit)" }),
  environment: z
    .string({ error: 'environment must be a string' })
    .regex(ENVIRONMENT_RE, { error: "environment may use only lowercase letters, digits and '-' (1-32 chars)" })
    .optional(),
  version: version('version'),
  previousVersion: version('previousVersion').optional(),
  commit: z.string({ error: 'commit must be a string' }).regex(COMMIT_RE, { error: 'commit must be 7-64 hex digits' }).optional(),
  previousCommit: z.string({ error: 'previousCommit must be a string' }).regex(COMMIT_RE, { error: 'previousCommit must be 7-64 hex digits' }).optional(),
  at: z.union([z.string(), z.number()], { error: 'at must be an ISO-8601 time or epoch milliseconds' }).optional(),
  replicas: z
    .number({ error: 'replicas must be a number' })
    .int({ error: 'replicas must be a whole number' })
    .min(1, { error: 'replicas must be at least 1' })
    .max(10_000, { error: 'replicas must be at most 10000' })
    .optional(),
});

export type IntakeResult =
  | { ok: true; spec: DeploymentSpec; idempotencyKey: string }
  | { ok: false; error: string; field?: string };

export interface IntakeOptions {
  /** epoch ms: default deploy time, and the reference for "in the future" */
  now: number;
  /** the `Idempotency-Key` header, when the sender gave one */
  idempotencyKey?: string;
  defaultEnvironment?: string;
}

/** Validate one generic deployment event. Never throws on bad input. */
export function parseGenericDeploy(body: unknown, opts: IntakeOptions): IntakeResult {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, error: 'body must be a JSON object with at least service and version' };
  }
  const parsed = genericDeploySchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue.path.map(String).join('.') || undefined;
    // zod reports a missing key as "expected string, received undefined"; name it plainly.
    const missing = issue.code === 'invalid_type' && field && (body as Record<string, unknown>)[field] === undefined;
    return { ok: false, field, error: missing ? `${field} is required` : issue.message };
  }
  const b = parsed.data;
  let at = opts.now;
  if (b.at !== undefined) {
    at = typeof b.at === 'number' ? b.at : Date.parse(b.at);
    if (!Number.isFinite(at) || at < Date.UTC(2000, 0, 1)) {
      return { ok: false, field: 'at', error: 'at must be an ISO-8601 time or epoch milliseconds after 2000-01-01' };
    }
    if (at > opts.now + MAX_FUTURE_MS) return { ok: false, field: 'at', error: 'at is more than 5 minutes in the future' };
    at = Math.round(at);
  }
  let key = opts.idempotencyKey;
  if (key !== undefined && !IDEMPOTENCY_RE.test(key)) {
    return { ok: false, field: 'Idempotency-Key', error: 'Idempotency-Key must be 1-200 printable ASCII characters without spaces' };
  }
  const spec: DeploymentSpec = {
    service: b.service,
    environment: b.environment ?? opts.defaultEnvironment ?? 'production',
    version: b.version,
    at,
    ...(b.previousVersion !== undefined ? { previousVersion: b.previousVersion } : {}),
    ...(b.commit !== undefined ? { commit: b.commit.toLowerCase() } : {}),
    ...(b.previousCommit !== undefined ? { previousCommit: b.previousCommit.toLowerCase() } : {}),
    ...(b.replicas !== undefined ? { replicas: b.replicas } : {}),
  };
  // Without a header, the same service+version+at is the same delivery. Without `at` the
  // server's time is used, so each undated POST is a new deployment (a redeploy).
  key ??= `${spec.service}|${spec.environment}|${spec.version}|${b.at !== undefined ? at : `recv:${opts.now}`}`;
  return { ok: true, spec, idempotencyKey: key };
}
