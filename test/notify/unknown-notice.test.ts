// An action whose outcome is unknown after a crash is escalated to a person: Slack says so with
// the evidence, GitHub marks the deployment as errored.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { startFakeGithubApi, type FakeGithubApi } from '../fakes/github-api.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/core/store.js';
import { stateSentLog } from '../../src/core/notify.js';
import { parseConfig } from '../../src/config/load.js';
import { dispatchNotifications, notifiersFromConfig } from '../../src/notify/from-config.js';

describe('action.unknown → a person is told', () => {
  let slack: FakeSlack;
  let gh: FakeGithubApi;
  let store: Store;
  beforeEach(async () => {
    [slack, gh] = await Promise.all([startFakeSlack(), startFakeGithubApi()]);
    store = createSqliteStore(':memory:');
  });
  afterEach(async () => Promise.all([slack.close(), gh.close(), store.close()]));

  it('sends the evidence as the action stage, once', async () => {
    const cfg = parseConfig(['notifications:', '  slack:', '    - webhookUrl: { env: SLACK }', '  githubStatus:', '    token: { env: GH }', `    apiUrl: ${gh.url}`].join('\n'));
    gh.addDeployment('acme', 'checkout', 3);
    const notifiers = notifiersFromConfig(cfg.notifications, {
      sentLog: stateSentLog(store),
      githubLookup: async () => ({ owner: 'acme', repo: 'checkout', deploymentId: 3 }),
      env: { SLACK: slack.url, GH: gh.token },
    });
    const { deployment } = await store.createDeployment({ service: 'checkout', environment: 'production', version: 'v2', at: 0 }, { id: 'depz', source: 'api', receivedAt: 0, idempotencyKey: 'z' });
    const deps = { notifiers, store, now: () => 9 };
    await store.append({ deploymentId: deployment.id, type: 'decision.made', at: 1, actor: 'p', payload: { decisionId: 'depz-d5', decision: { action: 'rollback', confidence: 0.95, reasons: ['errors up'] }, guard: { mode: 'execute', reason: 'confident' }, headline: 'errors up' } });
    const e = await store.append({
      deploymentId: deployment.id, type: 'action.unknown', at: 2, actor: 'system',
      payload: { actionId: 'depz-d5-a', decisionId: 'depz-d5', action: 'rollback', evidence: 'helm rollback checkout was started by host-a and its exit status was lost' },
    });
    const results = await dispatchNotifications(e, deps);
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect((await dispatchNotifications(e, deps)).every((r) => r.duplicate)).toBe(true);
    const text = JSON.stringify(slack.messages[0]);
    expect(text).toContain('Outcome unknown, check by hand: rollback checkout v2 (production)');
    expect(text).toContain('its exit status was lost');
    expect(gh.statuses.get('acme/checkout#3')!.map((s) => s.state)).toEqual(['error']);
    expect(gh.statuses.get('acme/checkout#3')![0].description).toMatch(/^Commander's rollback has an unknown outcome, check by hand: /);
  });
});
