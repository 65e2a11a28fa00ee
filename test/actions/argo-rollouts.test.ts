import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeKubeApiserver, type FakeKubeApiserver, type Obj } from '../fakes/kube-apiserver.js';
import { ArgoRolloutsActuator, ROLLOUT_REVISION } from '../../src/actions/argo-rollouts.js';
import { ACTION_ID_ANNOTATION } from '../../src/actions/action-stamp.js';
import type { ActionRequest, Deployment } from '../../src/core/types.js';

const tpl = (image: string, hash?: string) => ({
  metadata: { labels: { app: 'web', ...(hash ? { 'rollouts-pod-template-hash': hash } : {}) } },
  spec: { containers: [{ name: 'web', image }] },
});

function req(action: ActionRequest['action'], id = 'a'): ActionRequest {
  const deployment: Deployment = { id: 'd', service: 'web', environment: 'prod', version: 'v2', at: 0, source: 't', receivedAt: 0, status: 'watching' };
  return { id, action, deployment, reason: 't' };
}

describe('ArgoRolloutsActuator against the fake API server', () => {
  let kube: FakeKubeApiserver;
  let ro: Obj;
  beforeEach(async () => {
    kube = await startFakeKubeApiserver();
    ro = kube.put('rollouts', 'apps', {
      apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout',
      metadata: { name: 'web' },
      spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: tpl('web:2.0'), strategy: { canary: { steps: [{ setWeight: 20 }] } } },
      status: { phase: 'Progressing', abort: false },
    });
    const owner = [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web', uid: ro.metadata.uid!, controller: true }];
    kube.put('replicasets', 'apps', { metadata: { name: 'web-aaa', labels: { app: 'web', 'rollouts-pod-template-hash': 'aaa' }, annotations: { [ROLLOUT_REVISION]: '1' }, ownerReferences: owner }, spec: { template: tpl('web:1.0', 'aaa') } });
    kube.put('replicasets', 'apps', { metadata: { name: 'web-bbb', labels: { app: 'web', 'rollouts-pod-template-hash': 'bbb' }, annotations: { [ROLLOUT_REVISION]: '2' }, ownerReferences: owner }, spec: { template: tpl('web:2.0', 'bbb') } });
    // a ReplicaSet with matching labels that another owner controls must be ignored
    kube.put('replicasets', 'apps', { metadata: { name: 'web-zzz', labels: { app: 'web' }, annotations: { [ROLLOUT_REVISION]: '9' }, ownerReferences: [{ ...owner[0], uid: 'other' }] }, spec: { template: tpl('web:9.9') } });
  });
  afterEach(async () => kube.close());

  it('rollback aborts through the status subresource, then undoes to the previous template', async () => {
    const act = new ArgoRolloutsActuator({ kubeconfigYaml: kube.kubeconfigYaml(), namespace: 'apps' });
    const res = await act.execute(req('rollback'));
    expect(res.ok, res.detail).toBe(true);
    expect(res.changes).toMatchObject({ aborted: true, fromRevision: 2, toRevision: 1, imagesAfter: ['web=web:1.0'] });
    const after = kube.get('rollouts', 'apps', 'web')!;
    expect(after.status).toMatchObject({ abort: true });
    expect(after.spec!.template).toEqual(tpl('web:1.0')); // hash label dropped
    const patches = kube.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((p) => [p.path.endsWith('/status'), p.contentType?.split(';')[0]])).toEqual([
      [true, 'application/merge-patch+json'],
      [false, 'application/json-patch+json'],
    ]);
    expect(patches[0].body).toEqual({ status: { abort: true } });
  });

  it('undoes once per action id and answers from the stamp whether it was done', async () => {
    const act = new ArgoRolloutsActuator({ kubeconfigYaml: kube.kubeconfigYaml(), namespace: 'apps' });
    expect(await act.check(req('rollback'))).toMatchObject({ state: 'not_done', evidence: expect.stringMatching(/carries no stamp of a/) });
    expect((await act.execute(req('rollback'))).ok).toBe(true);
    const ro = kube.get('rollouts', 'apps', 'web')!;
    expect(ro.metadata.annotations![ACTION_ID_ANNOTATION]).toBe('a');
    // the undo and its stamp are one JSON patch
    const undo = kube.requests.filter((r) => r.method === 'PATCH' && Array.isArray(r.body));
    expect((undo[0].body as Array<{ path: string }>).map((o) => o.path)).toEqual(['/spec/template', '/metadata/annotations']);

    const again = await act.execute(req('rollback'));
    expect(again.detail).toMatch(/already done: not repeated/);
    expect(kube.requests.filter((r) => r.method === 'PATCH' && Array.isArray(r.body))).toHaveLength(1);
    expect(kube.get('rollouts', 'apps', 'web')!.spec!.template).toEqual(tpl('web:1.0'));
    expect(await act.check(req('rollback'))).toMatchObject({ state: 'done', result: { ok: true, detail: expect.stringMatching(/undid it to revision 1 \(a at .*found done on the cluster/) } });
    expect(await act.check(req('rollback', 'b'))).toMatchObject({ state: 'not_done' });
  });

  it('scale_up patches spec.replicas on the Rollout', async () => {
    const act = new ArgoRolloutsActuator({ kubeconfigYaml: kube.kubeconfigYaml(), namespace: 'apps', maxReplicas: 5 });
    const res = await act.execute(req('scale_up'));
    expect(res.ok, res.detail).toBe(true);
    expect(kube.get('rollouts', 'apps', 'web')!.spec!.replicas).toBe(5);
    // once per action id: 5 stays 5
    expect((await act.execute(req('scale_up'))).detail).toMatch(/from 4 to 5 replicas .*already done/);
    expect(kube.get('rollouts', 'apps', 'web')!.spec!.replicas).toBe(5);
  });

  it('reports a missing Rollout', async () => {
    const act = new ArgoRolloutsActuator({ kubeconfigYaml: kube.kubeconfigYaml(), namespace: 'other' });
    const res = await act.execute(req('rollback'));
    expect(res.ok).toBe(false);
    expect(res.detail).toMatch(/HTTP 404/);
  });
});
