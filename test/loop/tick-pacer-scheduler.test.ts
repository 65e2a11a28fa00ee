// Many watches due at once share the event loop (loop/tick-pacer.ts via the Scheduler): ticks
// start a few per turn, in the order they fell due, other work runs in between, and a
// shutdown releases every waiting watch at once; a restart resumes them all from the store.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import type { Store } from '../../src/core/store.js';
import { Scheduler } from '../../src/loop/scheduler.js';
import { TickPacer } from '../../src/loop/tick-pacer.js';
import type { WatchDeps } from '../../src/loop/watch.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import { fastTiming, simulatedWatchDeps } from './helpers.js';

const T0 = Date.UTC(2026, 2, 2, 12, 0, 0);
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const turn = () => new Promise<void>((r) => setImmediate(r));

describe('TickPacer', () => {
  it('admits at most perTurn per turn of the event loop, first come first served', async () => {
    const pacer = new TickPacer(3);
    const order: number[] = [];
    const all = Array.from({ length: 10 }, (_, i) => pacer.admit().then(() => order.push(i)));
    const perTurn: number[] = [];
    for (let i = 0; i < 6 && order.length < 10; i++) {
      const before = order.length;
      await turn();
      perTurn.push(order.length - before);
    }
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(3);
    expect(pacer.queued).toBe(0);
  });

  it('serves ticks already under way (resume) before new ones', async () => {
    const pacer = new TickPacer(2);
    const order: string[] = [];
    const fresh = Array.from({ length: 4 }, (_, i) => pacer.admit().then(() => order.push(`new${i}`)));
    const resumed = Array.from({ length: 3 }, (_, i) => pacer.admit(undefined, true).then(() => order.push(`resume${i}`)));
    await Promise.all([...fresh, ...resumed]);
    expect(order).toEqual(['resume0', 'resume1', 'resume2', 'new0', 'new1', 'new2', 'new3']);
  });

  it('lets an aborted waiter go at once, without using a slot', async () => {
    const pacer = new TickPacer(1);
    const stop = new AbortController();
    const order: string[] = [];
    const a = pacer.admit().then(() => order.push('a'));
    const b = pacer.admit(stop.signal).then(() => order.push('b'));
    const c = pacer.admit().then(() => order.push('c'));
    expect(pacer.queued).toBe(3);
    stop.abort();
    await b;
    expect(order).toEqual(['b']);
    await turn();
    expect(order).toEqual(['b', 'a']);
    await Promise.all([a, c]);
    expect(order).toEqual(['b', 'a', 'c']);
    // already aborted: resolves without queueing
    await pacer.admit(stop.signal);
    expect(pacer.queued).toBe(0);
  });
});

describe('Scheduler with many due watches', () => {
  function setup(): { store: Store; file: string } {
    const dir = mkdtempSync(join(tmpdir(), 'pacer-'));
    const file = join(dir, 'c.db');
    const store = createSqliteStore(file, { synchronous: 'NORMAL' });
    cleanups.push(async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return { store, file };
  }

  const deps = (store: Store, clock: VirtualClock, ticks: { n: number }): WatchDeps =>
    simulatedWatchDeps(store, clock, { timing: { ...fastTiming, windowSeconds: 3600 }, hooks: { tick: () => void ticks.n++ } }, 3);

  async function deployMany(store: Store, n: number): Promise<void> {
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        store.createDeployment(
          { service: `svc-${i}`, environment: 'production', version: 'v2.0.0-good', previousVersion: 'v1.0.0', at: T0 },
          { id: `dep${i}`, source: 'test', receivedAt: T0, idempotencyKey: `k${i}` },
        ),
      ),
    );
  }

  it('keeps the loop turning while 120 watches tick, and hands every watch back on shutdown', async () => {
    const { store, file } = setup();
    await deployMany(store, 120);
    const clock = new VirtualClock(T0);
    const ticks = { n: 0 };
    const scheduler = new Scheduler(deps(store, clock, ticks), { ticksPerTurn: 4 });
    expect(await scheduler.start()).toBe(120);
    // a probe on the loop: how many ticks ran between two of its turns
    const gaps: number[] = [];
    let last = 0;
    while (ticks.n < 600) {
      await turn();
      gaps.push(ticks.n - last);
      last = ticks.n;
    }
    // with a synchronous store an unpaced burst runs all 120 watches' ticks in one turn
    // the evaluations too (paced again after the batched append), not only the tick starts
    expect(Math.max(...gaps)).toBeLessThanOrEqual(8);
    expect(gaps.filter((g) => g > 0).length).toBeGreaterThan(600 / 40);

    await scheduler.shutdown();
    expect(scheduler.active()).toEqual([]);
    const unfinished = await store.unfinishedDeployments();
    expect(unfinished).toHaveLength(120);
    // every watch is handed back: a new scheduler on the same file resumes all of them, and they tick on
    await store.close();
    const again = createSqliteStore(file, { synchronous: 'NORMAL' });
    cleanups.push(() => again.close());
    const ticks2 = { n: 0 };
    const resumed = new Scheduler(deps(again, clock, ticks2), { ticksPerTurn: 4 });
    expect(await resumed.start()).toBe(120);
    while (ticks2.n < 240) await turn();
    await resumed.shutdown();
    const seq = await again.headSeq!();
    expect((await again.verifyAudit({ full: true })).checked).toBe(seq);
  }, 60_000);
});
