import { describe, expect, it } from 'vitest';
import { learn, experienceFromOutcome } from '../../src/policy/learn.js';
import { posterior } from '../../src/policy/bandit.js';
import { trainedModel } from './helpers.js';

describe('online learning', () => {
  it('returns a new version and leaves the old model untouched', () => {
    const m = trainedModel(100);
    const before = JSON.stringify(m);
    const next = learn(m, [{ id: 'd1', features: { err: 3, load: 0, dep: 0, gap: 0 }, action: 'rollback', reward: -1 }], 'test-v2');
    expect(JSON.stringify(m)).toBe(before);
    expect(next.version).toBe('test-v2');
    expect(next.arms.rollback.n).toBe(m.arms.rollback.n + 1);
    expect(next.arms.continue.n).toBe(m.arms.continue.n); // bandit feedback: only the action taken learns
    expect(next.memory.at(-1)?.id).toBe('d1');
  });

  it('moves the acted-on action towards the rewards it earns', () => {
    let m = trainedModel(50);
    const f = { err: 3, load: 0, dep: 0, gap: 0 };
    const m0 = posterior(m, f, 1).mean.rollback;
    for (let i = 0; i < 30; i++) m = learn(m, [{ id: `d${i}`, features: f, action: 'rollback', reward: -1 }], `v${i}`);
    expect(posterior(m, f, 1).mean.rollback).toBeLessThan(m0 - 0.3);
  });

  it('clips rewards and turns verified outcomes into experience', () => {
    const e = experienceFromOutcome({ deploymentId: 'x', features: { err: 1 }, outcome: { recovered: true, action: 'rollback', detail: '' } });
    expect(e.reward).toBe(1);
    const m = learn(trainedModel(20), [{ ...e, reward: 50 }], 'v');
    expect(m.memory.at(-1)?.reward).toBe(1);
  });
});
