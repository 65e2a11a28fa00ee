import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/core/store.js';
import { KEEP_MODELS, PolicyVersions } from '../../src/policy/versions.js';
import { trainedModel } from './helpers.js';

let store: Store;
afterEach(async () => store?.close());

describe('policy versions in the store', () => {
  it('installs the prior once, stores each online update as a new version with its data range', async () => {
    store = createSqliteStore(':memory:');
    const v = new PolicyVersions(store);
    const prior = trainedModel(100);
    await v.ensurePrior(prior, 1000);
    await v.ensurePrior(trainedModel(5), 2000); // already installed: unchanged
    expect((await v.active())?.meta.version).toBe('test-v1');
    const r = await v.learnFromExperience({ id: 'dep-1', features: { err: 3, load: 0, dep: 0, gap: 0 }, action: 'rollback', reward: 1, at: 5000 }, 6000);
    expect(r.meta.version).toBe('bandit-v2');
    expect(r.meta.parent).toBe('test-v1');
    expect(r.meta.training).toMatchObject({ from: 5000, to: 5000, count: 1 });
    expect(r.promoted).toBe(true);
    expect((await v.active())?.meta.version).toBe('bandit-v2');
    const stored = await v.get('bandit-v2');
    expect(stored?.model.arms.rollback.n).toBe(prior.arms.rollback.n + 1);
    expect((await v.logged()).length).toBe(1);
  });

  it('compares two versions and rolls back to an earlier one', async () => {
    store = createSqliteStore(':memory:');
    const v = new PolicyVersions(store);
    await v.ensurePrior(trainedModel(100), 1);
    for (let i = 0; i < 3; i++) await v.learnFromExperience({ id: `d${i}`, features: { err: 3, load: 0, dep: 0, gap: 0 }, action: 'rollback', reward: -1, at: 10 + i }, 20 + i);
    const list = await v.list();
    expect(list.map((x) => x.version)).toEqual(['test-v1', 'bandit-v2', 'bandit-v3', 'bandit-v4']);
    const c = await v.compare('test-v1', 'bandit-v4');
    expect(c.samples.rollback[1] - c.samples.rollback[0]).toBe(3);
    expect(c.changed[0].action).toBe('rollback');
    await v.rollback('test-v1', 99);
    expect((await v.index())?.active).toBe('test-v1');
    expect((await v.index())?.history.at(-1)).toEqual([99, 'test-v1', 'rollback']);
    await expect(v.rollback('nope', 100)).rejects.toThrow(/unknown policy version/);
  });

  it('keeps the weights of the newest KEEP_MODELS versions, the prior and the active one', async () => {
    store = createSqliteStore(':memory:');
    const v = new PolicyVersions(store);
    const prior = trainedModel(20);
    await v.ensurePrior(prior, 1);
    const extra = 3;
    for (let i = 0; i < KEEP_MODELS + extra; i++) {
      const m = { ...prior, version: `bandit-v${i + 2}` };
      await v.save(m, { kind: 'online', parent: prior.version, training: { from: i, to: i, count: 1, description: `outcome ${i}` }, metrics: {} }, 10 + i, i === 0);
    }
    const list = await v.list();
    expect(list).toHaveLength(KEEP_MODELS + extra + 1);
    // bandit-v2 was made active and stays whole; v3…v5 fall outside the newest KEEP_MODELS
    expect(list.filter((x) => x.pruned).map((x) => x.version)).toEqual(['bandit-v3', 'bandit-v4']);
    expect(await v.get('bandit-v3')).toBeUndefined();
    expect(await store.getState('policy:model:bandit-v3')).toBeUndefined();
    expect((await v.get(prior.version))?.model.version).toBe(prior.version);
    expect((await v.get('bandit-v2'))?.model.version).toBe('bandit-v2');
    expect((await v.get(`bandit-v${KEEP_MODELS + extra + 1}`))?.meta.training.description).toBe(`outcome ${KEEP_MODELS + extra - 1}`);
    // what it learned from stays listed; making it active or comparing it says why it cannot
    expect(list.find((x) => x.version === 'bandit-v3')?.training.description).toBe('outcome 1');
    await expect(v.rollback('bandit-v3', 500)).rejects.toThrow(/was pruned: only the newest 100 versions/);
    await expect(v.compare('bandit-v3', prior.version)).rejects.toThrow(/was pruned/);
    expect((await v.index())?.active).toBe('bandit-v2');
  });
});

describe('learning stage', () => {
  it('turns a verified outcome into a new active version and hands it over', async () => {
    store = createSqliteStore(':memory:');
    const { LearningStage } = await import('../../src/policy/versions.js');
    const v = new PolicyVersions(store);
    await v.ensurePrior(trainedModel(50), 1);
    let handed = '';
    const stage = new LearningStage(v, { now: () => 500 }, (m) => (handed = m.version));
    const meta = await stage.outcome({
      deployment: { id: 'dep-7', at: 0 },
      outcome: { recovered: true, action: 'rollback', detail: 'ok' },
      decision: { at: 120_000, features: { err: 3, load: 0, dep: 0, gap: 0 }, decision: { action: 'rollback', confidence: 0.9, reasons: [], policyVersion: 'test-v1', propensity: 1 } },
    });
    expect(meta?.version).toBe('bandit-v2');
    expect(handed).toBe('bandit-v2');
    expect((await v.logged())[0]).toMatchObject({ id: 'dep-7', reward: 1, action: 'rollback' });
    expect(await stage.outcome({ deployment: { id: 'x', at: 0 }, outcome: { recovered: true, action: 'continue', detail: '' } })).toBeUndefined();
  });
});
