// Argo Rollouts actuator: acts on the Rollout resource (argoproj.io/v1alpha1) the way the
// `kubectl argo rollouts` plugin does:
// - abort: merge patch {"status":{"abort":true}} on the status subresource (falling back to the
//   main resource when the CRD has no status subresource) — traffic goes back to the stable RS;
// - undo (rollback): like the plugin's RunUndoRollout, the ReplicaSets the Rollout controls are
//   listed by its selector, the previous one is chosen by `rollout.argoproj.io/revision`, and one
//   JSON patch replaces /spec/template with its template minus `rollouts-pod-template-hash`
//   (the plugin does not touch annotations, unlike kubectl's Deployment rollback);
// - scale_up: merge patch on spec.replicas.
// A rollback = abort then undo, so the aborted canary does not retry the bad template.
//
// Once per action id: the undo patch and the scale patch also stamp the action on the Rollout
// (action-stamp.ts), so the stamp is there exactly when the change is. A Rollout carrying this
// action's stamp was already changed by it (reported, not repeated: a second undo would flip back
// to the bad template); abort is idempotent, so an action cut off between abort and undo is safely
// carried out again.
import {
  AppsV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1LabelSelector,
  type V1PodTemplateSpec,
} from '@kubernetes/client-node';
import type { ActionCheck, ActionRequest, ActionResult, Actuator } from '../core/types.js';
import { checkK8sName, renderArg, TemplateError } from './safe-values.js';
import { selectorToString } from './kubernetes.js';
import { kubeApiMessage } from './kube-api-error.js';
import { checkByStamp, readStamp, stampAnnotations, type ActionStamp } from './action-stamp.js';

const GROUP = 'argoproj.io';
const VERSION = 'v1alpha1';
const PLURAL = 'rollouts';
export const ROLLOUT_REVISION = 'rollout.argoproj.io/revision';
const HASH_LABEL = 'rollouts-pod-template-hash';

export interface ArgoRolloutsTargetOptions {
  kubeconfig?: string;
  kubeconfigYaml?: string;
  context?: string;
  /** may use {service} and {environment}; default 'default' */
  namespace?: string;
  /** Rollout name; default '{service}' */
  rollout?: string;
  scaleFactor?: number;
  maxReplicas?: number;
}

interface Rollout {
  metadata: { name: string; namespace?: string; uid?: string; annotations?: Record<string, string> };
  spec: { replicas?: number; selector?: V1LabelSelector; template?: V1PodTemplateSpec; workloadRef?: unknown };
  status?: Record<string, unknown>;
}

function strip(t: V1PodTemplateSpec): V1PodTemplateSpec {
  const c = JSON.parse(JSON.stringify(t)) as V1PodTemplateSpec;
  if (c.metadata?.labels) delete c.metadata.labels[HASH_LABEL];
  return c;
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.keys(x as object)
            .filter((k) => (x as Record<string, unknown>)[k] != null)
            .sort()
            .map((k) => [k, (x as Record<string, unknown>)[k]]),
        )
      : x,
  );
}

export class ArgoRolloutsActuator implements Actuator {
  readonly name = 'argo-rollouts';
  private readonly custom: CustomObjectsApi;
  private readonly apps: AppsV1Api;

  constructor(private readonly opts: ArgoRolloutsTargetOptions = {}) {
    const kc = new KubeConfig();
    if (opts.kubeconfigYaml) kc.loadFromString(opts.kubeconfigYaml);
    else if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
    if (opts.context) kc.setCurrentContext(opts.context);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.apps = kc.makeApiClient(AppsV1Api);
  }

  /** Namespace and Rollout name for a deployment event; values are validated as Kubernetes names. */
  target(req: ActionRequest): { namespace: string; name: string } {
    const values = { service: req.deployment.service, environment: req.deployment.environment };
    return { namespace: renderArg(this.opts.namespace ?? 'default', values, checkK8sName), name: renderArg(this.opts.rollout ?? '{service}', values, checkK8sName) };
  }

  async execute(req: ActionRequest): Promise<ActionResult> {
    let namespace: string;
    let name: string;
    try {
      ({ namespace, name } = this.target(req));
    } catch (e) {
      if (e instanceof TemplateError) return { ok: false, detail: `rejected: ${e.message}` };
      throw e;
    }
    try {
      if (req.action === 'escalate') return { ok: true, detail: 'escalation needs a person: nothing changed on the cluster', changes: {} };
      const stamp = readStamp((await this.get(namespace, name)).metadata.annotations);
      if (stamp?.id === req.id) return alreadyDone(namespace, name, stamp, 'already done: not repeated');
      if (req.action === 'rollback') {
        await this.abort(namespace, name);
        const undo = await this.undo(namespace, name, req.id);
        return { ok: true, detail: `aborted rollout ${namespace}/${name}; ${undo.detail}`, changes: { aborted: true, ...undo.changes } };
      }
      return await this.scaleUp(namespace, name, req.id);
    } catch (e) {
      return { ok: false, detail: `${req.action} of rollout ${namespace}/${name} failed: ${kubeApiMessage(e)}` };
    }
  }

