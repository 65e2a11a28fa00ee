import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/core/store.js';
import { decisionHistory, toJsonl } from '../../src/policy/export.js';

let store: Store;
afterEach(async () => store?.close());

async function seed(): Promise<Store> {
  const s = createSqliteStore(':memory:');
  const { deployment } = await s.createDeployment({ service: 'checkout', environment: 'production', version: 'v2', at: 1_000 }, { id: 'dep-1', source: 'api', receivedAt: 1_000, idempotencyKey: 'k1' });
  const decision = (action: string, confidence: number) => ({ action, confidence, reasons: ['error rate up'], policyVersion: 'bandit-v3', propensity: 1 });
  await s.append({ deploymentId: deployment.id, type: 'decision.made', at: 2_000, actor: 'policy:bandit-v3', payload: { decisionId: 'dep-1-d0', tick: 0, decision: decision('continue', 0.8), features: { err_bad: 0, minutes_since_deploy: 0.5 }, headline: 'no change' } });
  await s.append({ deploymentId: deployment.id, type: 'decision.made', at: 3_000, actor: 'policy:bandit-v3', payload: { decisionId: 'dep-1-d1', tick: 1, decision: decision('rollback', 0.93), features: { err_bad: 1, minutes_since_deploy: 1 }, headline: 'Error rate 7% vs 0.2% before v2' } });
  await s.append({ deploymentId: deployment.id, type: 'outcome.verified', at: 9_000, actor: 'system', payload: { outcome: { recovered: true, action: 'rollback', detail: 'healthy again' } } });
  return s;
}

describe('Oumi JSONL export', () => {
  it('writes every decision as a system/user/assistant conversation with metadata', async () => {
    store = await seed();
    const records = await decisionHistory(store);
    expect(records).toHaveLength(2);
    const lines = toJsonl(records, 'oumi-sft').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    const r = lines[1];
    expect(r.messages.map((m: { role: string }) => m.role)).toEqual(['system', 'user', 'assistant']);
    expect(r.messages[1].content).toContain('Error rate 7% vs 0.2% before v2');
    expect(JSON.parse(r.messages[2].content)).toMatchObject({ action: 'rollback', confidence: 0.93 });
    expect(r.metadata).toMatchObject({ action: 'rollback', propensity: 1, reward: 1, policy_version: 'bandit-v3', features: { err_bad: 1 } });
    expect(lines[0].metadata.reward).toBeNull(); // the outcome judged the rollback, not the earlier continue
  });

  it('labels KTO lines from the reward and leaves out unrewarded decisions', async () => {
    store = await seed();
    const lines = toJsonl(await decisionHistory(store), 'oumi-kto').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0].label).toBe(true);
    expect(lines[0].prompt.map((m: { role: string }) => m.role)).toEqual(['system', 'user']);
    expect(lines[0].completion[0].role).toBe('assistant');
  });
});
