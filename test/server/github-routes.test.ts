import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { createRequire } from 'node:module';
import { sign } from '@octokit/webhooks-methods';
import { createSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/core/store.js';
import type { DeploymentSpec } from '../../src/core/types.js';
import { registerGithubRoutes, githubRefKey } from '../../src/server/github-routes.js';
import type { Rejection } from '../../src/server/rejections.js';

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{ name: string; examples: Array<Record<string, unknown>> }>;
const statusExamples = examples.find((e) => e.name === 'deployment_status')!.examples;
const success = statusExamples.find((e) => (e.deployment_status as { state: string }).state === 'success')!;
const SECRET = 'It\'s a Secret to Everybody';
const now = Date.parse('2026-03-02T12:00:00Z');

describe('GitHub and Argo CD webhook routes', () => {
  let app: FastifyInstance;
  let store: Store;
  let received: DeploymentSpec[];
  let refused: Rejection[];
  beforeEach(async () => {
    store = createSqliteStore(':memory:');
    received = [];
    refused = [];
    app = Fastify();
    await registerGithubRoutes(app, {
      store,
      onRejected: (r) => void refused.push(r),
      now: () => now,
      github: { secret: SECRET },
      argocd: { token: 'argo-shared-secret' },
      receive: async (spec, meta) => {
        received.push(spec);
        return store.createDeployment(spec, { id: `dep${received.length}`, source: meta.source, receivedAt: now, idempotencyKey: meta.idempotencyKey });
      },
    });
    // a normal JSON route beside them must keep its parsed body
    app.post('/api/other', async (req) => ({ got: req.body }));
    await app.ready();
  });
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  const post = async (raw: string, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url: '/api/webhooks/github', payload: raw, headers: { 'content-type': 'application/json', 'x-github-event': 'deployment_status', ...headers } });
  // each refusal is reported (the server counts and aggregates it) and nothing is stored for it
  const rejections = async () => {
    expect(await store.audit({ type: 'security.rejected' })).toEqual([]);
    return refused.map((r) => [r.status, r.detail]);
  };

  it('accepts a signed real deployment_status, then refuses its replay with 409', async () => {
    const raw = JSON.stringify(success);
    const headers = { 'x-hub-signature-256': await sign(SECRET, raw), 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' };
    const first = await post(raw, headers);
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json()).toMatchObject({ created: true });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ service: 'hello-world', commit: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e' });
    expect(await store.getState(githubRefKey(first.json().deploymentId))).toEqual({ owner: 'Codertocat', repo: 'Hello-World', deploymentId: 145988746 });

    const replay = await post(raw, headers);
    expect(replay.statusCode).toBe(409);
    expect(replay.json().error).toMatch(/already received/);
    expect(received).toHaveLength(1); // nothing acted on
    expect(await rejections()).toEqual([[409, 'delivery 72d3162e-cc78-11e3-81ab-4c9367dc0958 was already received (replay)']]);
  });

  it('rejects forged and missing signatures with 401, records them, acts on nothing', async () => {
    const raw = JSON.stringify(success);
    const forged = await sign('not the secret', raw);
    const tampered = JSON.stringify({ ...success, deployment: { ...(success.deployment as object), payload: { version: 'v9' } } });
    const good = await sign(SECRET, raw);
    expect((await post(raw, { 'x-hub-signature-256': forged, 'x-github-delivery': 'aaaaaaaa-1' })).statusCode).toBe(401);
    expect((await post(raw, { 'x-github-delivery': 'aaaaaaaa-2' })).statusCode).toBe(401);
    expect((await post(tampered, { 'x-hub-signature-256': good, 'x-github-delivery': 'aaaaaaaa-3' })).statusCode).toBe(401);
    expect(received).toHaveLength(0);
    expect(await rejections()).toEqual([
      [401, 'signature does not match the body'],
      [401, 'missing X-Hub-Signature-256 header'],
      [401, 'signature does not match the body'],
    ]);
    // a rejected delivery id is not burnt: the genuine delivery still goes through
    expect((await post(raw, { 'x-hub-signature-256': good, 'x-github-delivery': 'aaaaaaaa-1' })).statusCode).toBe(202);
  });

  it('answers ignored events and bad payloads without starting a watch', async () => {
    const pending = statusExamples.find((e) => (e.deployment_status as { state: string }).state !== 'success')!;
    const raw = JSON.stringify(pending);
    const r = await post(raw, { 'x-hub-signature-256': await sign(SECRET, raw), 'x-github-delivery': 'bbbbbbbb-1' });
    expect(r.statusCode).toBe(202);
    expect(r.json().ignored).toMatch(/in_progress/);
    const evil = JSON.stringify({ ...success, deployment: { ...(success.deployment as object), payload: { version: 'v1;reboot' } } });
    const e = await post(evil, { 'x-hub-signature-256': await sign(SECRET, evil), 'x-github-delivery': 'bbbbbbbb-2' });
    expect(e.statusCode).toBe(422);
    expect(e.json().field).toMatch(/version/);
    const ping = await app.inject({ method: 'POST', url: '/api/webhooks/github', payload: '{"zen":"hi"}', headers: { 'content-type': 'application/json', 'x-github-event': 'ping', 'x-hub-signature-256': await sign(SECRET, '{"zen":"hi"}'), 'x-github-delivery': 'bbbbbbbb-3' } });
    expect(ping.statusCode).toBe(202);
    expect(received).toHaveLength(0);
  });

  it('accepts the form-encoded delivery format GitHub can be configured to send', async () => {
    const raw = 'payload=' + encodeURIComponent(JSON.stringify(success));
    const r = await app.inject({ method: 'POST', url: '/api/webhooks/github', payload: raw, headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-github-event': 'deployment_status', 'x-hub-signature-256': await sign(SECRET, raw), 'x-github-delivery': 'cccccccc-1' } });
    expect(r.statusCode, r.body).toBe(202);
  });

  it('Argo CD: shared secret header required; accepted events start one watch per revision', async () => {
    const body = { app: 'checkout', revision: 'b'.repeat(40), phase: 'Succeeded', images: ['reg/checkout:v3'], labels: {}, finishedAt: '2026-03-02T11:59:00Z' };
    const send = (headers: Record<string, string>) => app.inject({ method: 'POST', url: '/api/webhooks/argocd', payload: body, headers });
    expect((await send({})).statusCode).toBe(401);
    expect((await send({ 'x-commander-token': 'guess' })).statusCode).toBe(401);
    expect(received).toHaveLength(0);
    const ok = await send({ 'x-commander-token': 'argo-shared-secret' });
    expect(ok.statusCode, ok.body).toBe(202);
    expect(received[0]).toMatchObject({ service: 'checkout', version: 'v3' });
    const again = await send({ 'x-commander-token': 'argo-shared-secret' });
    expect(again.json()).toMatchObject({ created: false });
    expect(await rejections()).toEqual([[401, 'missing X-Commander-Token header'], [401, 'X-Commander-Token does not match']]);
  });

  it('keeps normal JSON parsing for other routes', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/other', payload: { a: 1 } });
    expect(r.json()).toEqual({ got: { a: 1 } });
  });
});

describe('webhook route limits', () => {
  it('applies the server rate limit and body limit to the webhook routes', async () => {
    const store = createSqliteStore(':memory:');
    const app = Fastify();
    const rateLimit = (await import('@fastify/rate-limit')).default;
    await app.register(rateLimit, { global: false });
    await registerGithubRoutes(app, {
      store, now: () => now, github: { secret: SECRET }, bodyLimitBytes: 64 * 1024,
      routeConfig: { rateLimit: { max: 3, timeWindow: '1 minute' } },
      receive: async () => { throw new Error('must not be called'); },
    });
    await app.ready();
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await app.inject({ method: 'POST', url: '/api/webhooks/github', payload: '{}', headers: { 'content-type': 'application/json' } })).statusCode);
      expect(codes).toEqual([401, 401, 401, 429, 429]);
      const big = await app.inject({ method: 'POST', url: '/api/webhooks/argocd', payload: JSON.stringify({ x: 'y'.repeat(70 * 1024) }), headers: { 'content-type': 'application/json' } });
      expect(big.statusCode).toBe(413);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
