// Remediation in the running service (real app, simulated world at 100× on SQLite, real git,
// fake GitHub): `remediation.auto` opens the revert PR after the loop's own verified rollback;
// POST/GET /api/deployments/:id/remediation with the operator role, 202, 409 while one runs,
// the dry-run preview; the pull_request webhook reviews other PRs.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import { createToken } from '../../src/server/auth.js';
import { startFakeGithubApi, type FakeGithubApi } from '../fakes/github-api.js';
import { git, makeRepo, seedRolledBack, write, type RepoFixture } from './fixture.js';

const TOKEN = 'ghp_apiTestToken_0123456789abcdefghijkl';
const SECRET = 'webhook-secret-for-tests';
const ops = createToken();
const viewer = createToken();

let app: RunningApp;
let repo: RepoFixture;
let gh: FakeGithubApi;
let dir: string;
const savedToken = process.env.GITHUB_TOKEN;

beforeAll(async () => {
  process.env.GITHUB_TOKEN = TOKEN;
  dir = mkdtempSync(join(tmpdir(), 'remediation-api-'));
  repo = makeRepo();
  gh = await startFakeGithubApi(TOKEN);
  gh.addRepo('acme', 'checkout', repo.remote);
  const config = configSchema.parse({
    server: { port: 0, dashboardDir: join(dir, 'none') },
    store: { kind: 'sqlite', path: join(dir, 'c.db') },
    watch: { windowSeconds: 300, baselineSeconds: 900, stepSeconds: 15, verifySeconds: 120 },
    clock: { speed: 100 },
    guardrails: { cooldownSeconds: 0, environments: { production: { autoActConfidence: 0.5 } } },
    auth: { tokens: [{ name: 'ops', role: 'operator', hash: ops.hash }, { name: 'view', role: 'viewer', hash: viewer.hash }] },
    github: { webhookSecret: SECRET },
    remediation: { auto: true, repo: repo.work, repository: 'acme/checkout', github: { apiUrl: gh.url, throttle: false }, review: { pullRequests: true } },
  });
  app = await startApp({ config, mode: 'serve', log: () => undefined });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await gh?.close();
  repo?.cleanup();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (savedToken === undefined) delete process.env.GITHUB_TOKEN;
  else process.env.GITHUB_TOKEN = savedToken;
});

const call = (method: string, path: string, body?: unknown, token = ops.token) =>
  fetch(app.url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });

async function until<T>(fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 150));
  }
}

type View = { status: string; running: boolean; pr?: { number: number; url: string }; review?: { findings: unknown[]; conclusion: string }; diffstat?: string; rolledBack: boolean };

