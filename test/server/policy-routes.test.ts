import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/core/store.js';
import { registerPolicyRoutes } from '../../src/server/policy-routes.js';
import { KEEP_MODELS, PolicyVersions } from '../../src/policy/versions.js';
import { trainedModel } from '../policy/helpers.js';

let store: Store;
afterEach(async () => store?.close());

describe('policy version routes', () => {
  it('lists, shows and rolls back versions, with clear 4xx on bad input', async () => {
    store = createSqliteStore(':memory:');
    const app = Fastify();
    let swapped = '';
    registerPolicyRoutes(app, { store, clock: { now: () => 42 }, prior: trainedModel(30), onActiveChanged: (m) => (swapped = m.version) });
    const list = await app.inject({ method: 'GET', url: '/api/policy/versions' });
    expect(list.json()).toMatchObject({ active: 'test-v1', versions: [{ version: 'test-v1', kind: 'prior' }] });
    await new PolicyVersions(store).learnFromExperience({ id: 'd', features: { err: 3 }, action: 'rollback', reward: 1, at: 1 }, 2);
    const one = await app.inject({ method: 'GET', url: '/api/policy/versions/bandit-v2' });
    expect(one.json()).toMatchObject({ active: true, meta: { parent: 'test-v1', kind: 'online' } });
    expect((await app.inject({ method: 'GET', url: '/api/policy/versions/nope' })).statusCode).toBe(404);
    const rb = await app.inject({ method: 'POST', url: '/api/policy/rollback', payload: { version: 'test-v1' } });
    expect(rb.json()).toEqual({ active: 'test-v1', previous: 'bandit-v2' });
    expect(swapped).toBe('test-v1');
    expect((await store.audit({ type: 'policy.updated' }))[0].payload).toMatchObject({ from: 'bandit-v2', to: 'test-v1' });
    const bad = await app.inject({ method: 'POST', url: '/api/policy/rollback', payload: { version: 7 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/version/);
    expect((await app.inject({ method: 'POST', url: '/api/policy/rollback', payload: { version: 'nope' } })).statusCode).toBe(404);
    await app.close();
  });

  it('shows a pruned version with what it learned from, and refuses to make it active', async () => {
    store = createSqliteStore(':memory:');
    const app = Fastify();
    const prior = trainedModel(30);
    registerPolicyRoutes(app, { store, clock: { now: () => 42 }, prior });
    await app.inject({ method: 'GET', url: '/api/policy/versions' }); // installs the prior
    const v = new PolicyVersions(store);
    for (let i = 0; i <= KEEP_MODELS; i++) await v.save({ ...prior, version: `bandit-v${i + 2}` }, { kind: 'online', training: { count: 1, description: `outcome ${i}` }, metrics: {} }, 50 + i);
    const one = await app.inject({ method: 'GET', url: '/api/policy/versions/bandit-v2' });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ pruned: true, active: false, meta: { training: { description: 'outcome 0' } } });
    const rb = await app.inject({ method: 'POST', url: '/api/policy/rollback', payload: { version: 'bandit-v2' } });
    expect(rb.statusCode).toBe(404);
    expect(rb.json().error).toMatch(/was pruned/);
    await app.close();
  });
});
