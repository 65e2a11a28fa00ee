// Rate limits and content types on the intake routes, with a tight limit so it shows quickly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { startApp, type RunningApp } from '../../src/app.js';

let app: RunningApp;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'commander-limits-'));
  const config = configSchema.parse({ server: { port: 0, rateLimitPerMinute: 4, dashboardDir: join(dir, 'none') }, store: { kind: 'sqlite', path: join(dir, 'c.db') } });
  app = await startApp({ config, mode: 'serve', log: () => undefined });
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('intake limits', () => {
  it('accepts JSON sent as a form (curl -d without a header), refuses a real form', async () => {
    const asForm = await fetch(`${app.url}/api/deployments`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '{"service":"checkout","version":"v1.0.0"}' });
    expect(asForm.status).toBe(201);
    const form = await fetch(`${app.url}/api/deployments`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'service=checkout&version=v1' });
    expect(form.status).toBe(415);
    expect(((await form.json()) as { error: string }).error).toMatch(/application\/json/);
  });

  it('answers 429 with a reason past the per-minute limit, and stores nothing for it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`${app.url}/api/deployments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ service: 'search', version: `v1.0.${i}` }) });
      statuses.push(r.status);
      if (r.status === 429) expect(((await r.json()) as { error: string }).error).toMatch(/rate limit/);
    }
    // 2 requests were used by the previous test: 2 more pass, then the limit bites
    expect(statuses).toEqual([201, 201, 429, 429]);
    const list = (await (await fetch(`${app.url}/api/deployments?service=search`)).json()) as { deployments: unknown[] };
    expect(list.deployments).toHaveLength(2);
    // reads are not limited
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    // without a dashboard build, / says so instead of failing
    expect(await (await fetch(`${app.url}/`)).json()).toMatchObject({ dashboard: expect.stringMatching(/not built/) });
  });
});
