// The loop's side of "an action runs once": an action found `requested` after its process died
// is reconciled with the target (done / not done / unknown), never just repeated; an action whose
// process is still at work (a worker whose job expired) is left to it. Real SQLite store, the
// simulated world as target, two "processes" told apart by their lease holders.
import { spawn } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import { SimulatedWorld } from '../../src/signals/simulated.js';
import { SimulatedActuator } from '../../src/actions/simulated.js';
import { runWatch, type WatchDeps } from '../../src/loop/watch.js';
import { deriveState, statusOf } from '../../src/loop/state.js';
import { makeGuard } from '../../src/loop/guard.js';
import { thisProcess, type LeaseHolder } from '../../src/loop/action-lease.js';
import type { ActionCheck, ActionRequest, ActionResult, Actuator } from '../../src/core/types.js';
import { fastTiming, guard, stubEvaluate, stubPolicy } from './helpers.js';

const T0 = Date.UTC(2026, 2, 2, 12, 0, 0);

async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => c.once('exit', r));
  return c.pid!;
}

async function setup() {
  const store = createSqliteStore(':memory:');
  const world = new SimulatedWorld({ seed: 7 });
  world.plan('checkout', 'v2.0.0', 'error_regression');
  const { deployment } = await store.createDeployment(
    { service: 'checkout', environment: 'production', version: 'v2.0.0', previousVersion: 'v1.9.0', at: T0, replicas: 3 },
    { id: 'dep1', source: 'test', receivedAt: T0, idempotencyKey: 'k1' },
  );
  const deps = (clock: VirtualClock, actuator: Actuator, holder?: LeaseHolder, over: Partial<WatchDeps> = {}): WatchDeps => ({
    store, clock, sources: [world], actuator, policy: () => stubPolicy, guard: guard(), timing: fastTiming, evaluate: stubEvaluate,
    ...(holder ? { leaseHolder: holder } : {}), ...over,
  });
  return { store, world, deployment, deps };
}

/** Runs a watch until its actuator is called, and leaves it hanging there: a process killed mid-action. */
async function killedMidAction(run: (actuator: Actuator) => Promise<unknown>, before?: (r: ActionRequest) => void): Promise<ActionRequest> {
  let called!: (r: ActionRequest) => void;
  const reached = new Promise<ActionRequest>((r) => (called = r));
  const hanging: Actuator = {
    name: 'simulated',
    execute: (r) => {
      before?.(r);
      called(r);
      return new Promise<ActionResult>(() => undefined);
    },
  };
  void run(hanging);
  return reached;
}

/** Counts what the resumed process asks of its actuator. */
function counting(inner: Actuator, answer?: ActionCheck) {
  const calls = { execute: 0, check: 0 };
  const a: Actuator = {
    name: inner.name,
    execute: async (r, c) => (calls.execute++, inner.execute(r, c)),
    check: async (r, c) => (calls.check++, answer ?? inner.check!(r, c)),
  };
  return { a, calls };
}