describe('remediation in the service', () => {
  it('remediation.auto: a bad deploy of v2 is rolled back by the loop, verified, and its revert PR opened and reviewed', async () => {
    const res = await call('POST', '/api/deployments', { service: 'checkout', version: 'v9.1.0-bug', previousVersion: 'v1', commit: repo.v2 });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const v = await until(async () => {
      const x = (await (await call('GET', `/api/deployments/${id}/remediation`, undefined, viewer.token)).json()) as View;
      return x.status === 'pr_opened' && x.review ? x : undefined;
    }, 90_000);
    expect(v.pr!.number).toBe(1);
    expect(v.rolledBack).toBe(true);
    expect(v.diffstat).toMatch(/src\/price\.js/);
    expect(v.review!.conclusion).toBe('success');
    expect(git(repo.remote, 'rev-parse', `commander/revert-${id}^{tree}`)).toBe(git(repo.remote, 'rev-parse', 'v1^{tree}'));
    const pull = gh.repo('acme/checkout').pulls[0];
    expect(pull.title).toBe('revert(checkout): roll back v9.1.0-bug to v1');
    // the link points at this server's dashboard
    expect(pull.body).toContain(`${app.url}/#/deployments/${id}`);
    const detail = (await (await call('GET', `/api/deployments/${id}?series=0`, undefined, viewer.token)).json()) as { events: Array<{ type: string; actor: string }> };
    const types = detail.events.map((e) => e.type);
    expect(types.indexOf('outcome.verified')).toBeLessThan(types.indexOf('remediation.requested'));
    expect(types.filter((t) => t.startsWith('remediation.') || t === 'review.completed')).toEqual(['remediation.requested', 'remediation.prepared', 'remediation.pr_opened', 'review.completed']);
    // asking again: the PR is there, nothing new
    const again = await call('POST', `/api/deployments/${id}/remediation`, {});
    expect(again.status).toBe(200);
    expect(gh.repo('acme/checkout').pulls).toHaveLength(1);
  }, 120_000);

  it('POST needs the operator role; previews with dryRun; 202 starts; 409 while it runs; bad input is a 400', async () => {
    const d = await seedRolledBack(app.store, { commit: repo.v2, verified: false });
    const path = `/api/deployments/${d.id}/remediation`;
    expect((await call('POST', path, {}, viewer.token)).status).toBe(403);
    expect((await fetch(app.url + path, { method: 'POST' })).status).toBe(401);
    expect((await call('POST', path, { mode: 'magic' })).status).toBe(400);
    expect((await call('POST', path, { dryRun: 'yes' })).status).toBe(400);
    expect((await call('POST', '/api/deployments/depmissing/remediation', {})).status).toBe(404);

    const preview = await call('POST', path, { dryRun: true });
    expect(preview.status).toBe(200);
    const p = ((await preview.json()) as { preview: { branch: string; diffstat: string; body: string; commits: unknown[] } }).preview;
    expect(p.branch).toBe(`commander/revert-${d.id}`);
    expect(p.commits).toHaveLength(2);
    expect(p.body).toContain('Review required; never merged automatically');
    expect(gh.repo('acme/checkout').pulls).toHaveLength(1); // the first test's only

    const started = await call('POST', path, {});
    expect(started.status).toBe(202);
    const busy = await call('POST', path, {});
    expect(busy.status).toBe(409);
    expect(((await busy.json()) as { error: string }).error).toMatch(/is running/);
    const v = await until(async () => {
      const x = (await (await call('GET', path)).json()) as View;
      return x.status === 'pr_opened' && !x.running ? x : undefined;
    });
    expect(v.pr!.number).toBe(2);
    const events = await app.store.events(d.id);
    expect(events.find((e) => e.type === 'remediation.requested')!.actor).toBe('token:ops');
  });

  it('refuses a deployment that was not rolled back (409)', async () => {
    const { deployment } = await app.store.createDeployment(
      { service: 'checkout', environment: 'production', version: 'v3', at: Date.now() },
      { id: 'depnotrolled1', source: 'api', receivedAt: Date.now(), idempotencyKey: 'nr1' },
    );
    const r = await call('POST', `/api/deployments/${deployment.id}/remediation`, {});
    expect(r.status).toBe(409);
    expect(((await r.json()) as { error: string }).error).toMatch(/was not rolled back/);
  });

  it('reviews other PRs from signed pull_request webhooks', async () => {
    git(repo.work, 'checkout', '--quiet', '-b', 'feature/ci', 'main');
    write(repo.work, { '.github/workflows/ci.yml': 'on: push\n' });
    git(repo.work, 'commit', '--quiet', '-am', 'trim ci');
    git(repo.work, 'push', '--quiet', 'origin', 'feature/ci');
    git(repo.work, 'checkout', '--quiet', 'main');
    const fake = gh.repo('acme/checkout');
    fake.pulls.push({ number: fake.pulls.length + 1, title: 'trim ci', body: '', head: 'feature/ci', base: 'main', state: 'open', merged: false, draft: false, labels: [], created_at: new Date().toISOString() });
    const number = fake.pulls.length;
    const payload = JSON.stringify({ action: 'opened', number, repository: { full_name: 'acme/checkout' } });
    const sig = 'sha256=' + createHmac('sha256', SECRET).update(payload).digest('hex');
    const send = (signature: string) => fetch(app.url + '/api/webhooks/github/pull-request', { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-hub-signature-256': signature }, body: payload });
    expect((await send('sha256=' + '0'.repeat(64))).status).toBe(401);
    expect((await send(sig)).status).toBe(202);
    const review = await until(async () => fake.reviews.find((r) => r.pull === number));
    expect(review.event).toBe('COMMENT');
    expect(review.body + review.comments.map((c) => c.body).join('\n')).toMatch(/protected-files/);
    await until(async () => (fake.commitStatuses.some((s) => s.state === 'failure') ? true : undefined));
  });
});
