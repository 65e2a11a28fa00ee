// "Something was appended" notifications for the live event stream. The stream itself reads
// the events back from the store by seq, so a notification can be lost or coalesced without
// losing an event; this only tells readers when to look.
import { EventEmitter } from 'node:events';
import type { Store } from '../core/store.js';
import type { TimelineEvent } from '../core/timeline.js';

export class EventBus extends EventEmitter {
  /** highest seq appended through this process (0 = unknown yet) */
  lastSeq = 0;
  constructor() {
    super();
    this.setMaxListeners(0);
  }
  appended(e: TimelineEvent): void {
    if (e.seq > this.lastSeq) this.lastSeq = e.seq;
    this.emit('appended', e);
  }
}

/** The same store, announcing each append on the bus. */
export function notifyingStore(store: Store, bus: EventBus): Store {
  const wrapped = Object.create(store) as Store;
  wrapped.append = async (event) => {
    const e = await store.append(event);
    bus.appended(e);
    return e;
  };
  // a deployment's first event is appended with it
  wrapped.createDeployment = async (spec, meta) => {
    const r = await store.createDeployment(spec, meta);
    for (const e of r.events ?? (r.event ? [r.event] : [])) bus.appended(e);
    return r;
  };
  return wrapped;
}

/** Highest seq in the store, by exponential then binary search over `audit(afterSeq, limit 1)`. */
export async function findHeadSeq(store: Store): Promise<number> {
  const exists = async (seq: number): Promise<boolean> => (await store.audit({ afterSeq: seq - 1, limit: 1 })).length > 0;
  if (!(await exists(1))) return 0;
  let lo = 1;
  let hi = 2;
  while (await exists(hi)) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await exists(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}
