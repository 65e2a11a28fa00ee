// Kubernetes actuator: rollback exactly as `kubectl rollout undo deployment/NAME` does it, scale-up
// through the scale subresource, then wait for the rollout to settle like `kubectl rollout status`.
//
// kubectl's rollback (k8s.io/kubectl pkg/polymorphichelpers/rollback.go, DeploymentRollbacker) is
// client-side logic, not an API call, so it is re-implemented here step by step:
//  1. GET the Deployment; a paused one is refused.
//  2. List ReplicaSets matching its selector and keep those whose controller ownerReference is the
//     Deployment's uid; take the newest and the previous one by `deployment.kubernetes.io/revision`.
//  3. If the previous template equals the current one (ignoring `pod-template-hash`), skip.
//  4. Drop the `pod-template-hash` label from that template.
//  5. Annotations: keep the Deployment's own values for the skip list (last-applied-configuration,
//     revision, revision-history, desired-replicas, max-replicas, deprecated rollback-to) and take
//     every other annotation from the ReplicaSet (that is how change-cause comes back).
//  6. One JSON patch: replace /spec/template and /metadata/annotations.
//
// Once per action id: the same patch stamps the action on the Deployment (action-stamp.ts), and
// scale-up is one merge patch of replicas and stamp together, so the stamp is there exactly when
// the change is. Before acting, and when a resumed action is checked, the live Deployment is
// read: carrying this action's stamp, it was done (the rollout is then awaited and reported, not
// repeated: a second `rollout undo` would flip back to the bad revision); without it, nothing of
// the action reached the cluster.
import {
  AppsV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Deployment,
  type V1LabelSelector,
  type V1PodTemplateSpec,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import type { ActionCheck, ActionRequest, ActionResult, Actuator } from '../core/types.js';
import { checkK8sName, renderArg, TemplateError } from './safe-values.js';
import { kubeApiMessage } from './kube-api-error.js';
import { checkByStamp, readStamp, stampAnnotations, type ActionStamp } from './action-stamp.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
const HASH_LABEL = 'pod-template-hash';
/** kubectl's annotationsToSkip: kept from the Deployment, never copied from the ReplicaSet. */
export const ANNOTATIONS_TO_SKIP: ReadonlySet<string> = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

export interface KubernetesTargetOptions {
  /** path of a kubeconfig file; default: KUBECONFIG / ~/.kube/config / in-cluster */
  kubeconfig?: string;
  /** kubeconfig text (tests, or a secret mounted as a string) */
  kubeconfigYaml?: string;
  context?: string;
  /** namespace, may use {service} and {environment}; default 'default' */
  namespace?: string;
  /** Deployment name, may use {service} and {environment}; default '{service}' */
  deployment?: string;
  /** scale_up multiplies replicas by this (rounded up), at least +1; default 1.5 */
  scaleFactor?: number;
  maxReplicas?: number;
  /** how long to wait for the rollout to settle; default 300 */
  rolloutTimeoutSeconds?: number;
  pollIntervalMs?: number;
}

export class KubeActionError extends Error {}

function revisionOf(rs: V1ReplicaSet): number | undefined {
  const v = rs.metadata?.annotations?.[REVISION_ANNOTATION];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) ? n : undefined;
}

const isEmpty = (v: unknown) =>
  v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && Object.keys(v as object).length === 0);

/**
 * JSON with sorted keys and without null/empty values: like apimachinery's Semantic.DeepEqual,
 * which kubectl uses, a nil and an empty list or map compare equal.
 */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Date)) {
      const o = x as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(o)
          .filter((k) => !isEmpty(o[k]))
          .sort()
          .map((k) => [k, o[k]]),
      );
    }
    return x;
  });
}

export function withoutHashLabel(t: V1PodTemplateSpec): V1PodTemplateSpec {
  const copy = structuredClone(t);
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[HASH_LABEL];
  }
  return copy;
}

export function equalIgnoreHash(a: V1PodTemplateSpec, b: V1PodTemplateSpec): boolean {
  return canonical(withoutHashLabel(a)) === canonical(withoutHashLabel(b));
}

