import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { sign } from '@octokit/webhooks-methods';
import { parseGithubEvent, verifyGithubSignature, checkDeliveryId } from '../../src/intake/github.js';

// the real example payloads GitHub documents, as packaged by @octokit/webhooks-examples
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{ name: string; examples: Array<Record<string, unknown>> }>;
const byName = (n: string) => examples.find((e) => e.name === n)!.examples;
const now = Date.parse('2026-03-02T12:00:00Z');

describe('GitHub deployment intake', () => {
  it('maps a real deployment_status success to a DeploymentSpec', () => {
    const success = byName('deployment_status').find((e) => (e.deployment_status as { state: string }).state === 'success')!;
    const r = parseGithubEvent('deployment_status', success, { now });
    expect(r.kind).toBe('deploy');
    if (r.kind !== 'deploy') return;
    expect(r.spec).toEqual({
      service: 'hello-world',
      environment: 'production',
      version: 'f95f852bd8fc', // branch ref "master" is not a version: the commit is
      commit: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      at: Date.parse('2019-05-15T15:20:55Z'),
    });
    expect(r.github).toEqual({ owner: 'Codertocat', repo: 'Hello-World', deploymentId: 145988746 });
    expect(r.idempotencyKey).toBe('github:Codertocat/Hello-World:deployment:145988746');
  });

  it('ignores statuses other than success, and deployment events unless watchOn is deployment', () => {
    const inProgress = byName('deployment_status').find((e) => (e.deployment_status as { state: string }).state === 'in_progress')!;
    expect(parseGithubEvent('deployment_status', inProgress, { now })).toMatchObject({ kind: 'ignored', reason: expect.stringContaining('in_progress') });
    for (const ex of byName('deployment')) expect(parseGithubEvent('deployment', ex, { now }).kind).toBe('ignored');
    const onCreate = byName('deployment').map((ex) => parseGithubEvent('deployment', ex, { now, watchOn: 'deployment' }));
    expect(onCreate.every((r) => r.kind === 'deploy')).toBe(true);
    const pages = onCreate.find((r) => r.kind === 'deploy' && r.spec.environment === 'github-pages');
    expect(pages).toBeDefined();
    expect(parseGithubEvent('push', {}, { now })).toMatchObject({ kind: 'ignored' });
  });

  it('uses payload.service / version and the configured maps', () => {
    const ex = structuredClone(byName('deployment_status')[0]) as { deployment: { payload: Record<string, unknown>; environment: string } };
    ex.deployment.payload = { service: 'checkout', version: 'v2.15.0', previousVersion: 'v2.14.0' };
    ex.deployment.environment = 'Production EU';
    const r = parseGithubEvent('deployment_status', ex, { now });
    expect(r).toMatchObject({ kind: 'deploy', spec: { service: 'checkout', version: 'v2.15.0', previousVersion: 'v2.14.0', environment: 'production-eu' } });
    const mapped = parseGithubEvent('deployment_status', byName('deployment_status')[0], { now, services: { 'Codertocat/Hello-World': 'greeter' }, environments: { production: 'prod' } });
    expect(mapped).toMatchObject({ kind: 'deploy', spec: { service: 'greeter', environment: 'prod' } });
  });

  it('rejects payload values that could reach a command, naming the field', () => {
    for (const [payload, field] of [
      [{ version: 'v1;rm -rf /' }, 'version'],
      [{ version: '--kubeconfig=/tmp/x' }, 'version'],
      [{ version: '../../x' }, 'version'],
      [{ service: 'svc$(id)' }, 'service'],
      [{ service: 'a\nb' }, 'service'],
    ] as const) {
      const ex = structuredClone(byName('deployment_status')[0]) as { deployment: { payload: Record<string, unknown> } };
      ex.deployment.payload = payload;
      const r = parseGithubEvent('deployment_status', ex, { now });
      expect(r.kind).toBe('error');
      if (r.kind === 'error') {
        expect(r.status).toBe(422);
        expect(r.field).toContain(field);
      }
    }
    expect(parseGithubEvent('deployment_status', [], { now })).toMatchObject({ kind: 'error', status: 400 });
    expect(parseGithubEvent('deployment_status', { deployment: {} }, { now })).toMatchObject({ kind: 'error', status: 422 });
  });

  it('verifies X-Hub-Signature-256 over the exact raw body', async () => {
    const raw = JSON.stringify(byName('deployment_status')[0]);
    const good = await sign('topsecret', raw);
    expect(await verifyGithubSignature('topsecret', raw, good)).toEqual({ ok: true });
    expect(await verifyGithubSignature('topsecret', raw + ' ', good)).toMatchObject({ ok: false, reason: 'signature does not match the body' });
    expect(await verifyGithubSignature('other', raw, good)).toMatchObject({ ok: false });
    expect(await verifyGithubSignature('topsecret', raw, undefined)).toMatchObject({ ok: false, reason: expect.stringContaining('missing') });
    expect(await verifyGithubSignature('topsecret', raw, 'sha1=abc')).toMatchObject({ ok: false, reason: expect.stringContaining('malformed') });
    expect(checkDeliveryId('72d3162e-cc78-11e3-81ab-4c9367dc0958')).toEqual({ ok: true });
    expect(checkDeliveryId('x;y')).toMatchObject({ ok: false });
  });
});
