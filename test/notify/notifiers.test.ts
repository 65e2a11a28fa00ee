import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { startFakeSlack, validateBlocks, type FakeSlack } from '../fakes/slack.js';
import { startFakeGithubApi, type FakeGithubApi } from '../fakes/github-api.js';
import { SlackNotifier, slackMessage } from '../../src/notify/slack.js';
import { WebhookNotifier } from '../../src/notify/webhook.js';
import { GithubStatusNotifier, githubStatusFor } from '../../src/notify/github-status.js';
import { notifyAll, stateSentLog, type DecisionNotice } from '../../src/core/notify.js';
import { createSqliteStore } from '../../src/store/sqlite.js';

const notice = (over: Partial<DecisionNotice> = {}): DecisionNotice => ({
  decisionId: 'depabc-d12',
  stage: 'decision',
  deployment: { id: 'depabc', service: 'checkout', environment: 'production', version: 'v2.15.0', previousVersion: 'v2.14.0', at: 0, source: 'github', receivedAt: 0, status: 'awaiting_approval' },
  decision: { action: 'rollback', confidence: 0.93, reasons: ['error_rate up 35x after deploy (p<0.001)', 'new error template <script> since deploy'] },
  summary: 'Error rate 7.1% vs 0.2% before v2.15.0; new error ×412: TypeError & <b>',
  guard: { mode: 'await_approval', reason: 'production requires approval' },
  links: { detail: 'http://127.0.0.1:8080/#/deployments/depabc', approve: 'http://127.0.0.1:8080/#/deployments/depabc?decision=depabc-d12&intent=approve', reject: 'http://127.0.0.1:8080/#/deployments/depabc?decision=depabc-d12&intent=reject' },
  ...over,
});

describe('Slack notifier', () => {
  let slack: FakeSlack;
  afterEach(async () => slack?.close());

  it('posts valid Block Kit with summary, decision, confidence and approve/reject links, once per decision', async () => {
    slack = await startFakeSlack({ failFirst: 1 });
    const n = new SlackNotifier({ webhookUrl: slack.url, backoffMs: 1 });
    const [a, b, c] = await Promise.all([n.notify(notice()), n.notify(notice()), n.notify(notice())]);
    expect(a.ok, a.detail).toBe(true);
    expect([b.duplicate, c.duplicate]).toEqual([true, true]);
    expect((await n.notify(notice())).duplicate).toBe(true);
    expect(slack.messages).toHaveLength(1); // retried after the 500, still one message
    expect(slack.attempts).toBe(2);
    const msg = JSON.stringify(slack.messages[0]);
    expect(msg).toContain('Approval needed: rollback checkout v2.15.0 (production), confidence 93%');
    expect(msg).toContain('*Confidence*\\n93%');
    expect(msg).toContain('TypeError &amp; &lt;b&gt;'); // escaped: a payload cannot inject mentions or links
    expect(msg).toContain('intent=approve');
    expect(msg).toContain('intent=reject');
    // a later stage of the same decision is a different message
    expect((await n.notify(notice({ stage: 'action', actionResult: { ok: true, detail: 'rolled back to revision 1' }, guard: { mode: 'execute', reason: 'approved' } }))).ok).toBe(true);
    expect(slack.messages).toHaveLength(2);
    expect(JSON.stringify(slack.messages[1])).not.toContain('intent=approve');
  });

  it('keeps every message within the Block Kit limits, even with huge inputs', () => {
    const long = 'x'.repeat(10_000);
    const m = slackMessage(notice({ summary: long, decision: { action: 'scale_up', confidence: 0.5, reasons: Array(30).fill(long) } }));
    expect(validateBlocks(m.blocks)).toBeUndefined();
  });

  it('reports a refused hook without marking it sent', async () => {
    slack = await startFakeSlack();
    const n = new SlackNotifier({ webhookUrl: slack.url.replace('/services/', '/nope/'), attempts: 1 });
    const r = await n.notify(notice());
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/HTTP 404: no_service/);
  });
});