/** The label selector in its string form (matchLabels and matchExpressions). */
export function selectorToString(sel: V1LabelSelector | undefined): string {
  const parts = Object.entries(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    const vals = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${vals})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${vals})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

function images(t: V1PodTemplateSpec | undefined): string[] {
  return (t?.spec?.containers ?? []).map((c) => `${c.name}=${c.image ?? ''}`);
}

/** kubectl's annotation rule for a rollback (step 5 above). */
export function rollbackAnnotations(
  deployment: Record<string, string> | undefined,
  replicaSet: Record<string, string> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ANNOTATIONS_TO_SKIP) if (deployment?.[k] !== undefined) out[k] = deployment[k];
  for (const [k, v] of Object.entries(replicaSet ?? {})) if (!ANNOTATIONS_TO_SKIP.has(k)) out[k] = v;
  return out;
}

/** kubectl rollout status's rule: is this Deployment's rollout complete? (reason when not) */
export function rolloutState(d: V1Deployment): { done: boolean; failed?: boolean; message: string } {
  const gen = d.metadata?.generation ?? 0;
  const st = d.status ?? {};
  if ((st.observedGeneration ?? 0) < gen) return { done: false, message: 'waiting for the rollout spec update to be observed' };
  const cond = (st.conditions ?? []).find((c) => c.type === 'Progressing');
  if (cond?.reason === 'ProgressDeadlineExceeded') return { done: false, failed: true, message: `deployment exceeded its progress deadline` };
  const want = d.spec?.replicas ?? 1;
  const updated = st.updatedReplicas ?? 0;
  if (updated < want) return { done: false, message: `${updated} of ${want} new replicas have been updated` };
  if ((st.replicas ?? 0) > updated) return { done: false, message: `${(st.replicas ?? 0) - updated} old replicas are pending termination` };
  if ((st.availableReplicas ?? 0) < updated) return { done: false, message: `${st.availableReplicas ?? 0} of ${updated} updated replicas are available` };
  return { done: true, message: 'successfully rolled out' };
}

export class KubernetesActuator implements Actuator {
  readonly name = 'kubernetes';
  private readonly apps: AppsV1Api;
  private readonly sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  constructor(private readonly opts: KubernetesTargetOptions = {}) {
    const kc = new KubeConfig();
    if (opts.kubeconfigYaml) kc.loadFromString(opts.kubeconfigYaml);
    else if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
    if (opts.context) kc.setCurrentContext(opts.context);
    this.apps = kc.makeApiClient(AppsV1Api);
  }

  /** Resolves namespace and name for a deployment event; values are validated as Kubernetes names. */
  target(req: ActionRequest): { namespace: string; name: string } {
    const values = { service: req.deployment.service, environment: req.deployment.environment };
    return {
      namespace: renderArg(this.opts.namespace ?? 'default', values, checkK8sName),
      name: renderArg(this.opts.deployment ?? '{service}', values, checkK8sName),
    };
  }

  async execute(req: ActionRequest): Promise<ActionResult> {
    let t: { namespace: string; name: string };
    try {
      t = this.target(req);
    } catch (e) {
      if (e instanceof TemplateError) return { ok: false, detail: `rejected: ${e.message}` };
      throw e;
    }
    try {
      if (req.action === 'escalate') return { ok: true, detail: 'escalation needs a person: nothing changed on the cluster', changes: {} };
      const d = await this.apps.readNamespacedDeployment({ name: t.name, namespace: t.namespace });
      const stamp = readStamp(d.metadata?.annotations);
      if (stamp?.id === req.id) return await this.alreadyDone(t.namespace, t.name, d, stamp, 'already done: not repeated');
      if (req.action === 'rollback') return await this.rollback(t.namespace, t.name, 0, req.id);
      return await this.scaleUp(t.namespace, t.name, req.id);
    } catch (e) {
      return { ok: false, detail: `${req.action} of deployment ${t.namespace}/${t.name} failed: ${e instanceof KubeActionError ? e.message : kubeApiMessage(e)}` };
    }
  }

