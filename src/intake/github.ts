// GitHub `deployment` and `deployment_status` webhooks → DeploymentSpec.
// Order of checks (the route calls them in this order): signature first (so unsigned requests
// cannot even fill the delivery log), then replay (X-GitHub-Delivery seen before), then payload.
// Values are then run through the generic intake's strict validation, so a repository or a
// `payload.version` carrying shell metacharacters is refused here, with the field named.
import { verify } from '@octokit/webhooks-methods';
import type { DeploymentSpec } from '../core/types.js';
import { parseGenericDeploy } from './generic.js';
import { own } from '../core/own.js';

export interface GithubDeploymentRef {
  owner: string;
  repo: string;
  /** GitHub's numeric deployment id (for POST …/deployments/{id}/statuses) */
  deploymentId: number;
}

export interface GithubIntakeOptions {
  now: number;
  /**
   * Which event starts a watch. 'deployment_status' (default): when a status `success` arrives,
   * i.e. the new version is live. 'deployment': as soon as the deployment is created.
   */
  watchOn?: 'deployment' | 'deployment_status';
  /** "owner/repo" → service name; default: the repository name, lower-cased, [._] → '-' */
  services?: Record<string, string>;
  /** GitHub environment name → commander environment; default: lower-cased, spaces → '-' */
  environments?: Record<string, string>;
}

export type GithubIntakeResult =
  | { kind: 'deploy'; spec: DeploymentSpec; idempotencyKey: string; github: GithubDeploymentRef }
  | { kind: 'ignored'; reason: string }
  | { kind: 'error'; status: 400 | 422; error: string; field?: string };

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Verifies `X-Hub-Signature-256` over the exact raw body (constant-time, via @octokit). */
export async function verifyGithubSignature(secret: string, rawBody: string, header: string | undefined): Promise<SignatureCheck> {
  if (!header) return { ok: false, reason: 'missing X-Hub-Signature-256 header' };
  if (!/^sha256=[0-9a-f]{64}$/.test(header)) return { ok: false, reason: 'malformed X-Hub-Signature-256 header' };
  try {
    return (await verify(secret, rawBody, header)) ? { ok: true } : { ok: false, reason: 'signature does not match the body' };
  } catch {
    return { ok: false, reason: 'signature could not be verified' };
  }
}

/** GitHub delivery ids are GUIDs; anything else is refused before it is stored. */
export function checkDeliveryId(id: string | undefined): SignatureCheck {
  if (!id) return { ok: false, reason: 'missing X-GitHub-Delivery header' };
  if (!/^[0-9A-Za-z-]{8,64}$/.test(id)) return { ok: false, reason: 'malformed X-GitHub-Delivery header' };
  return { ok: true };
}

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function defaultService(repo: string): string {
  return repo.toLowerCase().replace(/[._]+/g, '-').replace(/^-+|-+$/g, '');
}

export function parseGithubEvent(event: string | undefined, body: unknown, opts: GithubIntakeOptions): GithubIntakeResult {
  if (event === 'ping') return { kind: 'ignored', reason: 'ping' };
  if (event !== 'deployment' && event !== 'deployment_status')
    return { kind: 'ignored', reason: `event ${JSON.stringify(event ?? '')} is not handled (only deployment and deployment_status)` };
  if (!isObj(body)) return { kind: 'error', status: 400, error: 'body must be a JSON object' };
  const dep = body.deployment;
  const repo = body.repository;
  if (!isObj(dep) || !isObj(repo)) return { kind: 'error', status: 422, error: 'payload has no deployment or repository object' };
  const fullName = str(repo.full_name);
  const depId = dep.id;
  if (!fullName || !/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(fullName))
    return { kind: 'error', status: 422, field: 'repository.full_name', error: 'repository.full_name must be owner/repo' };
  if (typeof depId !== 'number' || !Number.isSafeInteger(depId))
    return { kind: 'error', status: 422, field: 'deployment.id', error: 'deployment.id must be a number' };
  const [owner, repoName] = fullName.split('/');

  const watchOn = opts.watchOn ?? 'deployment_status';
  let at: string | undefined;
  if (event === 'deployment') {
    if (body.action !== undefined && body.action !== 'created') return { kind: 'ignored', reason: `deployment action ${String(body.action)}` };
    if (watchOn !== 'deployment') return { kind: 'ignored', reason: 'deployment created; the watch starts when its status is success' };
    at = str(dep.created_at);
  } else {
    const st = body.deployment_status;
    if (!isObj(st)) return { kind: 'error', status: 422, error: 'payload has no deployment_status object' };
    if (watchOn !== 'deployment_status') return { kind: 'ignored', reason: 'deployment_status ignored (watchOn: deployment)' };
    if (st.state !== 'success') return { kind: 'ignored', reason: `deployment status ${String(st.state)}: the watch starts on success` };
    at = str(st.created_at) ?? str(st.updated_at);
  }

  const payload = isObj(dep.payload) ? dep.payload : {};
  const ghEnv = str(dep.environment) ?? 'production';
  const environment = own(opts.environments, ghEnv) ?? ghEnv.toLowerCase().trim().replace(/[\s_]+/g, '-');
  const service = str(payload.service) ?? own(opts.services, fullName) ?? defaultService(repoName);
  const sha = str(dep.sha);
  const ref = str(dep.ref);
  // a version-looking ref (a tag) names the version; a branch name would not, so use the commit
  const version = str(payload.version) ?? (ref && /^v?\d[\w.+-]*$/.test(ref) ? ref : sha?.slice(0, 12));
  if (!version) return { kind: 'error', status: 422, field: 'deployment.payload.version', error: 'no version: set payload.version, a tag ref or sha' };
  const generic = {
    service,
    environment,
    version,
    ...(str(payload.previousVersion) ?? str(payload.previous_version) ? { previousVersion: str(payload.previousVersion) ?? str(payload.previous_version) } : {}),
    ...(sha ? { commit: sha } : {}),
    ...(typeof payload.replicas === 'number' ? { replicas: payload.replicas } : {}),
    ...(at ? { at } : {}),
  };
  const r = parseGenericDeploy(generic, { now: opts.now, idempotencyKey: `github:${fullName}:deployment:${depId}` });
  if (!r.ok) {
    const where: Record<string, string> = { service: 'deployment.payload.service (or the repository name)', environment: 'deployment.environment', version: 'deployment.payload.version / ref / sha' };
    return { kind: 'error', status: 422, field: own(where, r.field ?? '') ?? r.field, error: r.error };
  }
  return { kind: 'deploy', spec: r.spec, idempotencyKey: r.idempotencyKey, github: { owner, repo: repoName, deploymentId: depId } };
}
