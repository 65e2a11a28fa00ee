// The whole service with tokens, the GitHub intake and a Slack channel configured: forged,
// missing and replayed deliveries and wrong-role tokens are refused with the right status,
// recorded in the audit trail, and nothing is acted on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { sign } from '@octokit/webhooks-methods';
import { parseConfig } from '../../src/config/load.js';
import { startApp, type RunningApp } from '../../src/app.js';
import { createToken } from '../../src/server/auth.js';

const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{ name: string; examples: Array<Record<string, unknown>> }>;
const success = examples.find((e) => e.name === 'deployment_status')!.examples.find((e) => (e.deployment_status as { state: string }).state === 'success')!;
// a deployment that happened just now, so the watch window is current
const payload = { ...success, deployment_status: { ...(success.deployment_status as object), created_at: new Date().toISOString() } };

const viewer = createToken();
const operator = createToken();
let app: RunningApp;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'commander-gh-'));
  const config = parseConfig(
    [
      'server: { host: 127.0.0.1, port: 0, rejectionSummarySeconds: 0.2 }',
      `store: { kind: sqlite, path: ${join(dir, 'c.db')} }`,
      'auth:',
      '  tokens:',
      `    - { name: dash, role: viewer, hash: "${viewer.hash}" }`,
      `    - { name: ci, role: operator, hash: "${operator.hash}" }`,
      'github:',
      '  webhookSecret: e2e-secret',
    ].join('\n'),
  );
  app = await startApp({ config, mode: 'serve', log: () => undefined });
});

afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const hook = async (raw: string, headers: Record<string, string>) =>
  fetch(`${app.url}/api/webhooks/github`, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'x-github-event': 'deployment_status', ...headers } });
const auth = (t: string) => ({ authorization: `Bearer ${t}` });

describe('GitHub intake and tokens, end to end', () => {
  it('refuses forged, missing and replayed deliveries and wrong roles; records them; acts on nothing else', async () => {
    const raw = JSON.stringify(payload);
    expect((await hook(raw, { 'x-github-delivery': 'e2e-00000001' })).status).toBe(401);
    expect((await hook(raw, { 'x-github-delivery': 'e2e-00000002', 'x-hub-signature-256': await sign('wrong', raw) })).status).toBe(401);
    const ok = await hook(raw, { 'x-github-delivery': 'e2e-00000003', 'x-hub-signature-256': await sign('e2e-secret', raw) });
    expect(ok.status).toBe(202);
    const { deploymentId } = (await ok.json()) as { deploymentId: string };
    expect((await hook(raw, { 'x-github-delivery': 'e2e-00000003', 'x-hub-signature-256': await sign('e2e-secret', raw) })).status).toBe(409);

    expect((await fetch(`${app.url}/api/deployments`)).status).toBe(401);
    const list = await fetch(`${app.url}/api/deployments`, { headers: auth(viewer.token) });
    expect(list.status).toBe(200);
    const ids = ((await list.json()) as { deployments: Array<{ id: string; source: string }> }).deployments;
    expect(ids.map((d) => [d.id, d.source])).toEqual([[deploymentId, 'github']]); // only the genuine delivery
    const approve = await fetch(`${app.url}/api/decisions/${deploymentId}-d1/approve`, { method: 'POST', headers: { ...auth(viewer.token), 'content-type': 'application/json' }, body: '{}' });
    expect(approve.status).toBe(403);
    const deploy = await fetch(`${app.url}/api/deployments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ service: 'x', version: 'v1' }) });
    expect(deploy.status).toBe(401);

    // the anonymous refusals are summed into one audit event per interval (samples keep the
    // reasons); the known token's refusal is recorded on its own
    const reasons = ['missing X-Hub-Signature-256 header', 'signature does not match the body', 'already received (replay)', 'has role viewer', 'missing bearer token'];
    let events: Array<{ payload: { aggregated?: boolean; count?: number; status?: number } }> = [];
    for (let i = 0; i < 50; i++) {
      const audit = await fetch(`${app.url}/api/audit?type=security.rejected`, { headers: auth(viewer.token) });
      events = ((await audit.json()) as { events: typeof events }).events;
      const counted = events.reduce((n, e) => n + (e.payload.count ?? 0), 0);
      if (counted >= 5 && reasons.every((r) => JSON.stringify(events).includes(r))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const r of reasons) expect(JSON.stringify(events)).toContain(r);
    expect(events.filter((e) => !e.payload.aggregated).map((e) => e.payload.status)).toEqual([403]);
    expect(events.reduce((n, e) => n + (e.payload.count ?? 0), 0)).toBe(5);
    const metrics = await (await fetch(`${app.url}/metrics`, { headers: auth(viewer.token) })).text();
    expect(metrics).toMatch(/commander_requests_rejected_total\{route="\/api\/webhooks\/github",status="409",reason="replayed_delivery"\} 1/);
  });
});

describe('startup', () => {
  it('refuses a non-loopback bind without tokens', async () => {
    const config = parseConfig(`server: { host: 0.0.0.0, port: 0 }\nstore: { kind: sqlite, path: ${join(dir, 'x.db')} }\n`);
    await expect(startApp({ config, mode: 'serve', log: () => undefined })).rejects.toThrow(/refusing to listen on 0.0.0.0 without API tokens/);
  });
});