  /** Carries the Deployment this action's stamp? Then it was done; without it, nothing of it happened. */
  async check(req: ActionRequest): Promise<ActionCheck> {
    let live: V1Deployment | undefined;
    return checkByStamp(
      req,
      'deployment',
      () => this.target(req),
      async (namespace, name) => (live = await this.apps.readNamespacedDeployment({ name, namespace })).metadata?.annotations,
      (ns, name, stamp) => this.alreadyDone(ns, name, live!, stamp, 'found done on the cluster after a restart'),
    );
  }

  /** The result of an action whose stamp is on the Deployment: its rollout awaited, nothing changed. */
  private async alreadyDone(namespace: string, name: string, d: V1Deployment, stamp: ActionStamp, how: string): Promise<ActionResult> {
    const settled = await this.waitForRollout(namespace, name, d.metadata?.generation ?? 0);
    const what =
      stamp.action === 'rollback'
        ? `rolled back ${namespace}/${name} from revision ${String(stamp.fromRevision)} to revision ${String(stamp.toRevision)}`
        : `scaled ${namespace}/${name} from ${String(stamp.replicasBefore)} to ${String(stamp.replicasAfter)} replicas`;
    const changes = { namespace, deployment: name, ...stamp, reconciled: true, settled: settled.done, waitedMs: settled.waitedMs };
    if (!settled.done) return { ok: false, detail: `${what} (${stamp.id}, ${how}), but ${settled.message}`, changes };
    return { ok: true, detail: `${what} (${stamp.id} at ${stamp.at}, ${how}); rollout settled`, changes };
  }

  /** The previous revision's ReplicaSet (toRevision 0) or the one with that revision number. */
  async findRevision(d: V1Deployment, toRevision = 0): Promise<{ rs: V1ReplicaSet; revision: number; current?: number }> {
    const ns = d.metadata!.namespace!;
    const list = await this.apps.listNamespacedReplicaSet({ namespace: ns, labelSelector: selectorToString(d.spec?.selector) });
    const owned = list.items.filter((rs) =>
      (rs.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === d.metadata?.uid),
    );
    const withRev = owned
      .map((rs) => ({ rs, revision: revisionOf(rs) }))
      .filter((x): x is { rs: V1ReplicaSet; revision: number } => x.revision !== undefined)
      .sort((a, b) => b.revision - a.revision);
    if (toRevision > 0) {
      const hit = withRev.find((x) => x.revision === toRevision);
      if (!hit) throw new KubeActionError(`unable to find specified revision ${toRevision} in history`);
      return { ...hit, current: withRev[0]?.revision };
    }
    if (withRev.length < 2) throw new KubeActionError(`no rollout history found for deployment "${d.metadata?.name}"`);
    return { ...withRev[1], current: withRev[0].revision };
  }

