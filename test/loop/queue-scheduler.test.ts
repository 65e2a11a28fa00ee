// Scale-out pieces of the loop, with a real SQLite store: the API's QueueScheduler (queues
// instead of watching, supersedes watches it does not run), the store follower (announces
// events appended by another process's connection, once, in order), and the worker's job
// handler (resumes a watch from the timeline, hands it back when told to let go).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import type { Store } from '../../src/core/store.js';
import type { TimelineEvent } from '../../src/core/timeline.js';
import type { Deployment } from '../../src/core/types.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import { SimulatedWorld } from '../../src/signals/simulated.js';
import { SimulatedActuator } from '../../src/actions/simulated.js';
import { EventBus } from '../../src/loop/bus.js';
import { QueueScheduler } from '../../src/loop/queue-scheduler.js';
import { followStore } from '../../src/loop/store-follower.js';
import { watchJobHandler } from '../../src/loop/queue-runner.js';
import { deriveState } from '../../src/loop/state.js';
import type { WatchDeps } from '../../src/loop/watch.js';
import { fastTiming, guard, stubEvaluate, stubPolicy } from './helpers.js';

const T0 = Date.UTC(2026, 2, 2, 12, 0, 0);
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempStores(n: number): Store[] {
  const dir = mkdtempSync(join(tmpdir(), 'queue-sched-'));
  const stores = Array.from({ length: n }, () => createSqliteStore(join(dir, 'c.db')));
  cleanups.push(async () => {
    for (const s of stores) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return stores;
}

async function deploy(store: Store, id: string, version: string, at = T0): Promise<Deployment> {
  const { deployment } = await store.createDeployment(
    { service: 'checkout', environment: 'production', version, previousVersion: 'v1.9.0', at, replicas: 3 },
    { id, source: 'test', receivedAt: at, idempotencyKey: id },
  );
  return deployment;
}

function watchDeps(store: Store, clock: VirtualClock, world = new SimulatedWorld({ seed: 7 })): WatchDeps {
  return { store, clock, sources: [world], actuator: new SimulatedActuator(world, clock), policy: () => stubPolicy, guard: guard(), timing: fastTiming, evaluate: stubEvaluate };
}

describe('store follower', () => {
  it('announces events appended through another connection, once each, in seq order', async () => {
    const [api, worker] = tempStores(2);
    await deploy(worker, 'dep1', 'v2.0.0');
    await worker.append({ deploymentId: 'dep1', type: 'deployment.received', at: T0, actor: 'system', payload: {}, dedupeKey: 'old' });
    const bus = new EventBus();
    const seen: TimelineEvent[] = [];
    const tracked: string[] = [];
    bus.on('appended', (e: TimelineEvent) => seen.push(e));
    const follower = await followStore(api, bus, { intervalMs: 10, onEvent: (e) => tracked.push(e.type) });
    cleanups.push(() => follower.stop());
    expect(bus.lastSeq).toBe(1); // starts at the head: the old event is not announced again
    for (let i = 0; i < 5; i++) await worker.append({ deploymentId: 'dep1', type: 'signals.collected', at: T0 + i, actor: 'system', payload: { tick: i + 1 }, dedupeKey: `t${i}` });
    await worker.append({ deploymentId: 'dep1', type: 'watch.completed', at: T0 + 9, actor: 'system', payload: { status: 'healthy' }, dedupeKey: 'done' });
    for (let i = 0; i < 100 && seen.length < 6; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.map((e) => e.seq)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(tracked.at(-1)).toBe('watch.completed');
    expect(bus.lastSeq).toBe(7);
  });
});

describe('QueueScheduler', () => {
  it('queues instead of watching, and supersedes an older watch run elsewhere through the timeline', async () => {
    const [store] = tempStores(1);
    const clock = new VirtualClock(T0);
    const queued: string[] = [];
    const sched = new QueueScheduler(watchDeps(store, clock), { enqueueWatch: async (id) => void queued.push(id), close: async () => undefined }, { sweepMs: 0 });
    cleanups.push(() => sched.shutdown());
    const old = await deploy(store, 'dep1', 'v2.0.0');
    expect(await sched.start()).toBe(1);
    expect(queued).toEqual(['dep1']);
    expect(sched.isWatching('dep1')).toBe(true);

    const next = await deploy(store, 'dep2', 'v2.0.1', T0 + 60_000);
    await sched.supersede(next);
    sched.watch(next);
    await new Promise((r) => setImmediate(r));
    expect(queued).toEqual(['dep1', 'dep2']);
    expect(deriveState(await store.events(old.id)).completed).toMatchObject({ status: 'cancelled' });
    expect((await store.getDeployment(old.id))?.status).toBe('cancelled');
    expect(sched.active().map((d) => d.id)).toEqual(['dep2']);
    sched.completed('dep2');
    expect(sched.active()).toEqual([]);
  });
});

describe('worker job handler', () => {
  it('runs the watch to its end, resumes a half-done one without acting twice, and hands back when told to let go', async () => {
    const [store] = tempStores(1);
    const clock = new VirtualClock(T0);
    const world = new SimulatedWorld({ seed: 7 });
    world.plan('checkout', 'v2.0.0', 'error_regression');
    const d = await deploy(store, 'dep1', 'v2.0.0');
    const lines: string[] = [];
    let executed = 0;
    const deps = watchDeps(store, clock, world);
    const counting: WatchDeps = {
      ...deps,
      actuator: { name: 'counting', execute: async (r) => (executed++, deps.actuator.execute(r)) },
    };
    const handler = watchJobHandler({ store, log: (l) => lines.push(l), depsFor: async () => ({ deps: counting }) });

    // attempt 0 lets go after the action (its lease ended): the job must fail so it is retried
    const lease = new AbortController();
    const stopAfterAction: WatchDeps = { ...counting, hooks: { action: () => lease.abort(new Error('job lease ending')) } };
    const first = watchJobHandler({ store, log: (l) => lines.push(l), depsFor: async () => ({ deps: stopAfterAction }) });
    await expect(first({ deploymentId: d.id, attempt: 0, signal: lease.signal })).rejects.toThrow(/handed back before it completed \(job lease ending\)/);
    expect(deriveState(await store.events(d.id)).completed).toBeUndefined();
    expect(executed).toBe(1);

    // attempt 1 resumes from the timeline and finishes
    await handler({ deploymentId: d.id, attempt: 1 });
    const s = deriveState(await store.events(d.id));
    expect(s.completed).toMatchObject({ status: 'rolled_back' });
    expect(executed).toBe(1);
    expect((await store.events(d.id)).filter((e) => e.type === 'action.executed')).toHaveLength(1);
    expect((await store.getDeployment(d.id))?.status).toBe('rolled_back');
    expect(lines).toEqual([`watch ${d.id} started (attempt 0)`, `watch ${d.id} handed back (job lease ending)`, `watch ${d.id} started (attempt 1)`, `watch ${d.id} finished: rolled_back`]);

    // a job for a deployment that does not exist is dropped, not retried forever
    await handler({ deploymentId: 'nope', attempt: 0 });
    expect(lines.at(-1)).toBe('watch nope: no such deployment; job dropped');
  });
});
