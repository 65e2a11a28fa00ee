import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import { SimulatedWorld, type Behaviour } from '../../src/signals/simulated.js';
import { SimulatedActuator } from '../../src/actions/simulated.js';
import { runWatch, type WatchDeps } from '../../src/loop/watch.js';
import { deriveState } from '../../src/loop/state.js';
import { listItem } from '../../src/server/views.js';
import type { Store } from '../../src/core/store.js';
import type { Deployment, SignalSource } from '../../src/core/types.js';
import { fastTiming, guard, stubEvaluate, stubPolicy } from './helpers.js';

const T0 = Date.UTC(2026, 2, 2, 12, 0, 0);

async function setup(behaviour: Behaviour, over: Partial<WatchDeps> = {}) {
  const store = createSqliteStore(':memory:');
  const clock = new VirtualClock(T0);
  const world = new SimulatedWorld({ seed: 7 });
  world.plan('checkout', 'v2.0.0', behaviour);
  const { deployment } = await store.createDeployment(
    { service: 'checkout', environment: 'production', version: 'v2.0.0', previousVersion: 'v1.9.0', at: T0, replicas: 3 },
    { id: 'dep1', source: 'test', receivedAt: T0, idempotencyKey: 'k1' },
  );
  const deps: WatchDeps = {
    store,
    clock,
    sources: [world],
    actuator: new SimulatedActuator(world, clock),
    policy: () => stubPolicy,
    guard: guard(),
    timing: fastTiming,
    evaluate: stubEvaluate,
    ...over,
  };
  return { store, clock, world, deployment, deps };
}

async function summary(store: Store, id: string) {
  const events = await store.events(id);
  const s = deriveState(events);
  return { events, s, types: events.map((e) => e.type) };
}

