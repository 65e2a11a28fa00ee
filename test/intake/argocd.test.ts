import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseArgocdNotification, imageTag, ARGOCD_BODY_FIELDS } from '../../src/intake/argocd.js';

const now = Date.parse('2026-03-02T12:30:00Z');

/** Renders the example template the way Argo CD's Go templates would, for one Application. */
function renderExampleTemplate(app: Record<string, unknown>): string {
  const cm = parse(readFileSync(new URL('../../examples/argocd-notifications.yaml', import.meta.url), 'utf8')) as { data: Record<string, string> };
  const tpl = parse(cm.data['template.commander-deployed']) as { webhook: { 'devops-commander': { body: string } } };
  const get = (path: string) => path.split('.').filter(Boolean).reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], app);
  return tpl.webhook['devops-commander'].body
    .replace(/\{\{toJson \.app([.\w]+)\}\}/g, (_m, p: string) => JSON.stringify(get(p) ?? null))
    .replace(/\{\{\.app([.\w]+)\}\}/g, (_m, p: string) => String(get(p) ?? ''));
}

const application = {
  metadata: { name: 'checkout-prod', labels: { 'app.kubernetes.io/name': 'checkout', environment: 'production' } },
  spec: { project: 'shop', destination: { namespace: 'shop' } },
  status: {
    operationState: { phase: 'Succeeded', finishedAt: '2026-03-02T12:01:00Z', syncResult: { revision: 'a'.repeat(40) } },
    health: { status: 'Progressing' },
    summary: { images: ['redis:7.2', 'registry.example.com/shop/checkout:v2.15.0'] },
  },
};

describe('Argo CD notification intake', () => {
  it('parses the body the documented template renders', () => {
    const body = JSON.parse(renderExampleTemplate(application)) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual([...ARGOCD_BODY_FIELDS].sort());
    const r = parseArgocdNotification(body, { now });
    expect(r).toEqual({
      kind: 'deploy', app: 'checkout-prod', idempotencyKey: `argocd:checkout-prod:${'a'.repeat(40)}`,
      spec: { service: 'checkout', environment: 'production', version: 'v2.15.0', commit: 'a'.repeat(40), at: Date.parse('2026-03-02T12:01:00Z') },
    });
  });

  it('ignores syncs that did not succeed and rejects unsafe values', () => {
    const failed = JSON.parse(renderExampleTemplate({ ...application, status: { ...application.status, operationState: { ...application.status.operationState, phase: 'Failed' } } }));
    expect(parseArgocdNotification(failed, { now })).toMatchObject({ kind: 'ignored' });
    expect(parseArgocdNotification({ app: 'x;rm', revision: 'abc' }, { now })).toMatchObject({ kind: 'error', status: 422, field: 'service' });
    expect(parseArgocdNotification({ app: 'web', images: ['web:--kubeconfig=x'] }, { now })).toMatchObject({ kind: 'error', field: 'version' });
    expect(parseArgocdNotification('nope', { now })).toMatchObject({ kind: 'error', status: 400 });
    expect(parseArgocdNotification({}, { now })).toMatchObject({ kind: 'error', field: 'app' });
  });

  it('extracts image tags', () => {
    expect(imageTag('reg:5000/team/app:v1.2')).toBe('v1.2');
    expect(imageTag('reg:5000/team/app')).toBeUndefined();
    expect(imageTag('app:1.0@sha256:abc')).toBe('1.0');
  });
});
