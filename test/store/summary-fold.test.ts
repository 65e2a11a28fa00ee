// The summary a store keeps on each deployment's row (core/deployment-summary.ts) must say what
// the timeline says (loop/state.ts through server/views.ts listItem), after every event of real
// watches: healthy, rolled back, waiting for an approval that comes, superseded, cancelled.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { foldEvents, foldSummary } from '../../src/core/deployment-summary.js';
import type { Store } from '../../src/core/store.js';
import type { TimelineEvent } from '../../src/core/timeline.js';
import type { Deployment } from '../../src/core/types.js';
import { runWatch, type WatchDeps } from '../../src/loop/watch.js';
import { listItem } from '../../src/server/views.js';
import { createSqliteStore } from '../../src/store/sqlite.js';
import { guard, simulatedWatchDeps } from '../loop/helpers.js';

const T0 = Date.UTC(2026, 2, 2, 12, 0, 0);

function deps(store: Store, clock: VirtualClock, approval: boolean): WatchDeps {
  return simulatedWatchDeps(store, clock, approval ? { guard: guard({ environments: { production: { autoActConfidence: 0.99, requireApproval: true } } }) } : {}, 11);
}

/** what the list shows, from the timeline alone */
function fromTimeline(d: Deployment, events: TimelineEvent[]) {
  const item = listItem(d, events);
  return { status: item.status, decision: item.decision, headline: item.headline, pendingDecisionId: item.pendingDecisionId };
}

function fromFold(d: Deployment, events: TimelineEvent[]) {
  const s = foldSummary(foldEvents(events));
  return { status: s.status ?? d.status, decision: s.decision, headline: s.headline, pendingDecisionId: s.pendingDecisionId };
}

describe('deployment summary fold', () => {
  it('agrees with the timeline after every event of real watches, and the stored row with both', async () => {
    const store = createSqliteStore(':memory:');
    const cases: Array<{ version: string; approval: boolean; approve?: boolean; cancel?: boolean }> = [
      { version: 'v2.0.0-good', approval: false },
      { version: 'v2.0.0-bug', approval: false },
      { version: 'v2.0.0-slow', approval: true, approve: true },
      { version: 'v2.0.0-bug', approval: true },
      { version: 'v2.0.0-outage', approval: false, cancel: true },
    ];
    for (const [i, c] of cases.entries()) {
      const clock = new VirtualClock(T0);
      const { deployment } = await store.createDeployment(
        { service: `svc-${i}`, environment: 'production', version: c.version, previousVersion: 'v1.9.0', at: T0, replicas: 3 },
        { id: `dep${i}`, source: 'test', receivedAt: T0, idempotencyKey: `k${i}` },
      );
      const d = deps(store, clock, c.approval);
      if (c.cancel) {
        // stop half-way and complete it as cancelled, as a superseding deploy does
        const stop = new AbortController();
        let ticks = 0;
        d.hooks = { tick: () => void (++ticks === 6 && stop.abort()) };
        await runWatch(deployment, d, stop.signal);
        await store.append({ deploymentId: deployment.id, type: 'watch.completed', at: clock.now(), actor: 'system', payload: { status: 'cancelled', reason: 'superseded' } });
      } else {
        const stop = new AbortController();
        d.hooks = {
          decision: (action) => {
            if (c.approval && action !== 'continue') stop.abort();
          },
        };
        await runWatch(deployment, d, stop.signal);
        if (c.approve) {
          const pending = (await store.events(deployment.id)).filter((e) => e.type === 'decision.made').at(-1)!;
          await store.append({ deploymentId: deployment.id, type: 'action.approved', at: clock.now(), actor: 'user:ops', payload: { decisionId: pending.payload.decisionId } });
          d.hooks = {};
          await runWatch(deployment, d);
        }
      }
    }
    const items = await store.listDeploymentItems({ limit: 100 });
    const decided = new Set<string>();
    for (const item of items) {
      const d = (await store.getDeployment(item.id))!;
      const events = await store.events(item.id);
      expect(events.length).toBeGreaterThan(5);
      for (let n = 1; n <= events.length; n++) {
        const prefix = events.slice(0, n);
        expect(fromFold(d, prefix), `${item.id} after ${prefix[n - 1].type}`).toEqual(fromTimeline(d, prefix));
      }
      const { status, decision, headline, pendingDecisionId } = item;
      expect({ status, decision, headline, pendingDecisionId }).toEqual(fromTimeline(d, events));
      if (item.decision) decided.add(item.decision.action);
    }
    // the cases cover what the list distinguishes
    expect(Object.fromEntries(items.map((i) => [i.id, i.status]))).toEqual({
      dep0: 'healthy',
      dep1: 'rolled_back',
      dep2: 'rolled_back',
      dep3: 'awaiting_approval',
      dep4: 'cancelled',
    });
    expect(items.some((i) => i.pendingDecisionId)).toBe(true);
    expect(decided.has('rollback')).toBe(true);

    // an action whose outcome could not be established after a crash (action.unknown), and a
    // late result for the same action that must not change what happened (the first result stands)
    const d1 = (await store.getDeployment('dep1'))!;
    const real = await store.events('dep1');
    const requested = real.findIndex((e) => e.type === 'action.requested');
    const executed = real.find((e) => e.type === 'action.executed')!;
    const unknown = { ...executed, type: 'action.unknown' as const, payload: { ...executed.payload, evidence: 'no status command' } };
    const crashed = [...real.slice(0, requested + 1), unknown, { ...executed, at: executed.at + 1 }];
    for (let n = 1; n <= crashed.length; n++) {
      const prefix = crashed.slice(0, n);
      expect(fromFold(d1, prefix), `after ${prefix[n - 1].type}`).toEqual(fromTimeline(d1, prefix));
    }
    expect(fromFold(d1, crashed).status).toBe('action_unknown');
    await store.close();
  }, 60_000);
});
