// Several observers of one watch loop (metrics, the learning stage, a caller's extra hooks) as one
// WatchHooks: each hook is called on each in turn; outcomes are awaited in order.
import type { WatchHooks } from './watch.js';

export function combineHooks(...all: Array<WatchHooks | undefined>): WatchHooks {
  const hs = all.filter((h): h is WatchHooks => !!h);
  return {
    tick: (ms) => hs.forEach((h) => h.tick?.(ms)),
    decision: (a) => hs.forEach((h) => h.decision?.(a)),
    action: (a, r) => hs.forEach((h) => h.action?.(a, r)),
    outcome: async (ctx) => {
      for (const h of hs) await h.outcome?.(ctx);
    },
    error: (id, e) => hs.forEach((h) => h.error?.(id, e)),
  };
}
