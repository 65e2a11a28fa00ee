import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { startFakeGithubApi, type FakeGithubApi } from '../fakes/github-api.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/core/store.js';
import type { NewTimelineEvent } from '../../src/core/timeline.js';
import { stateSentLog } from '../../src/core/notify.js';
import { parseConfig } from '../../src/config/load.js';
import { dispatchNotifications, notifiersFromConfig } from '../../src/notify/from-config.js';

describe('timeline → notifications', () => {
  let slack: FakeSlack;
  let other: FakeSlack;
  let gh: FakeGithubApi;
  let store: Store;
  beforeEach(async () => {
    [slack, other, gh] = await Promise.all([startFakeSlack(), startFakeSlack(), startFakeGithubApi()]);
    store = createSqliteStore(':memory:');
  });
  afterEach(async () => {
    await Promise.all([slack.close(), other.close(), gh.close(), store.close()]);
  });

  it('sends one notice per decision stage to the channels the service allows, and records each', async () => {
    const cfg = parseConfig(
      [
        'notifications:',
        '  baseUrl: https://commander.example.com',
        '  slack:',
        '    - name: payments-oncall',
        '      webhookUrl: { env: SLACK_A }',
        '    - name: everyone',
        '      webhookUrl: { env: SLACK_B }',
        '  githubStatus:',
        '    token: { env: GH_TOKEN }',
        `    apiUrl: ${gh.url}`,
        'services:',
        '  checkout:',
        '    notify: [payments-oncall]',
      ].join('\n'),
    );
    gh.addDeployment('acme', 'checkout', 7);
    const notifiers = notifiersFromConfig(cfg.notifications, {
      sentLog: stateSentLog(store),
      githubLookup: async () => ({ owner: 'acme', repo: 'checkout', deploymentId: 7 }),
      env: { SLACK_A: slack.url, SLACK_B: other.url, GH_TOKEN: gh.token },
    });
    expect(notifiers.map((n) => n.name)).toEqual(['payments-oncall', 'everyone', 'github']);
    const { deployment } = await store.createDeployment(
      { service: 'checkout', environment: 'production', version: 'v2.15.0', previousVersion: 'v2.14.0', at: 1000 },
      { id: 'depx', source: 'github', receivedAt: 1000, idempotencyKey: 'k' },
    );
    const deps = { notifiers, store, now: () => 5000, baseUrl: cfg.notifications.baseUrl, channelsFor: (s: string) => cfg.services[s]?.notify };
    const events: NewTimelineEvent[] = [
      { deploymentId: deployment.id, type: 'decision.made', at: 2000, actor: 'policy:v1', payload: { decisionId: 'depx-d4', tick: 4, decision: { action: 'rollback', confidence: 0.91, reasons: ['error_rate up 35x'] }, guard: { mode: 'await_approval', reason: 'production' }, headline: 'Error rate 7.1% vs 0.2% before v2.15.0' } },
      { deploymentId: deployment.id, type: 'action.executed', at: 3000, actor: 'system', payload: { actionId: 'a1', decisionId: 'depx-d4', action: 'rollback', detail: 'rolled back to revision 1' } },
      { deploymentId: deployment.id, type: 'outcome.verified', at: 4000, actor: 'system', payload: { actionId: 'a1', outcome: { recovered: true, action: 'rollback', detail: 'error rate back to 0.2%' } } },
    ];
    for (const ev of events) {
      const e = await store.append(ev);
      const results = await dispatchNotifications(e, deps);
      expect(results.every((r) => r.ok), JSON.stringify(results)).toBe(true);
      // the same event again (a resumed watch, a replayed bus message) sends nothing new
      expect((await dispatchNotifications(e, deps)).every((r) => r.duplicate)).toBe(true);
    }
    expect(slack.messages).toHaveLength(3);
    expect(other.messages).toHaveLength(0); // checkout only notifies payments-oncall
    expect(JSON.stringify(slack.messages[0])).toContain('https://commander.example.com/#/deployments/depx?decision=depx-d4&intent=approve');
    expect(gh.statuses.get('acme/checkout#7')!.map((s) => s.state)).toEqual(['in_progress', 'failure', 'failure']);
    const sent = (await store.events(deployment.id)).filter((e) => e.type === 'notification.sent');
    expect(sent.map((e) => `${e.payload.channel}:${e.payload.stage}`)).toEqual([
      'payments-oncall:decision', 'github:decision', 'payments-oncall:action', 'github:action', 'payments-oncall:outcome', 'github:outcome',
    ]);
  });

  it('says nothing for continue decisions, and reports a healthy outcome', async () => {
    const notifiers = notifiersFromConfig(parseConfig(`notifications:\n  slack:\n    - webhookUrl: "${slack.url}"\n`).notifications, { sentLog: stateSentLog(store), githubLookup: async () => undefined });
    const { deployment } = await store.createDeployment({ service: 'search', environment: 'staging', version: 'v9', at: 0 }, { id: 'depy', source: 'api', receivedAt: 0, idempotencyKey: 'y' });
    const deps = { notifiers, store, now: () => 1 };
    const d = await store.append({ deploymentId: deployment.id, type: 'decision.made', at: 1, actor: 'p', payload: { decisionId: 'depy-d1', decision: { action: 'continue', confidence: 0.9, reasons: [] }, guard: { mode: 'execute', reason: '' } } });
    expect(await dispatchNotifications(d, deps)).toEqual([]);
    const o = await store.append({ deploymentId: deployment.id, type: 'outcome.verified', at: 2, actor: 'system', payload: { outcome: { recovered: true, action: 'continue', detail: 'healthy for 10 min' } } });
    expect((await dispatchNotifications(o, deps))[0].ok).toBe(true);
    expect(JSON.stringify(slack.messages[0])).toContain('Healthy: search v9 (staging)');
  });
});
