import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeKubeApiserver, REVISION, REVISION_HISTORY, type FakeKubeApiserver } from '../fakes/kube-apiserver.js';
import { KubernetesActuator } from '../../src/actions/kubernetes.js';
import { ACTION_ANNOTATION, ACTION_ID_ANNOTATION } from '../../src/actions/action-stamp.js';
import type { ActionRequest, Deployment } from '../../src/core/types.js';

const tpl = (image: string, extra: Record<string, string> = {}) => ({
  metadata: { labels: { app: 'checkout', ...extra } },
  spec: { containers: [{ name: 'app', image, env: [{ name: 'MODE', value: image.endsWith('1.0') ? 'a' : 'b' }] }] },
});

function request(action: ActionRequest['action'], service = 'checkout', id = 'a1'): ActionRequest {
  const deployment: Deployment = {
    id: 'd1', service, environment: 'production', version: 'v2', at: 0, source: 'test', receivedAt: 0, status: 'watching',
  };
  return { id, action, deployment, reason: 'test' };
}

const image = (d: { spec?: Record<string, unknown> }) => (d.spec!.template as { spec: { containers: Array<{ image: string }> } }).spec.containers[0].image;
const undos = (kube: FakeKubeApiserver) => kube.requests.filter((r) => r.method === 'PATCH' && Array.isArray(r.body) && (r.body as Array<{ path: string }>).some((o) => o.path === '/spec/template'));

