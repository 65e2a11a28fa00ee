// Argo CD notifications → DeploymentSpec.
// Argo CD's webhook notification service sends whatever JSON body a template renders; it cannot
// sign the body, only add headers, so the route checks a shared secret header (X-Commander-Token)
// in constant time. The template users configure is examples/argocd-notifications.yaml (kept in
// sync with ARGOCD_BODY_FIELDS below and tested); its body is:
//   {"app": "{{.app.metadata.name}}", "project": "{{.app.spec.project}}",
//    "namespace": "{{.app.spec.destination.namespace}}",
//    "revision": "{{.app.status.operationState.syncResult.revision}}",
//    "phase": "{{.app.status.operationState.phase}}",
//    "finishedAt": "{{.app.status.operationState.finishedAt}}",
//    "health": "{{.app.status.health.status}}",
//    "images": {{toJson .app.status.summary.images}}, "labels": {{toJson .app.metadata.labels}}}
import type { DeploymentSpec } from '../core/types.js';
import { parseGenericDeploy } from './generic.js';
import { own } from '../core/own.js';

export const ARGOCD_TOKEN_HEADER = 'x-commander-token';
export const ARGOCD_BODY_FIELDS = ['app', 'project', 'namespace', 'revision', 'phase', 'finishedAt', 'health', 'images', 'labels'] as const;

export interface ArgocdIntakeOptions {
  now: number;
  /** Argo CD application name → service; default: label app.kubernetes.io/name, else the app name */
  services?: Record<string, string>;
  /** default environment when the app has no `environment` label; default 'production' */
  defaultEnvironment?: string;
}

export type ArgocdIntakeResult =
  | { kind: 'deploy'; spec: DeploymentSpec; idempotencyKey: string; app: string }
  | { kind: 'ignored'; reason: string }
  | { kind: 'error'; status: 400 | 422; error: string; field?: string };

const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim().length > 0 ? v.trim() : undefined);

/** The tag of an image reference (`reg:5000/team/app:v1.2` → `v1.2`), ignoring digests. */
export function imageTag(image: string): string | undefined {
  const noDigest = image.split('@')[0];
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(colon + 1) : undefined;
}

export function parseArgocdNotification(body: unknown, opts: ArgocdIntakeOptions): ArgocdIntakeResult {
  if (!isObj(body)) return { kind: 'error', status: 400, error: 'body must be a JSON object rendered by the commander notification template' };
  const app = str(body.app);
  if (!app) return { kind: 'error', status: 422, field: 'app', error: 'app is required (template: {{.app.metadata.name}})' };
  const phase = str(body.phase);
  if (phase && phase !== 'Succeeded') return { kind: 'ignored', reason: `sync phase ${phase}: the watch starts when a sync succeeded` };
  const labels = isObj(body.labels) ? body.labels : {};
  const revision = str(body.revision);
  const images = Array.isArray(body.images) ? body.images.filter((i): i is string => typeof i === 'string') : [];
  const service = own(opts.services, app) ?? str(own(labels, 'app.kubernetes.io/name')) ?? app;
  // the image tag is what people call the version; the git revision is the fallback
  const tagged = images.map((i) => ({ image: i, tag: imageTag(i) })).filter((x) => x.tag && x.tag !== 'latest');
  const ownImage = tagged.find((x) => x.image.split('@')[0].split('/').pop()?.startsWith(service + ':')) ?? tagged[0];
  const version = str(own(labels, 'app.kubernetes.io/version')) ?? ownImage?.tag ?? revision?.slice(0, 12);
  if (!version) return { kind: 'error', status: 422, field: 'revision', error: 'no version: the notification has no image tag, version label or revision' };
  const generic = {
    service,
    environment: str(own(labels, 'environment')) ?? opts.defaultEnvironment ?? 'production',
    version,
    ...(revision && /^[0-9a-f]{40}$/i.test(revision) ? { commit: revision } : {}),
    ...(str(body.finishedAt) ? { at: str(body.finishedAt) } : {}),
  };
  const r = parseGenericDeploy(generic, { now: opts.now, idempotencyKey: `argocd:${app}:${revision ?? version}` });
  if (!r.ok) return { kind: 'error', status: 422, field: r.field, error: r.error };
  return { kind: 'deploy', spec: r.spec, idempotencyKey: r.idempotencyKey, app };
}
