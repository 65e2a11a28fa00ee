// server.rateLimitPerMinute is one bucket per client shared by every mutating route: a client
// refused on one route is refused on the others too; reads and other clients are not affected.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { startApp, type RunningApp } from '../../src/app.js';

let app: RunningApp;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'commander-ratelimit-'));
  const config = configSchema.parse({ server: { port: 0, rateLimitPerMinute: 3, dashboardDir: join(dir, 'none') }, store: { kind: 'sqlite', path: join(dir, 'c.db') } });
  app = await startApp({ config, mode: 'serve', log: () => undefined });
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (url: string, payload: unknown, remoteAddress = '10.0.0.1') =>
  app.server.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers: { 'content-type': 'application/json' }, remoteAddress });

describe('rate limit across mutating routes', () => {
  it('after 429 on one mutating route, the others answer 429 too; reads and other clients go on', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await post('/api/deployments', { service: 'search', version: `v1.0.${i}` })).statusCode);
    const refused = await post('/api/deployments', { service: 'search', version: 'v1.0.9' });
    expect([...codes, refused.statusCode]).toEqual([201, 201, 201, 429]);
    expect(refused.json().error).toMatch(/rate limit: at most 3 requests per minute/);

    // the concept's route, approvals and the policy rollback share the same bucket
    expect((await post('/api/v1/executions/webhook/devops/deploy', { service: 'search', version: 'v2.0.0' })).statusCode).toBe(429);
    expect((await post('/api/decisions/depx-d1/approve', {})).statusCode).toBe(429);
    expect((await post('/api/policy/rollback', { version: 'x' })).statusCode).toBe(429);

    // nothing was stored for the refused ones; reads are not limited
    const list = await app.server.inject({ method: 'GET', url: '/api/deployments?service=search', remoteAddress: '10.0.0.1' });
    expect(list.statusCode).toBe(200);
    expect(list.json().deployments).toHaveLength(3);
    // another client has its own bucket
    expect((await post('/api/v1/executions/webhook/devops/deploy', { service: 'search', version: 'v2.0.0' }, '10.0.0.2')).statusCode).toBe(201);
  });
});