describe('KubernetesActuator against the fake apps/v1 API', () => {
  let kube: FakeKubeApiserver;
  let act: KubernetesActuator;
  beforeEach(async () => {
    kube = await startFakeKubeApiserver({ controllerDelayMs: 20 });
    act = new KubernetesActuator({ kubeconfigYaml: kube.kubeconfigYaml(), namespace: 'shop', pollIntervalMs: 10, rolloutTimeoutSeconds: 5 });
  });
  afterEach(async () => kube.close());

  it('rolls back to the previous revision exactly as kubectl rollout undo does', async () => {
    await kube.seedDeployment('shop', 'checkout', [tpl('shop/checkout:1.0'), tpl('shop/checkout:2.0')]);
    const before = kube.get('deployments', 'shop', 'checkout')!;
    // last-applied stays the Deployment's own (kubectl keeps skip-listed annotations)
    before.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration'] = '{"v":2}';
    const rsList = kube.list('replicasets', 'shop');
    expect(rsList.map((r) => r.metadata.annotations![REVISION]).sort()).toEqual(['1', '2']);
    const rev1 = rsList.find((r) => r.metadata.annotations![REVISION] === '1')!;
    expect(before.metadata.annotations!['kubernetes.io/change-cause']).toBe('seed 2');

    const res = await act.execute(request('rollback'));
    expect(res.ok, res.detail).toBe(true);
    expect(res.changes).toMatchObject({ fromRevision: 2, toRevision: 1, imagesAfter: ['app=shop/checkout:1.0'], settled: true });

    const after = kube.get('deployments', 'shop', 'checkout')!;
    // kubectl's expectation computed independently: the revision-1 ReplicaSet's template minus pod-template-hash
    const expected = structuredClone(rev1.spec!.template as { metadata: { labels: Record<string, string> } });
    delete expected.metadata.labels['pod-template-hash'];
    expect(after.spec!.template).toEqual(expected);
    // non-skipped annotations come from the ReplicaSet: change-cause is revision 1's again
    expect(after.metadata.annotations!['kubernetes.io/change-cause']).toBe('seed 1');
    // the controller then made the old ReplicaSet the newest revision, as a real cluster does
    expect(after.metadata.annotations![REVISION]).toBe('3');
    const reused = kube.get('replicasets', 'shop', rev1.metadata.name)!;
    expect(reused.metadata.annotations![REVISION]).toBe('3');
    expect(reused.metadata.annotations![REVISION_HISTORY]).toBe('1');
    expect(kube.list('replicasets', 'shop')).toHaveLength(2); // reused, not a third ReplicaSet
    expect(after.status).toMatchObject({ observedGeneration: after.metadata.generation, updatedReplicas: 3, availableReplicas: 3 });
    // one JSON patch replacing template and annotations, like kubectl
    const patch = kube.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.contentType).toContain('application/json-patch+json');
    expect((patch.body as Array<{ path: string }>).map((o) => o.path)).toEqual(['/spec/template', '/metadata/annotations']);
  });

  it('keeps skip-listed annotations from the Deployment, not from the ReplicaSet', async () => {
    await kube.seedDeployment('shop', 'checkout', [tpl('shop/checkout:1.0'), tpl('shop/checkout:2.0')]);
    const res = await act.execute(request('rollback'));
    expect(res.ok).toBe(true);
    const patch = kube.requests.find((r) => r.method === 'PATCH')!.body as Array<{ path: string; value: Record<string, string> }>;
    const ann = patch[1].value;
    expect(ann[REVISION]).toBe('2'); // the Deployment's value at the time, not the ReplicaSet's '1'
    expect(ann['kubernetes.io/change-cause']).toBe('seed 1');
  });

  it('undoes once per action id: the same action again changes nothing, a new one flips back as kubectl does', async () => {
    await kube.seedDeployment('shop', 'checkout', [tpl('shop/checkout:1.0'), tpl('shop/checkout:2.0')]);
    expect((await act.execute(request('rollback'))).ok).toBe(true);
    const stamped = kube.get('deployments', 'shop', 'checkout')!;
    expect(stamped.metadata.annotations![ACTION_ID_ANNOTATION]).toBe('a1');
    expect(JSON.parse(stamped.metadata.annotations![ACTION_ANNOTATION])).toMatchObject({ id: 'a1', action: 'rollback', fromRevision: 2, toRevision: 1 });

    // the same action id again (a retry, a resumed watch): reported from the stamp, not undone twice
    const again = await act.execute(request('rollback'));
    expect(again.ok, again.detail).toBe(true);
    expect(again.detail).toMatch(/already done: not repeated/);
    expect(again.changes).toMatchObject({ fromRevision: 2, toRevision: 1, reconciled: true });
    expect(undos(kube)).toHaveLength(1);
    expect(image(kube.get('deployments', 'shop', 'checkout')!)).toBe('shop/checkout:1.0');

    // a different action is a second `kubectl rollout undo`: back to the newer template
    const second = await act.execute(request('rollback', 'checkout', 'a2'));
    expect(second.ok, second.detail).toBe(true);
    expect(second.changes).toMatchObject({ fromRevision: 3, toRevision: 2 });
    expect(undos(kube)).toHaveLength(2);
    expect(image(kube.get('deployments', 'shop', 'checkout')!)).toBe('shop/checkout:2.0');
  });

  it('answers whether an action was done from the live Deployment, waiting for its rollout', async () => {
    await kube.seedDeployment('shop', 'checkout', [tpl('shop/checkout:1.0'), tpl('shop/checkout:2.0')]);
    expect(await act.check(request('rollback'))).toMatchObject({ state: 'not_done', evidence: expect.stringMatching(/carries no stamp of a1 \(its last stamp: none\)/) });
    expect(await act.check(request('escalate'))).toMatchObject({ state: 'not_done' });

    // a commander killed right after its patch: the stamp is there, the rollout still moving
    kube.setStuck(true);
    const cut = new KubernetesActuator({ kubeconfigYaml: kube.kubeconfigYaml(), namespace: 'shop', pollIntervalMs: 10, rolloutTimeoutSeconds: 0.2 });
    expect((await cut.execute(request('rollback'))).ok).toBe(false);
    kube.setStuck(false);
    const c = await act.check(request('rollback'));
    expect(c.state).toBe('done');
    if (c.state !== 'done') return;
    expect(c.result.ok, c.result.detail).toBe(true);
    expect(c.result.detail).toMatch(/rolled back shop\/checkout from revision 2 to revision 1 \(a1 at .*found done on the cluster after a restart\); rollout settled/);
    expect(undos(kube)).toHaveLength(1);
    // another action's stamp does not count as this one
    expect(await act.check(request('rollback', 'checkout', 'a9'))).toMatchObject({ state: 'not_done', evidence: expect.stringMatching(/its last stamp: a1/) });
  });

  it('refuses without history, refuses a paused deployment, and changes nothing', async () => {
    await kube.seedDeployment('shop', 'checkout', [tpl('shop/checkout:1.0')]);
    const r1 = await act.execute(request('rollback'));
    expect(r1.ok).toBe(false);
    expect(r1.detail).toContain('no rollout history found');
    await kube.seedDeployment('shop', 'checkout', [tpl('shop/checkout:2.0')]);
    const d = kube.get('deployments', 'shop', 'checkout')!;
    (d.spec as Record<string, unknown>).paused = true;
    await fetch(`${kube.url}/apis/apps/v1/namespaces/shop/deployments/checkout`, {
      method: 'PUT', headers: { authorization: `Bearer ${kube.token}`, 'content-type': 'application/json' }, body: JSON.stringify(d),
    });
    const r2 = await act.execute(request('rollback'));
    expect(r2.ok).toBe(false);
    expect(r2.detail).toContain('cannot rollback a paused deployment');
    expect(kube.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  it('reports a rollout that does not settle before the timeout as failed', async () => {
    await kube.seedDeployment('shop', 'checkout', [tpl('shop/checkout:1.0'), tpl('shop/checkout:2.0')]);
    kube.setStuck(true);
    const slow = new KubernetesActuator({ kubeconfigYaml: kube.kubeconfigYaml(), namespace: 'shop', pollIntervalMs: 10, rolloutTimeoutSeconds: 0.3 });
    const res = await slow.execute(request('rollback'));
    expect(res.ok).toBe(false);
    expect(res.detail).toMatch(/did not settle within 0.3 s/);
    expect(res.changes).toMatchObject({ settled: false, toRevision: 1 });
  });

  it('scales with one conditional merge patch of replicas and stamp, once per action id', async () => {
    await kube.seedDeployment('shop', 'checkout', [tpl('shop/checkout:1.0')], 4);
    const res = await act.execute(request('scale_up'));
    expect(res.ok, res.detail).toBe(true);
    expect(res.changes).toMatchObject({ replicasBefore: 4, replicasAfter: 6 });
    const patch = kube.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.path).toBe('/apis/apps/v1/namespaces/shop/deployments/checkout');
    expect(patch.contentType).toContain('application/merge-patch+json');
    expect(patch.body).toMatchObject({ metadata: { resourceVersion: expect.any(String), annotations: { [ACTION_ID_ANNOTATION]: 'a1' } }, spec: { replicas: 6 } });
    const d = kube.get('deployments', 'shop', 'checkout')!;
    expect(d.spec!.replicas).toBe(6);
    expect(d.status).toMatchObject({ availableReplicas: 6 });
    // the same action again: 6 stays 6 (not 9)
    const again = await act.execute(request('scale_up'));
    expect(again.detail).toMatch(/scaled shop\/checkout from 4 to 6 replicas .*already done/);
    expect(kube.get('deployments', 'shop', 'checkout')!.spec!.replicas).toBe(6);
    expect(await act.check(request('scale_up'))).toMatchObject({ state: 'done', result: { ok: true } });
  });

  it('refuses to scale from replicas someone changed since it read them (409, not a stale computation)', async () => {
    await kube.seedDeployment('shop', 'checkout', [tpl('shop/checkout:1.0')], 4);
    const d = kube.get('deployments', 'shop', 'checkout')!;
    const body = { metadata: { resourceVersion: '1' }, spec: { replicas: 9 } };
    const r = await fetch(`${kube.url}/apis/apps/v1/namespaces/shop/deployments/checkout`, {
      method: 'PATCH', headers: { authorization: `Bearer ${kube.token}`, 'content-type': 'application/merge-patch+json' }, body: JSON.stringify(body),
    });
    expect(r.status).toBe(409);
    expect(kube.get('deployments', 'shop', 'checkout')!.spec!.replicas).toBe(d.spec!.replicas);
  });

  it('rejects a service name that is not a Kubernetes name before any request', async () => {
    for (const bad of ['../etc', 'Checkout;rm', '--kubeconfig=/x', 'a\nb']) {
      const res = await act.execute(request('rollback', bad));
      expect(res.ok).toBe(false);
      expect(res.detail).toMatch(/^rejected: /);
    }
    expect(kube.requests).toHaveLength(0);
  });

  it('names the missing deployment in its failure', async () => {
    const res = await act.execute(request('rollback', 'nothere'));
    expect(res.ok).toBe(false);
    expect(res.detail).toContain('HTTP 404');
  });
});

describe('kubectl helpers', () => {
  it('compares templates ignoring pod-template-hash and nil-vs-empty, like Semantic.DeepEqual', async () => {
    const { equalIgnoreHash, rollbackAnnotations, selectorToString, rolloutState } = await import('../../src/actions/kubernetes.js');
    const a = { metadata: { labels: { app: 'x', 'pod-template-hash': 'abc' } }, spec: { containers: [{ name: 'c', image: 'i:1', env: [] }] } };
    const b = { metadata: { labels: { app: 'x' }, annotations: {} }, spec: { containers: [{ name: 'c', image: 'i:1' }] } };
    expect(equalIgnoreHash(a, b)).toBe(true);
    expect(equalIgnoreHash(a, { ...b, spec: { containers: [{ name: 'c', image: 'i:2' }] } })).toBe(false);
    expect(rollbackAnnotations(
      { [REVISION]: '5', 'kubectl.kubernetes.io/last-applied-configuration': 'D', team: 'new', 'deployment.kubernetes.io/revision-history': '1,3' },
      { [REVISION]: '4', 'kubectl.kubernetes.io/last-applied-configuration': 'R', team: 'old', 'kubernetes.io/change-cause': 'v1' },
    )).toEqual({ [REVISION]: '5', 'kubectl.kubernetes.io/last-applied-configuration': 'D', 'deployment.kubernetes.io/revision-history': '1,3', team: 'old', 'kubernetes.io/change-cause': 'v1' });
    expect(selectorToString({ matchLabels: { app: 'x' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'canary', operator: 'DoesNotExist' }] })).toBe('app=x,tier in (a,b),!canary');
    expect(rolloutState({ metadata: { generation: 3 }, spec: { replicas: 2, template: {}, selector: {} }, status: { observedGeneration: 3, updatedReplicas: 2, replicas: 3, availableReplicas: 2 } }).message).toBe('1 old replicas are pending termination');
    expect(rolloutState({ metadata: { generation: 3 }, spec: { replicas: 2, template: {}, selector: {} }, status: { observedGeneration: 3, conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] } })).toMatchObject({ failed: true });
  });
});
