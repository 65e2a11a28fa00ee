// Feeds the EventBus from the store instead of from this process's appends: in scale-out the
// workers append the watches' events in other processes, and the API's live stream, metrics
// and notifications must still see every one of them, once, in seq order.
//
// Why polling and not PostgreSQL LISTEN/NOTIFY: the stream already reads events back from the
// store by seq (a notification is only "look now"), so a NOTIFY would need this same read after
// it, plus a dedicated connection that survives reconnects (and that transaction-mode poolers
// such as PgBouncer do not carry), a trigger in the schema, and polling anyway to catch what
// was sent while it was down. A poll is one indexed range query (`seq > cursor`) per interval,
// works with any Store, and the delay it adds (eventsPollMs, 250 ms by default) is far below a
// watch step.
import type { Store } from '../core/store.js';
import type { TimelineEvent } from '../core/timeline.js';
import { findHeadSeq, type EventBus } from './bus.js';

export interface StoreFollower {
  stop(): Promise<void>;
}

export interface FollowOptions {
  intervalMs: number;
  /** start after this seq; default: the store's head (only new events are announced) */
  afterSeq?: number;
  onError?: (err: unknown) => void;
  /** called for each event before it is announced (e.g. to track completed watches) */
  onEvent?: (e: TimelineEvent) => void;
}

const PAGE = 500;

export async function followStore(store: Store, bus: EventBus, opts: FollowOptions): Promise<StoreFollower> {
  let cursor = opts.afterSeq ?? (store.headSeq ? await store.headSeq() : await findHeadSeq(store));
  if (cursor > bus.lastSeq) bus.lastSeq = cursor;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const poll = async (): Promise<void> => {
    for (;;) {
      const page = await store.audit({ afterSeq: cursor, limit: PAGE });
      for (const e of page) {
        if (stopped) return;
        cursor = e.seq;
        opts.onEvent?.(e);
        bus.appended(e);
      }
      if (page.length < PAGE) return;
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = poll()
        .catch((e: unknown) => opts.onError?.(e))
        .finally(schedule);
    }, opts.intervalMs);
    timer.unref();
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