describe('generic webhook notifier', () => {
  it('signs, sets an idempotency key, and survives a restart without resending (SentLog on the store)', async () => {
    const got: Array<{ sig: string; key: string; body: string }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ sig: String(req.headers['x-commander-signature-256']), key: String(req.headers['idempotency-key']), body: Buffer.concat(chunks).toString() });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
    const store = createSqliteStore(':memory:');
    try {
      const first = new WebhookNotifier({ url, secret: 'k', sentLog: stateSentLog(store) });
      expect((await first.notify(notice())).ok).toBe(true);
      const afterRestart = new WebhookNotifier({ url, secret: 'k', sentLog: stateSentLog(store) });
      expect((await afterRestart.notify(notice())).duplicate).toBe(true);
      expect(got).toHaveLength(1);
      expect(got[0].key).toBe('commander:depabc-d12:decision');
      expect(got[0].sig).toBe('sha256=' + createHmac('sha256', 'k').update(got[0].body).digest('hex'));
      expect(JSON.parse(got[0].body)).toMatchObject({ type: 'commander.decision', decisionId: 'depabc-d12', decision: { action: 'rollback' } });
    } finally {
      await store.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('GitHub deployment status notifier', () => {
  let gh: FakeGithubApi;
  afterEach(async () => gh?.close());

  it('writes the verdict as deployment statuses on the deployment it came from', async () => {
    gh = await startFakeGithubApi();
    gh.addDeployment('Codertocat', 'Hello-World', 145988746);
    const n = new GithubStatusNotifier({
      token: gh.token, apiUrl: gh.url, backoffMs: 1,
      lookup: async (id) => (id === 'depabc' ? { owner: 'Codertocat', repo: 'Hello-World', deploymentId: 145988746 } : undefined),
    });
    const results = await notifyAll([n], notice());
    expect(results[0].ok, results[0].detail).toBe(true);
    expect((await n.notify(notice({ stage: 'action', guard: { mode: 'execute', reason: 'approved' }, actionResult: { ok: true, detail: 'rolled back' } }))).ok).toBe(true);
    expect((await n.notify(notice({ stage: 'action', guard: { mode: 'execute', reason: 'approved' }, actionResult: { ok: true, detail: 'rolled back' } }))).duplicate).toBe(true);
    const list = gh.statuses.get('Codertocat/Hello-World#145988746')!;
    expect(list.map((s) => s.state)).toEqual(['in_progress', 'failure']);
    expect(list[1].description.length).toBeLessThanOrEqual(140);
    expect(list[1].description).toMatch(/^Rolled back by Commander: Error rate 7.1%/);
    expect(list[1].log_url).toBe('http://127.0.0.1:8080/#/deployments/depabc');
    expect(gh.requests[0].headers['x-github-api-version']).toBe('2022-11-28');
    // a deployment that did not come from GitHub gets nothing
    const other = notice({ deployment: { ...notice().deployment, id: 'depzzz' }, decisionId: 'depzzz-d1' });
    expect((await n.notify(other)).detail).toMatch(/not a GitHub deployment/);
    expect(gh.requests).toHaveLength(2);
  });

  it('maps outcomes and reports a bad token', async () => {
    gh = await startFakeGithubApi();
    gh.addDeployment('o', 'r', 1);
    expect(githubStatusFor(notice({ stage: 'outcome', decision: { action: 'continue', confidence: 0.9, reasons: [] }, outcome: { recovered: true, action: 'continue', detail: 'healthy' } }))?.state).toBe('success');
    expect(githubStatusFor(notice({ stage: 'decision', guard: { mode: 'execute', reason: '' }, decision: { action: 'escalate', confidence: 0.7, reasons: [] } }))?.state).toBe('error');
    expect(githubStatusFor(notice({ stage: 'decision', guard: { mode: 'execute', reason: '' }, decision: { action: 'continue', confidence: 0.7, reasons: [] } }))).toBeUndefined();
    const bad = new GithubStatusNotifier({ token: 'wrong', apiUrl: gh.url, lookup: async () => ({ owner: 'o', repo: 'r', deploymentId: 1 }) });
    const r = await bad.notify(notice());
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/HTTP 401.*Bad credentials/);
  });
});