  async rollback(namespace: string, name: string, toRevision = 0, actionId?: string): Promise<ActionResult> {
    const d = await this.apps.readNamespacedDeployment({ name, namespace });
    if (d.spec?.paused)
      throw new KubeActionError(`you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/${name}' and try again`);
    const { rs, revision, current } = await this.findRevision(d, toRevision);
    const template = rs.spec?.template;
    if (!template) throw new KubeActionError(`replica set ${rs.metadata?.name} has no pod template`);
    if (equalIgnoreHash(template, d.spec!.template)) {
      return {
        ok: true,
        detail: `skipped rollback (current template already matches revision ${revision})`,
        changes: { namespace, deployment: name, revision },
      };
    }
    const annotations = {
      ...rollbackAnnotations(d.metadata?.annotations, rs.metadata?.annotations),
      ...(actionId ? stampAnnotations({ id: actionId, action: 'rollback', at: new Date().toISOString(), fromRevision: current, toRevision: revision, imagesAfter: images(template) }) : {}),
    };
    const patch = [
      { op: 'replace', path: '/spec/template', value: withoutHashLabel(template) },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ];
    const patched = await this.apps.patchNamespacedDeployment(
      { name, namespace, body: patch },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    const settled = await this.waitForRollout(namespace, name, patched.metadata?.generation ?? 0);
    const changes = {
      namespace,
      deployment: name,
      fromRevision: current,
      toRevision: revision,
      replicaSet: rs.metadata?.name,
      imagesBefore: images(d.spec?.template),
      imagesAfter: images(template),
      generation: patched.metadata?.generation,
      newRevision: settled.deployment?.metadata?.annotations?.[REVISION_ANNOTATION],
      settled: settled.done,
      waitedMs: settled.waitedMs,
    };
    if (!settled.done) return { ok: false, detail: `rolled back ${namespace}/${name} to revision ${revision}, but ${settled.message}`, changes };
    return {
      ok: true,
      detail: `rolled back deployment ${namespace}/${name} from revision ${current} to revision ${revision} (${images(template).join(', ')}); rollout settled in ${settled.waitedMs} ms`,
      changes,
    };
  }

  async scaleUp(namespace: string, name: string, actionId?: string): Promise<ActionResult> {
    const d0 = await this.apps.readNamespacedDeployment({ name, namespace });
    const from = d0.spec?.replicas ?? 1;
    const factor = this.opts.scaleFactor ?? 1.5;
    const max = this.opts.maxReplicas ?? Number.MAX_SAFE_INTEGER;
    const to = Math.min(max, Math.max(from + 1, Math.ceil(from * factor)));
    if (to <= from) return { ok: false, detail: `deployment ${namespace}/${name} already has ${from} replicas, the configured maximum`, changes: { from, to: from } };
    // One merge patch of replicas and stamp (what `kubectl scale` writes, on the Deployment rather
    // than its scale subresource, so both land together), conditional on the resourceVersion read:
    // a change by someone else in between is a 409, not a scale computed from stale replicas.
    const stamp = actionId ? stampAnnotations({ id: actionId, action: 'scale_up', at: new Date().toISOString(), replicasBefore: from, replicasAfter: to }) : {};
    const patched = await this.apps.patchNamespacedDeployment(
      { name, namespace, body: { metadata: { resourceVersion: d0.metadata?.resourceVersion, annotations: stamp }, spec: { replicas: to } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const settled = await this.waitForRollout(namespace, name, patched.metadata?.generation ?? 0);
    const changes = { namespace, deployment: name, replicasBefore: from, replicasAfter: to, settled: settled.done, waitedMs: settled.waitedMs };
    if (!settled.done) return { ok: false, detail: `scaled ${namespace}/${name} to ${to}, but ${settled.message}`, changes };
    return { ok: true, detail: `scaled deployment ${namespace}/${name} from ${from} to ${to} replicas; all available after ${settled.waitedMs} ms`, changes };
  }

  /** Polls until the Deployment has observed `generation` and its rollout is complete, or times out. */
  async waitForRollout(
    namespace: string,
    name: string,
    generation: number,
  ): Promise<{ done: boolean; message: string; waitedMs: number; deployment?: V1Deployment }> {
    const started = Date.now();
    const timeoutMs = (this.opts.rolloutTimeoutSeconds ?? 300) * 1000;
    const poll = this.opts.pollIntervalMs ?? 1000;
    let last = 'no status yet';
    for (;;) {
      const d = await this.apps.readNamespacedDeployment({ name, namespace });
      const state = (d.status?.observedGeneration ?? 0) < generation ? { done: false, message: 'waiting for the rollout spec update to be observed' } : rolloutState(d);
      const waitedMs = Date.now() - started;
      if (state.done) return { done: true, message: state.message, waitedMs, deployment: d };
      if ('failed' in state && state.failed) return { done: false, message: state.message, waitedMs, deployment: d };
      last = state.message;
      if (waitedMs >= timeoutMs) return { done: false, message: `the rollout did not settle within ${timeoutMs / 1000} s (${last})`, waitedMs, deployment: d };
      await this.sleep(Math.min(poll, Math.max(1, timeoutMs - waitedMs)));
    }
  }
}

export function createKubernetesActuator(opts: KubernetesTargetOptions): Actuator {
  return new KubernetesActuator(opts);
}