describe('a resumed action is reconciled, not repeated', () => {
  it('done on the target: recorded from the target, not carried out again', async () => {
    const { store, world, deployment, deps } = await setup();
    const clock = new VirtualClock(T0);
    const sim = new SimulatedActuator(world, clock);
    const dead: LeaseHolder = { id: 'killed', host: hostname(), pid: await deadPid() };
    // the effect happened, then the process died before recording it
    const req = await killedMidAction((a) => runWatch(deployment, deps(clock, a, dead)), (r) => void world.apply(r, clock.now()));
    expect(statusOf(deriveState(await store.events(deployment.id)))).toBe('acting');

    const { a, calls } = counting(sim);
    expect(await runWatch(deployment, deps(new VirtualClock(clock.now()), a))).toBe('rolled_back');
    expect(calls).toEqual({ execute: 0, check: 1 });
    const events = await store.events(deployment.id);
    const executed = events.filter((e) => e.type === 'action.executed');
    expect(executed).toHaveLength(1);
    expect(executed[0].payload).toMatchObject({ actionId: req.id, reconciled: expect.stringMatching(/already done; not repeated/) });
    expect(events.find((e) => e.type === 'action.requested')?.payload).toMatchObject({ executor: 'killed', claim: expect.any(String) });
  });

  it('not done on the target: carried out once, by the process that resumed it', async () => {
    const { store, world, deployment, deps } = await setup();
    const clock = new VirtualClock(T0);
    const dead: LeaseHolder = { id: 'killed', host: hostname(), pid: await deadPid() };
    await killedMidAction((a) => runWatch(deployment, deps(clock, a, dead)));
    const { a, calls } = counting(new SimulatedActuator(world, clock));
    expect(await runWatch(deployment, deps(new VirtualClock(clock.now()), a))).toBe('rolled_back');
    expect(calls).toEqual({ execute: 1, check: 1 });
    const executed = (await store.events(deployment.id)).filter((e) => e.type === 'action.executed');
    expect(executed).toHaveLength(1);
    expect(executed[0].payload.reconciled).toMatch(/not found done on the target .*carried out now/);
  });

  it('unknown: recorded as action.unknown, escalated, nothing else automatic, no learning from it', async () => {
    const { store, world, deployment, deps } = await setup();
    const clock = new VirtualClock(T0);
    const dead: LeaseHolder = { id: 'killed', host: hostname(), pid: await deadPid() };
    await killedMidAction((a) => runWatch(deployment, deps(clock, a, dead)));
    const { a, calls } = counting(new SimulatedActuator(world, clock), { state: 'unknown', evidence: 'helm rollback was started and its exit status was lost' });
    // after the unknown rollback the judgment turns to a confident scale-up: it must wait for a person
    let unknownSeen = false;
    const evaluate: typeof stubEvaluate = (i) => {
      const r = stubEvaluate(i);
      return unknownSeen ? { ...r, decision: { ...r.decision, action: 'scale_up', confidence: 0.99 } } : r;
    };
    const learned: unknown[] = [];
    const resumed = new VirtualClock(clock.now());
    // the process stops again right after recording it: the next start must still resume the watch
    const stop = new AbortController();
    const hooks = { action: (_a: string, result: string) => void ((unknownSeen ||= result === 'unknown') && stop.abort()), outcome: (ctx: unknown) => void learned.push(ctx) };
    await runWatch(deployment, deps(resumed, a, undefined, { evaluate, hooks }), stop.signal);
    expect(statusOf(deriveState(await store.events(deployment.id)))).toBe('action_unknown');
    expect((await store.unfinishedDeployments()).map((d) => d.id)).toEqual([deployment.id]);
    const status = await runWatch(deployment, deps(resumed, a, undefined, { evaluate, hooks }));
    expect(status).toBe('action_unknown');
    expect(await store.unfinishedDeployments()).toEqual([]);
    expect(calls).toEqual({ execute: 0, check: 1 });
    const events = await store.events(deployment.id);
    const s = deriveState(events);
    expect(s.actions.map((x) => [x.action, x.status])).toEqual([['rollback', 'unknown']]);
    expect(events.filter((e) => e.type === 'action.unknown')[0].payload).toMatchObject({ action: 'rollback', evidence: expect.stringMatching(/exit status was lost/) });
    expect(events.some((e) => e.type === 'action.executed' || e.type === 'action.failed')).toBe(false);
    const scale = s.decisions.find((d) => d.decision.action === 'scale_up')!;
    expect(scale.guard).toEqual({ mode: 'await_approval', reason: 'the outcome of the earlier rollback is unknown: a person must check the target first' });
    expect(s.outcome).toMatchObject({ action: 'rollback', detail: expect.stringMatching(/outcome of rollback .* is unknown .*a person must check the target/) });
    expect(s.outcome?.reward).toBeUndefined();
    expect(events.find((e) => e.type === 'outcome.verified')?.payload.actionId).toBe(s.actions[0].id);
    expect(learned).toEqual([]);
    expect((await store.getDeployment(deployment.id))?.status).toBe('action_unknown');
  });

  it('an actuator that cannot answer leaves a resumed action unknown', async () => {
    const { store, world, deployment, deps } = await setup();
    const clock = new VirtualClock(T0);
    await killedMidAction((a) => runWatch(deployment, deps(clock, a, { id: 'killed', host: hostname(), pid: 0x7ffffff0 })));
    let executed = 0;
    const blind: Actuator = { name: 'custom', execute: async (r) => (executed++, new SimulatedActuator(world, clock).execute(r)) };
    expect(await runWatch(deployment, deps(new VirtualClock(clock.now()), blind))).toBe('action_unknown');
    expect(executed).toBe(0);
    expect((await store.events(deployment.id)).find((e) => e.type === 'action.unknown')?.payload.evidence).toBe('the custom actuator cannot tell whether it already acted');
  });

  it.each([
    ['on another host', { id: 'worker-a', host: 'host-a', pid: 1 }, { id: 'worker-b', host: 'host-b', pid: 1 }],
    ['in this same process (the next attempt of the job landed here)', undefined, undefined],
  ])('a process still at work on the action (its job expired under it) is left to finish, %s: one execution', async (_where, workerA?: LeaseHolder, workerB?: LeaseHolder) => {
    const { store, world, deployment, deps } = await setup();
    const clock = new VirtualClock(T0);
    let finish!: () => void;
    const slow: Actuator = {
      name: 'simulated',
      execute: (r) => new Promise<ActionResult>((resolve) => (finish = () => resolve(world.apply(r, clock.now())))),
    };
    const stopA = new AbortController();
    let requested!: () => void;
    const atAction = new Promise<void>((r) => (requested = r));
    const aDone = runWatch(deployment, deps(clock, { ...slow, execute: (r) => (requested(), slow.execute(r)) }, workerA), stopA.signal);
    await atAction;

    // worker B gets the job while A still runs the rollback
    const { a, calls } = counting(new SimulatedActuator(world, clock));
    let ticksWhileA = 0;
    const bDone = runWatch(deployment, deps(new VirtualClock(clock.now()), a, workerB, {
      hooks: {
        tick: () => {
          if (++ticksWhileA === 3) {
            stopA.abort();
            finish();
          }
        },
      },
    }));
    expect(await bDone).toBe('rolled_back');
    await aDone;
    expect(ticksWhileA).toBeGreaterThanOrEqual(3);
    expect(calls).toEqual({ execute: 0, check: 0 });
    const events = await store.events(deployment.id);
    expect(events.filter((e) => e.type === 'action.executed')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'action.requested')[0].payload.executor).toBe(workerA?.id ?? thisProcess.id);
  });
});

describe('guard after an unknown action', () => {
  it('turns what would run on its own into a question for a person, and leaves other verdicts alone', () => {
    const g = makeGuard({ dryRun: false, cooldownSeconds: 0, environments: {}, defaultAutoActConfidence: 0.8 });
    const base = { analysis: { at: 0, deployAt: 0, findings: [], coverage: {}, canary: false }, environment: 'production', service: 'checkout', automaticActions: 0, now: 0 };
    const rollback = { action: 'rollback' as const, confidence: 0.95, reasons: [], policyVersion: 'p' };
    expect(g({ ...base, decision: rollback }).mode).toBe('execute');
    expect(g({ ...base, decision: rollback, unknownAction: 'rollback' })).toEqual({ mode: 'await_approval', reason: 'the outcome of the earlier rollback is unknown: a person must check the target first' });
    expect(g({ ...base, decision: { ...rollback, action: 'continue' }, unknownAction: 'rollback' }).mode).toBe('record_only');
  });
});