  /** Carries the Rollout this action's stamp? Then it was done; without it, its undo or scale never applied (an abort alone is safe to repeat). */
  async check(req: ActionRequest): Promise<ActionCheck> {
    return checkByStamp(
      req,
      'rollout',
      () => this.target(req),
      async (ns, name) => (await this.get(ns, name)).metadata.annotations,
      (ns, name, stamp) => alreadyDone(ns, name, stamp, 'found done on the cluster after a restart'),
    );
  }

  private get(namespace: string, name: string): Promise<Rollout> {
    return this.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name }) as Promise<Rollout>;
  }

  async abort(namespace: string, name: string): Promise<void> {
    const body = { status: { abort: true } };
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    try {
      await this.custom.patchNamespacedCustomObjectStatus({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name, body }, merge);
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
      await this.custom.patchNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name, body }, merge);
    }
  }

  async undo(namespace: string, name: string, actionId?: string): Promise<{ detail: string; changes: Record<string, unknown> }> {
    const ro = await this.get(namespace, name);
    if (ro.spec.workloadRef) throw new Error('rollouts with spec.workloadRef are not supported: roll back the referenced workload instead');
    const list = await this.apps.listNamespacedReplicaSet({ namespace, labelSelector: selectorToString(ro.spec.selector) });
    const owned = list.items
      .filter((rs) => (rs.metadata?.ownerReferences ?? []).some((o) => o.controller && o.uid === ro.metadata.uid))
      .map((rs) => ({ rs, rev: Number(rs.metadata?.annotations?.[ROLLOUT_REVISION] ?? 0) }))
      .filter((x) => Number.isInteger(x.rev))
      .sort((a, b) => b.rev - a.rev);
    if (owned.length < 2) throw new Error(`no revision found for rollout "${name}"`);
    const prev = owned[1];
    const template = strip(prev.rs.spec!.template!);
    const imgs = (t?: V1PodTemplateSpec) => (t?.spec?.containers ?? []).map((c) => `${c.name}=${c.image ?? ''}`);
    const skip = canonical(template) === canonical(strip(ro.spec.template ?? {}));
    const stamp = actionId ? stampOps(ro, { id: actionId, action: 'rollback', at: new Date().toISOString(), fromRevision: owned[0].rev, toRevision: prev.rev, imagesAfter: imgs(template), skipped: skip }) : [];
    const ops = [...(skip ? [] : [{ op: 'replace', path: '/spec/template', value: template }]), ...stamp];
    if (ops.length > 0) {
      await this.custom.patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, plural: PLURAL, namespace, name, body: ops },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
    }
    if (skip) return { detail: `skipped undo (current template already matches revision ${prev.rev})`, changes: { toRevision: prev.rev } };
    return {
      detail: `undo to revision ${prev.rev} (${imgs(template).join(', ')})`,
      changes: { fromRevision: owned[0].rev, toRevision: prev.rev, imagesBefore: imgs(ro.spec.template), imagesAfter: imgs(template) },
    };
  }

  async scaleUp(namespace: string, name: string, actionId?: string): Promise<ActionResult> {
    const ro = await this.get(namespace, name);
    const from = ro.spec.replicas ?? 1;
    const to = Math.min(this.opts.maxReplicas ?? Number.MAX_SAFE_INTEGER, Math.max(from + 1, Math.ceil(from * (this.opts.scaleFactor ?? 1.5))));
    if (to <= from) return { ok: false, detail: `rollout ${namespace}/${name} already has ${from} replicas, the configured maximum` };
    const stamp = actionId ? stampAnnotations({ id: actionId, action: 'scale_up', at: new Date().toISOString(), replicasBefore: from, replicasAfter: to }) : {};
    await this.custom.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, plural: PLURAL, namespace, name, body: { metadata: { annotations: stamp }, spec: { replicas: to } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    return { ok: true, detail: `scaled rollout ${namespace}/${name} from ${from} to ${to} replicas`, changes: { replicasBefore: from, replicasAfter: to } };
  }
}

/** JSON-patch operations that put the stamp on the Rollout's annotations (creating them if absent). */
function stampOps(ro: Rollout, stamp: ActionStamp): Array<{ op: string; path: string; value: unknown }> {
  const ann = stampAnnotations(stamp);
  if (!ro.metadata.annotations) return [{ op: 'add', path: '/metadata/annotations', value: ann }];
  // RFC 6901: '/' in a key is written '~1'
  return Object.entries(ann).map(([k, v]) => ({ op: 'add', path: `/metadata/annotations/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, value: v }));
}

function alreadyDone(namespace: string, name: string, stamp: ActionStamp, how: string): ActionResult {
  const what =
    stamp.action === 'rollback'
      ? `aborted rollout ${namespace}/${name} and undid it to revision ${String(stamp.toRevision)}`
      : `scaled rollout ${namespace}/${name} from ${String(stamp.replicasBefore)} to ${String(stamp.replicasAfter)} replicas`;
  return { ok: true, detail: `${what} (${stamp.id} at ${stamp.at}, ${how})`, changes: { namespace, rollout: name, ...stamp, reconciled: true } };
}

export function createArgoRolloutsActuator(opts: ArgoRolloutsTargetOptions): Actuator {
  return new ArgoRolloutsActuator(opts);
}