describe('watch', () => {
  it('rolls back a deploy regression, verifies recovery, and records every step once', async () => {
    const { store, deployment, deps } = await setup('error_regression');
    const status = await runWatch(deployment, deps);
    expect(status).toBe('rolled_back');
    const { events, s, types } = await summary(store, deployment.id);
    expect(types[0]).toBe('deployment.received');
    expect(types).toContain('watch.started');
    // after the rollback took effect the judgment goes back to continue (recorded, not acted on)
    expect(s.decisions.map((d) => d.decision.action)).toEqual(['continue', 'rollback', 'continue']);
    expect(s.actions).toHaveLength(1);
    expect(s.actions[0]).toMatchObject({ action: 'rollback', status: 'executed', automatic: true });
    expect(s.outcome).toMatchObject({ recovered: true, action: 'rollback' });
    // the verdict says what was compared (after the action vs before the deploy), and never
    // describes the rolled-back version as healthy
    expect(s.outcome?.detail).toMatch(/^health back to pre-deploy levels: since \S+Z the signals are within what the service did before the deploy/);
    expect(s.outcome?.detail).not.toContain(deployment.version);
    expect(types.at(-1)).toBe('watch.completed');
    // action.requested is before action.executed, and outcome after both
    expect(types.indexOf('action.requested')).toBeLessThan(types.indexOf('action.executed'));
    expect(types.indexOf('action.executed')).toBeLessThan(types.indexOf('outcome.verified'));
    const keys = events.map((e) => e.dedupeKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect((await store.getDeployment(deployment.id))?.status).toBe('rolled_back');
    expect((await store.verifyAudit()).ok).toBe(true);
    // the list row tells the story by the decision that was acted on, not the later "continue"
    const row = listItem((await store.getDeployment(deployment.id))!, events);
    expect(row.decision?.action).toBe('rollback');
  });

  it('the world is truthful: a rollback does not end a dependency outage', async () => {
    // force a rollback decision whatever the signals say
    const { store, deployment, deps } = await setup('dependency_outage', {
      evaluate: (i) => {
        const r = stubEvaluate(i);
        const bad = r.decision.action !== 'continue';
        return bad ? { ...r, decision: { ...r.decision, action: 'rollback', confidence: 0.95 } } : r;
      },
    });
    expect(await runWatch(deployment, deps)).toBe('not_recovered');
    const { s } = await summary(store, deployment.id);
    expect(s.outcome).toMatchObject({ recovered: false, action: 'rollback' });
  });

  it('scales up a load surge and sees it recover', async () => {
    const { store, deployment, deps } = await setup('load_surge');
    expect(await runWatch(deployment, deps)).toBe('scaled_up');
    expect((await summary(store, deployment.id)).s.outcome?.recovered).toBe(true);
  });

  it('escalates a dependency outage', async () => {
    const { deployment, deps } = await setup('dependency_outage');
    expect(await runWatch(deployment, deps)).toBe('escalated');
  });

  it('a healthy deploy ends healthy with one continue decision and no action', async () => {
    const { store, deployment, deps } = await setup('healthy');
    expect(await runWatch(deployment, deps)).toBe('healthy');
    const { s, types } = await summary(store, deployment.id);
    expect(s.actions).toHaveLength(0);
    expect(types.filter((t) => t === 'decision.made')).toHaveLength(1);
    expect(types.filter((t) => t === 'signals.collected')).toHaveLength(fastTiming.windowSeconds / fastTiming.stepSeconds);
  });

  it('waits for approval below the threshold, then acts on approval', async () => {
    const { store, clock, deployment, deps } = await setup('error_regression', { guard: guard({ environments: { production: { autoActConfidence: 0.99, requireApproval: false } } }) });
    const ctl = new AbortController();
    let approved = false;
    const orig = deps.store.setStatus.bind(deps.store);
    deps.store = Object.assign(Object.create(Object.getPrototypeOf(store)) as Store, store, {
      setStatus: async (id: string, st: Deployment['status']) => {
        await orig(id, st);
        if (st === 'awaiting_approval' && !approved) {
          approved = true;
          const s = deriveState(await store.events(id));
          const pending = s.decisions.find((d) => d.approval === 'pending')!;
          await store.append({ deploymentId: id, type: 'action.approved', at: clock.now(), actor: 'user:alice', payload: { decisionId: pending.id, reason: 'looks right' }, dedupeKey: `${pending.id}:approval` });
        }
      },
    });
    const status = await runWatch(deployment, deps, ctl.signal);
    expect(approved).toBe(true);
    expect(status).toBe('rolled_back');
    const { s } = await summary(store, deployment.id);
    expect(s.actions[0]).toMatchObject({ automatic: false, status: 'executed' });
    expect(s.decisions.find((d) => d.decision.action === 'rollback')?.approval).toBe('approved');
  });

  it('resumes after an interruption at any point without losing or duplicating events', async () => {
    for (const cut of [3, 9, 14, 17, 25]) {
      const { store, deployment, deps } = await setup('error_regression');
      // Interrupt after `cut` appends: the store throws like a process dying mid-step.
      let n = 0;
      const append = store.append.bind(store);
      const crashy = Object.assign(Object.create(Object.getPrototypeOf(store)) as Store, store, {
        append: async (e: Parameters<Store['append']>[0]) => {
          if (++n > cut) throw new Error('process died');
          return append(e);
        },
      });
      await expect(runWatch(deployment, { ...deps, store: crashy })).rejects.toThrow('process died');
      expect(await runWatch(deployment, deps)).toBe('rolled_back');
      const { events, s } = await summary(store, deployment.id);
      const keys = events.map((e) => e.dedupeKey);
      expect(new Set(keys).size).toBe(keys.length);
      expect(s.actions).toHaveLength(1);
      expect(events.filter((e) => e.type === 'action.executed')).toHaveLength(1);
      const ticks = events.filter((e) => e.type === 'signals.collected').map((e) => e.payload.tick as number);
      expect(ticks).toEqual(ticks.map((_, i) => i + 1));
      expect((await store.verifyAudit()).ok).toBe(true);
    }
  });

  it('a failing source is a problem on the timeline, never unhealthy', async () => {
    const broken: SignalSource = { name: 'prometheus', collect: async () => { throw new Error('connection refused'); } };
    const { store, deployment, deps } = await setup('healthy');
    deps.sources = [...deps.sources, broken];
    expect(await runWatch(deployment, deps)).toBe('healthy');
    const ev = (await store.events(deployment.id)).find((e) => e.type === 'signals.collected')!;
    expect(ev.payload.problems).toEqual([{ source: 'prometheus', message: 'connection refused' }]);
  });

  it('a second action on the same service within the cooldown waits for a human', async () => {
    const { store, world, deployment, deps } = await setup('error_regression', { guard: guard({ cooldownSeconds: 3600 }) });
    expect(await runWatch(deployment, deps)).toBe('rolled_back');
    const at = T0 + 20 * 60_000;
    world.plan('checkout', 'v2.0.1', 'error_regression');
    (deps.clock as VirtualClock).set(at);
    const { deployment: second } = await store.createDeployment(
      { service: 'checkout', environment: 'production', version: 'v2.0.1', previousVersion: 'v1.9.0', at },
      { id: 'dep2', source: 'test', receivedAt: at, idempotencyKey: 'k2' },
    );
    const ctl = new AbortController();
    const orig = store.setStatus.bind(store);
    const watching = { ...deps, store: Object.assign(Object.create(Object.getPrototypeOf(store)) as Store, store, {
      setStatus: async (id: string, st: Deployment['status']) => {
        await orig(id, st);
        if (st === 'awaiting_approval') ctl.abort();
      },
    }) };
    await runWatch(second, watching, ctl.signal);
    const s = deriveState(await store.events(second.id));
    const pending = s.decisions.find((d) => d.approval === 'pending');
    expect(pending?.guard.reason).toMatch(/cooldown/);
    expect(s.actions).toHaveLength(0);
  });

  it('a pending decision is superseded when the same action becomes confident enough to act alone', async () => {
    let n = 0;
    const { store, deployment, deps } = await setup('error_regression', {
      evaluate: (i) => {
        const r = stubEvaluate(i);
        if (r.decision.action !== 'rollback') return r;
        n++;
        return { ...r, decision: { ...r.decision, confidence: n < 3 ? 0.7 : 0.95 } };
      },
    });
    expect(await runWatch(deployment, deps)).toBe('rolled_back');
    const s = deriveState(await store.events(deployment.id));
    const rollbacks = s.decisions.filter((d) => d.decision.action === 'rollback');
    expect(rollbacks.map((d) => [d.guard.mode, d.approval])).toEqual([
      ['await_approval', 'superseded'],
      ['execute', 'not_needed'],
    ]);
    expect(s.actions).toEqual([expect.objectContaining({ decisionId: rollbacks[1].id, automatic: true, status: 'executed' })]);
  });

  it('records the outcome reward for learning', async () => {
    const { store, deployment, deps } = await setup('error_regression');
    const seen: unknown[] = [];
    await runWatch(deployment, { ...deps, hooks: { outcome: (ctx) => void seen.push(ctx) } });
    const s = deriveState(await store.events(deployment.id));
    expect(s.outcome?.reward).toBe(1);
    expect(seen).toEqual([expect.objectContaining({ outcome: s.outcome, decision: expect.objectContaining({ features: expect.any(Object) }) })]);
  });

  it('dry-run mode records the action without executing it', async () => {
    const { store, deployment, deps } = await setup('error_regression', { guard: guard({ dryRun: true }) });
    expect(await runWatch(deployment, deps)).toBe('escalated');
    const { s, types } = await summary(store, deployment.id);
    expect(s.actions).toEqual([expect.objectContaining({ status: 'dry_run', action: 'rollback' })]);
    expect(types).not.toContain('action.executed');
  });
});
